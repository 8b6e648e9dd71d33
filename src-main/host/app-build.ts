/**
 * Whether the built app in out/ is current, and building it: one definition for the lab
 * (`npm run lab` builds the renderer it serves when it is missing or older than its
 * sources) and for the tests (their global setup builds the app once before the end-to-end
 * and packaging files). A build is `electron-vite build` (what `npm run build` runs),
 * serialised across processes by a lock directory so that parallel callers build once.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const RENDERER_SOURCES = ['src-renderer', 'src-shared', 'electron.vite.config.ts', 'svelte.config.js', 'package.json'];
const MAIN_SOURCES = ['src-main', 'src-shared', 'electron.vite.config.ts', 'package.json'];

export const rendererIndex = (root: string): string => join(root, 'out', 'renderer', 'index.html');
export const mainIndex = (root: string): string => join(root, 'out', 'main', 'index.js');
export const preloadIndex = (root: string): string => join(root, 'out', 'preload', 'index.cjs');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const e of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, e)));
  return newest;
}

const newestOf = (root: string, sources: readonly string[]): number =>
  Math.max(
    0,
    ...sources
      .map((p) => join(root, p))
      .filter(existsSync)
      .map(newestMtime),
  );

/** Why out/renderer must be (re)built, or undefined when it is current. */
export function rendererBuildNeeded(root: string): string | undefined {
  const index = rendererIndex(root);
  if (!existsSync(index)) return 'out/renderer is missing';
  return newestOf(root, RENDERER_SOURCES) > statSync(index).mtimeMs ? 'out/renderer is older than its sources' : undefined;
}

/** Why the whole app (out/main, out/preload and out/renderer) must be (re)built, or undefined when it is current. */
export function appBuildNeeded(root: string): string | undefined {
  const renderer = rendererBuildNeeded(root);
  if (renderer) return renderer;
  const outputs = [mainIndex(root), join(root, 'out', 'main', 'run-worker.js'), preloadIndex(root)];
  if (!outputs.every(existsSync)) return 'out/main or out/preload is missing';
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  return newestOf(root, MAIN_SOURCES) > built ? 'out/main or out/preload is older than its sources' : undefined;
}

export interface BuildOptions {
  /** Why a build is needed (undefined: current); default: rendererBuildNeeded. */
  readonly needed?: (root: string) => string | undefined;
  /** Told why a build starts (e.g. printed on stderr). */
  readonly onBuild?: (why: string) => void;
}

/**
 * Builds the app (`electron-vite build`) when `needed` says so; once across parallel
 * processes (a lock directory in test-results/, abandoned after 3 minutes). Returns why it
 * built, or undefined when out/ was current.
 */
export async function ensureAppBuilt(root: string, opts: BuildOptions = {}): Promise<string | undefined> {
  const needed = opts.needed ?? rendererBuildNeeded;
  if (!needed(root)) return undefined;
  const lock = join(root, 'test-results', '.renderer-build.lock');
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // another process is building: wait for it
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // removed meanwhile
      }
      if (Date.now() - t0 > 240_000) throw new Error(`timed out waiting for the build lock ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const why = needed(root);
    if (!why) return undefined;
    opts.onBuild?.(why);
    const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
    try {
      await promisify(execFile)(process.execPath, [cli, 'build'], {
        cwd: root,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
        maxBuffer: 32 * 1024 * 1024,
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`the build (electron-vite build) failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`, { cause: e });
    }
    return why;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
