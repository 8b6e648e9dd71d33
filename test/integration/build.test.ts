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

  it('the preload exposes exactly the declared API: data and two functions, no require or process', async () => {
    // run the built bundle as Electron's sandbox does: a CommonJS wrapper whose require only knows electron
    const exposed: Record<string, unknown> = {};
    const invoked: unknown[][] = [];
    const listeners = new Map<string, (...a: unknown[]) => void>();
    const electron = {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => {
          exposed[key] = api;
        },
      },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => {
          invoked.push(args);
          return { ok: true, result: 42 };
        },
        on: (channel: string, l: (...a: unknown[]) => void) => listeners.set(channel, l),
        removeListener: (channel: string) => listeners.delete(channel),
      },
    };
    const sandboxRequire = (name: string) => {
      if (name === 'electron') return electron;
      throw new Error(`module not found: ${name}`);
    };
    const fakeProcess = { argv: ['electron', '--dmm-lab-app-version=9.9.9'], platform: 'linux' };
    const module = { exports: {} };
    new Function('require', 'process', 'module', 'exports', read('preload', 'index.cjs'))(
      sandboxRequire,
      fakeProcess,
      module,
      module.exports,
    );

    expect(Object.keys(exposed)).toEqual(['dmmLab']);
    const api = exposed['dmmLab'] as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['appVersion', 'onEvent', 'onMenuCommand', 'openFile', 'platform', 'request', 'saveFile']);
    for (const key of Object.keys(api)) if (key !== 'appVersion' && key !== 'platform') expect(typeof api[key], key).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    expect(api['appVersion']).toBe('9.9.9');
    expect(api['platform']).toBe('linux');
    for (const leak of ['require', 'process', 'ipcRenderer', 'module', 'electron']) expect(api).not.toHaveProperty(leak);
    // request goes to the one API channel; onEvent subscribes and unsubscribes
    await expect((api['request'] as (m: string, p: unknown) => Promise<unknown>)('runs.list', { limit: 1 })).resolves.toEqual({
      ok: true,
      result: 42,
    });
    expect(invoked).toEqual([['dmm-lab:api', 'runs.list', { limit: 1 }]]);
    const got: unknown[] = [];
    const off = (api['onEvent'] as (l: (n: string, d: unknown) => void) => () => void)((n, d) => got.push([n, d]));
    listeners.get('dmm-lab:event')?.({ sender: 'not passed on' }, 'run.removed', { id: 1 });
    expect(got).toEqual([['run.removed', { id: 1 }]]);
    off();
    expect(listeners.has('dmm-lab:event')).toBe(false);

    // menu commands: only the declared ones reach the page, without the IPC event
    const commands: unknown[] = [];
    const offMenu = (api['onMenuCommand'] as (l: (c: unknown) => void) => () => void)((c) => commands.push(c));
    const menu = listeners.get('dmm-lab:menu');
    menu?.({ sender: 'not passed on' }, 'undo');
    menu?.({}, 'quit-and-format-disk');
    menu?.({}, { command: 'undo' });
    menu?.({}, 'show-welcome');
    expect(commands).toEqual(['undo', 'show-welcome']);
    offMenu();
    expect(listeners.has('dmm-lab:menu')).toBe(false);

    // the dialogs go to their own channels with the request as given (validated in the main process)
    invoked.length = 0;
    await (api['saveFile'] as (r: unknown) => Promise<unknown>)({ defaultName: 'a.json', content: '{}' });
    await (api['openFile'] as (r: unknown) => Promise<unknown>)({ filters: [] });
    expect(invoked).toEqual([
      ['dmm-lab:save-file', { defaultName: 'a.json', content: '{}' }],
      ['dmm-lab:open-file', { filters: [] }],
    ]);
  });

  it('the preload exposes nothing but window.dmmLab: no require, process, Buffer or ipcRenderer reach the page', () => {
    // as contextBridge does: the page gets what exposeInMainWorld is given, nothing else of the preload's scope
    const exposed = new Map<string, unknown>();
    const electron = {
      contextBridge: { exposeInMainWorld: (k: string, v: unknown) => exposed.set(k, v) },
      ipcRenderer: { invoke: async () => undefined, on: () => undefined, removeListener: () => undefined },
    };
    const module = { exports: {} as Record<string, unknown> };
    new Function('require', 'process', 'module', 'exports', read('preload', 'index.cjs'))(
      (n: string) => (n === 'electron' ? electron : undefined),
      { argv: [], platform: 'linux' },
      module,
      module.exports,
    );
    expect([...exposed.keys()]).toEqual(['dmmLab']);
    const api = exposed.get('dmmLab') as Record<string, unknown>;
    const reachable = JSON.stringify(Object.getOwnPropertyNames(api).map((k) => [k, typeof api[k]]));
    for (const leak of ['require', 'process', 'Buffer', 'ipcRenderer', 'contextBridge', 'global', 'module'])
      expect(reachable).not.toContain(`"${leak}"`);
    // functions carry no properties that lead back to Node
    for (const k of Object.keys(api)) if (typeof api[k] === 'function') expect(Object.keys(api[k] as object)).toEqual([]);
    expect(Object.keys(module.exports)).toEqual([]);
  });

  it('emits the run worker next to the main bundle (utility processes load it)', () => {
    expect(existsSync(join(outDir, 'main', 'run-worker.js'))).toBe(true);
    expect(read('main', 'run-worker.js')).not.toContain('better-sqlite3'); // run processes never touch the database
  });

  it('emits the renderer HTML with the CSP meta tag and relative asset paths', () => {
    const html = read('renderer', 'index.html');
    expect(html).toMatch(/<meta\s+http-equiv="Content-Security-Policy"/);
    expect(html).toContain("default-src 'self'");
    expect(html).toContain("script-src 'self'");
    expect(html).toMatch(/<script type="module" crossorigin src="\.\/assets\/[^"]+\.js"><\/script>/);
  });

  it('the built renderer has a strict CSP: no eval, no inline script, no remote origin, no plugins, no framing', () => {
    const html = read('renderer', 'index.html');
    const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/g)];
    expect(metas).toHaveLength(1);
    const directives = new Map(
      metas[0]![1]!
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const [name, ...values] = d.split(/\s+/);
          return [name!, values] as const;
        }),
    );
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(directives.get('frame-src') ?? directives.get('default-src')).toEqual(["'self'"]);
    for (const [name, values] of directives) {
      for (const v of values) {
        expect(v, `${name} ${v}`).not.toMatch(/unsafe-eval|wasm-unsafe-eval|unsafe-hashes|\*|^https?:|^ws:|^wss:|^http$/);
        if (name !== 'style-src') expect(v, `${name} ${v}`).not.toBe("'unsafe-inline'");
      }
    }
    // connect-src: the page itself (the browser host's HTTP + WebSocket on the same origin), nothing remote
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    // no inline scripts in the built page (script-src 'self' would block them anyway)
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // and nothing in it loads from elsewhere
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('the bundles do not use eval or new Function (the CSP forbids them)', () => {
    const assets = readdirSync(join(outDir, 'renderer', 'assets')).filter((f) => f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    for (const f of assets) {
      const code = read('renderer', 'assets', f);
      expect(code, f).not.toMatch(/\beval\(/);
      expect(code, f).not.toMatch(/new Function\(/);
    }
  });

  it('keeps better-sqlite3 external in the main build config', () => {
    expect(config.main?.build?.rollupOptions?.external).toContain('better-sqlite3');
  });
});
