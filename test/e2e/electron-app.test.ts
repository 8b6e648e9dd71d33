/**
 * The real Electron app, started from its build (out/) with playwright-core's
 * `_electron.launch`: one window titled DMM Lab showing the first-run screen on a fresh data
 * folder, the application menu (File, Edit, View, Help), the preload's API and nothing else
 * (no require, no process), the lab answering over IPC, a menu command reaching the page.
 *
 * Needs the Electron binary (`npm install` downloads it; not on CI, which installs with
 * ELECTRON_SKIP_BINARY_DOWNLOAD=1), better-sqlite3 built for Electron (`npm run
 * native:electron`) and a display (or xvfb-run). Without them the suite is skipped and says which.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeBindingDir, NATIVE_BINDING_FILE } from '../../src-main/electron/native-binding';
import { ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/lab';

const require = createRequire(import.meta.url);

/** The Electron executable, or why there is none. */
function electronBinary(): { path: string } | { reason: string } {
  let path: unknown;
  try {
    path = require('electron');
  } catch (e) {
    return {
      reason: `Electron binary not installed (require('electron') failed: ${(e as Error).message.split('\n')[0]}; run \`node node_modules/electron/install.js\` with internet access)`,
    };
  }
  if (typeof path !== 'string' || !existsSync(path))
    return { reason: `Electron binary not installed (require('electron') gave ${String(path)}, which does not exist)` };
  return { path };
}

function skipReason(): string | undefined {
  const bin = electronBinary();
  if ('reason' in bin) return bin.reason;
  const version = (require('electron/package.json') as { version: string }).version;
  const binding = join(
    nativeBindingDir(ROOT, { electronVersion: version, platform: process.platform, arch: process.arch }),
    NATIVE_BINDING_FILE,
  );
  if (!existsSync(binding)) return `better-sqlite3 for Electron ${version} not built (${binding} missing: run \`npm run native:electron\`)`;
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'])
    return 'no display (run the tests under xvfb-run)';
  return undefined;
}

const SKIP = skipReason();
if (SKIP) process.stderr.write(`Electron app tests skipped: ${SKIP}\n`);

describe.skipIf(SKIP !== undefined)(SKIP ? `Electron app (skipped: ${SKIP})` : 'Electron app', () => {
  const data = tempDir('dmm-electron-');
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    const bin = electronBinary() as { path: string };
    app = await _electron.launch({ executablePath: bin.path, args: [ROOT], env: { ...process.env, DMM_LAB_DATA_DIR: data.dir } });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    data.cleanup();
  });

  it('opens one window titled DMM Lab with the first-run screen of a fresh lab', async () => {
    expect(app.windows()).toHaveLength(1);
    expect(await page.title()).toBe('DMM Lab');
    await page.getByTestId('welcome').waitFor({ timeout: 15_000 });
    expect(existsSync(join(data.dir, 'lab.sqlite'))).toBe(true);
  });

  it('the preload exposes window.dmmLab and nothing of Node', async () => {
    const seen = await page.evaluate(() => ({
      keys: Object.keys(window.dmmLab ?? {}).sort(),
      require: typeof (globalThis as Record<string, unknown>)['require'],
      process: typeof (globalThis as Record<string, unknown>)['process'],
      buffer: typeof (globalThis as Record<string, unknown>)['Buffer'],
    }));
    expect(seen).toEqual({
      keys: ['appVersion', 'onEvent', 'onMenuCommand', 'openFile', 'platform', 'request', 'saveFile'],
      require: 'undefined',
      process: 'undefined',
      buffer: 'undefined',
    });
    const reply = await page.evaluate(() => window.dmmLab!.request('runs.list', {}));
    expect(reply).toMatchObject({ ok: true, result: { total: 0 } });
  });

  it('has the application menu, and a menu command reaches the page', async () => {
    const labels = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.items.map((i) => i.label.replace('&', '')) ?? []);
    for (const m of ['File', 'Edit', 'View', 'Help']) expect(labels).toContain(m);
    await page.evaluate(() => (location.hash = '#/runs'));
    await app.evaluate(({ Menu, BrowserWindow }) => {
      BrowserWindow.getAllWindows()[0]?.focus();
      Menu.getApplicationMenu()?.getMenuItemById('new-architecture')?.click();
    });
    await page.waitForFunction(() => location.hash.startsWith('#/editor'), null, { timeout: 10_000 });
  });

  it('refuses navigation away and pop-ups', async () => {
    // a pop-up: the window-open handler denies it, so window.open gives null and no window appears
    // (http, not https: an https link would be handed to the system browser)
    const popup = app.waitForEvent('window', { timeout: 2000 }).then(
      () => 'a window opened',
      (e: Error) => (/Timeout/i.test(e.message) ? 'none' : `error: ${e.message}`),
    );
    expect(await page.evaluate(() => window.open('http://127.0.0.1:9/popup', '_blank') === null)).toBe(true);
    expect(await popup).toBe('none');
    expect(app.windows()).toHaveLength(1);

    // navigation away: the main process sees it (will-navigate) and prevents it; the page stays
    const url = page.url();
    type Seen = { url: string; prevented: boolean };
    // listening before the page navigates (registered after the app's own listener, so it runs after it has decided)
    await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]!.webContents;
      (globalThis as { __willNavigate?: Promise<Seen> }).__willNavigate = new Promise<Seen>((resolve) =>
        contents.once('will-navigate', (e) => resolve({ url: e.url, prevented: e.defaultPrevented })),
      );
    });
    await page.evaluate(() => (location.href = 'file:///etc/hostname')).catch(() => undefined);
    const seen = await app.evaluate(() => (globalThis as { __willNavigate?: Promise<Seen> }).__willNavigate);
    expect(seen).toEqual({ url: 'file:///etc/hostname', prevented: true });
    // the page is still the app, and still answers
    expect(page.url().split('#')[0]).toBe(url.split('#')[0]);
    expect(await page.evaluate(() => document.title)).toBe('DMM Lab');
  });
});
