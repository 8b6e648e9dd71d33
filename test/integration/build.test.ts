// Builds the whole app with electron-vite into a temp dir (no Electron binary needed) and
// checks the three outputs. `--outDir X` makes electron-vite write X/main, X/preload, X/renderer.
// X must be absolute: electron-vite resolves a relative X against each build's `root`, which
// for the renderer is src-renderer/ (so it would land in src-renderer/X/renderer).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../electron.vite.config';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');

describe('electron-vite build', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'dmm-lab-build-'));
  const read = (...p: string[]): string => readFileSync(join(outDir, ...p), 'utf8');

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [CLI, 'build', '--outDir', outDir], {
      cwd: ROOT,
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
  }, 120_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('emits the main process bundle as out/main/index.js (package.json "main")', () => {
    expect(existsSync(join(outDir, 'main', 'index.js'))).toBe(true);
    expect(read('main', 'index.js')).toContain('from "electron"');
  });

  it('emits a single self-contained CommonJS preload (required for sandbox: true)', () => {
    expect(readdirSync(join(outDir, 'preload'))).toEqual(['index.cjs']);
    const preload = read('preload', 'index.cjs');
    expect(preload).toContain('require("electron")');
    expect(preload).toContain('exposeInMainWorld("dmmLab"');
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    // Sandboxed preloads can only require electron (and a few builtins); nothing else may remain.
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
  });

  it('emits the renderer HTML with the CSP meta tag and relative asset paths', () => {
    const html = read('renderer', 'index.html');
    expect(html).toMatch(/<meta\s+http-equiv="Content-Security-Policy"/);
    expect(html).toContain("default-src 'self'");
    expect(html).toContain("script-src 'self'");
    expect(html).toMatch(/<script type="module" crossorigin src="\.\/assets\/[^"]+\.js"><\/script>/);
  });

  it('keeps better-sqlite3 external in the main build config', () => {
    expect(config.main?.build?.rollupOptions?.external).toContain('better-sqlite3');
  });
});
