/**
 * End-to-end tests in a real browser: Debian's Chromium (`/usr/bin/chromium`, installed by
 * `.ci/run` with apt) driven by playwright-core, against the real browser host
 * (`npm run lab`, i.e. src-main/host/main.ts) on a fresh database with real run processes.
 *
 * - Chromium: `CHROMIUM` (default /usr/bin/chromium, override with DMM_CHROMIUM). When it
 *   is missing, every suite declared with `describeE2E` is skipped and says why — never
 *   `npx playwright install` (no downloaded browsers).
 * - The app: the host serves the built renderer in out/renderer. The e2e and packaging
 *   projects' global setup (test/setup/build-app.ts) calls `ensureAppBuild()` once before
 *   any of their files runs: when out/ is missing or older than its sources (src-renderer/,
 *   src-main/, src-shared/, the build configs) it runs `npm run build`'s build (under a lock,
 *   in case two vitest processes start at once). A failed build fails the run with its output.
 * - Screenshots: test-results/screenshots/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe } from 'vitest';
import {
  appBuildNeeded as sharedAppBuildNeeded,
  ensureAppBuilt,
  mainIndex,
  preloadIndex,
  rendererBuildNeeded as sharedRendererBuildNeeded,
  rendererIndex,
} from '../../src-main/host/app-build';
import { ROOT } from './cli';
import { startHostProcess, type HostProcess } from './host';
import { tempDir } from './lab';

export const CHROMIUM = process.env['DMM_CHROMIUM'] ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');
export const RENDERER_INDEX = rendererIndex(ROOT);

/** Why end-to-end tests cannot run here, or undefined when they can. */
export const E2E_SKIP_REASON: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (install it with \`apt-get install -y chromium\`, as .ci/run does, or set DMM_CHROMIUM)`;

let warned = false;

/** `describe` for end-to-end suites: skipped, with the reason in its name and on stderr, when Chromium is missing. */
export function describeE2E(name: string, fn: () => void): void {
  if (E2E_SKIP_REASON && !warned) {
    warned = true;
    process.stderr.write(`end-to-end tests skipped: ${E2E_SKIP_REASON}\n`);
  }
  describe.skipIf(E2E_SKIP_REASON !== undefined)(E2E_SKIP_REASON ? `${name} (skipped: ${E2E_SKIP_REASON})` : name, fn);
}

// ---------------------------------------------------------------- the built renderer

/** Why out/renderer must be (re)built, or undefined when it is current (the lab's own check, src-main/host/app-build.ts). */
export const rendererBuildNeeded = (): string | undefined => sharedRendererBuildNeeded(ROOT);

export const MAIN_INDEX = mainIndex(ROOT);
export const PRELOAD_INDEX = preloadIndex(ROOT);

/** Why the whole app (out/main, out/preload and out/renderer) must be (re)built, or undefined when it is current. */
export const appBuildNeeded = (): string | undefined => sharedAppBuildNeeded(ROOT);

/** Builds the app (`electron-vite build`, as `npm run build`) when out/ is missing or stale (by `needed`: the renderer only, by default); once across parallel test files. */
export async function ensureRenderer(needed: () => string | undefined = rendererBuildNeeded): Promise<void> {
  await ensureAppBuilt(ROOT, {
    needed: () => needed(),
    onBuild: (why) => process.stderr.write(`tests: ${why}, building it (npm run build)…\n`),
  });
}

/** ensureRenderer for the whole app: also rebuilds when out/main or out/preload is older than src-main/src-shared. */
export const ensureAppBuild = (): Promise<void> => ensureRenderer(appBuildNeeded);

// ---------------------------------------------------------------- a lab in a browser

export interface E2ELab {
  readonly host: HostProcess;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught page errors and console errors seen so far (a blank screen usually leaves one). */
  readonly pageErrors: string[];
  /** Opens the lab's address with its #token (the page then shows #/runs); then `route` (e.g. `#/new`) if given. */
  open(route?: string): Promise<void>;
  /** A full-page screenshot in test-results/screenshots/<name>.png; returns its path. */
  screenshot(name: string, page?: Page): Promise<string>;
  /** Calls the host's HTTP API with the session token; throws the API's error message. */
  api<T>(method: string, params?: unknown): Promise<T>;
  close(): Promise<void>;
}

export interface E2EOptions {
  /** Extra options of the host (`--concurrency 1` by default). */
  readonly hostArgs?: readonly string[];
  readonly viewport?: { width: number; height: number };
  /** Prepares the database file before the host opens it (e.g. damages it). */
  readonly prepare?: (db: string) => void;
}

/**
 * A fresh database, the real browser host on it, and Chromium with one page (out/renderer
 * was built by the global setup). Call from `beforeAll` and `close()` in `afterAll`.
 */
export async function startE2ELab(opts: E2EOptions = {}): Promise<E2ELab> {
  const tmp = tempDir('dmm-lab-e2e-');
  let host: HostProcess | undefined;
  let browser: Browser | undefined;
  try {
    opts.prepare?.(join(tmp.dir, 'lab.sqlite'));
    host = await startHostProcess(join(tmp.dir, 'lab.sqlite'), [...(opts.hostArgs ?? ['--concurrency', '1'])]);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 900 } });
    // before any page of the context loads: the renderer exposes its test hooks (the editor
    // canvas's window.__dmmEditorCanvas, the diff canvases' __cy) only when this is set
    await context.addInitScript(() => {
      (window as Window & { __DMM_E2E__?: boolean }).__DMM_E2E__ = true;
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) =>
      pageErrors.push(`pageerror: ${e.message}${e.stack ? `\n${e.stack.split('\n').slice(1, 4).join('\n')}` : ''}`),
    );
    page.on('console', (m) => {
      // every console error counts, a missing favicon's 404 included
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()} (${m.location().url})`);
    });
    const h = host;
    const b = browser;
    return {
      host: h,
      browser: b,
      context,
      page,
      pageErrors,
      open: async (route) => {
        // a real page load each time (from the same document, a new #token would only change the hash)
        await page.goto('about:blank');
        await page.goto(h.url);
        await page.waitForFunction(() => location.hash.startsWith('#/'));
        if (route) await page.evaluate((r) => (location.hash = r), route);
      },
      screenshot: async (name, p = page) => {
        mkdirSync(SCREENSHOTS, { recursive: true });
        const path = join(SCREENSHOTS, `${name}.png`);
        // the app shell scrolls inside <main>, so a "full page" is the viewport: grow it to the content for the picture
        const size = p.viewportSize();
        const tall = await p.evaluate(() => {
          const main = document.querySelector('main');
          return Math.max(document.documentElement.scrollHeight, main ? main.scrollHeight + main.getBoundingClientRect().top : 0);
        });
        if (size && tall > size.height) await p.setViewportSize({ width: size.width, height: Math.min(Math.ceil(tall), 8000) });
        try {
          await p.screenshot({ path, fullPage: true });
        } finally {
          if (size && tall > size.height) await p.setViewportSize(size);
        }
        return path;
      },
      api: async <T>(method: string, params: unknown = {}) => {
        const r = await h.call(method, params);
        if (!r.body.ok) throw new Error(`${method}: ${r.body.error?.message ?? `HTTP ${r.status}`}`);
        return r.body.result as T;
      },
      close: async () => {
        await b.close().catch(() => undefined);
        await h.stop();
        tmp.cleanup();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await host?.stop();
    tmp.cleanup();
    throw e;
  }
}

/**
 * Waits until the editor canvas has no animation running (a Fit or a layout) and the page
 * has drawn two frames since: what a screenshot or a click on a rendered position needs.
 */
export async function editorCanvasSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const core = (window as { __dmmEditorCanvas?: { core: { animated(): boolean } } }).__dmmEditorCanvas?.core;
    return core !== undefined && !core.animated();
  });
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

const FINAL = ['completed', 'failed', 'interrupted', 'diverged', 'stopped'];

const isConnectionReset = (e: unknown): boolean => e instanceof Error && (e.cause as { code?: string } | undefined)?.code === 'ECONNRESET';

/** Polls the host's API until the run has ended; returns the run record. */
export async function waitForRunEnd(
  lab: E2ELab,
  id: number,
  timeoutMs = 45_000,
): Promise<{ id: number; status: string; statusReason: string; steps: number }> {
  const t0 = Date.now();
  for (;;) {
    let run: { id: number; status: string; statusReason: string; steps: number };
    try {
      run = await lab.api<{ id: number; status: string; statusReason: string; steps: number }>('runs.get', { id });
    } catch (e) {
      // a kept-alive connection the host closed just as it was reused (seen on a loaded machine):
      // this poll only reads, so the next one asks again; a host that is gone fails it with ECONNREFUSED
      if (!isConnectionReset(e) || Date.now() - t0 > timeoutMs) throw e;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    if (FINAL.includes(run.status)) return run;
    if (Date.now() - t0 > timeoutMs) throw new Error(`run ${id} still ${run.status} after ${timeoutMs} ms (${run.steps} steps)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The text of `[data-testid=…]` once present, or undefined if it does not appear within `timeoutMs`. */
export async function optionalText(page: Page, testId: string, timeoutMs = 3_000): Promise<string | undefined> {
  const el = page.getByTestId(testId);
  try {
    await el.first().waitFor({ state: 'attached', timeout: timeoutMs });
  } catch {
    return undefined;
  }
  return (await el.first().textContent()) ?? '';
}
