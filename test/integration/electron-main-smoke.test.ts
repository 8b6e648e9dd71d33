// The REAL built main process (out/main/index.js) run in a plain Node child process, with the
// bare specifier `electron` resolved to a fake (test/fixtures/fake-electron/: a node:module
// resolve hook installed with `--import`). No Electron binary is needed, so this catches what
// the unit tests of the pure modules cannot: import and bundling errors, wrong paths in the
// built layout, handlers main forgets to register, a startup that throws, and the wiring
// between main.ts and the lab (a real SQLite database in a temp data folder).
//
// better-sqlite3: main resolves its binding with native-binding.ts, which honours
// DMM_ELECTRON_SQLITE_BINDING when not packaged (app.isPackaged is false in the fake) and does
// no ABI check there; it is pointed at the Node build in node_modules, which is the right ABI
// for the Node that runs the bundle. process.versions.electron stays undefined, as under Node.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { RunStore } from '../../src-main/store/run-store';
import { acquireLabLock } from '../../src-main/lab/lab-lock';
import { MAIN_INDEX } from '../helpers/browser';
import { ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/lab';

const FAKE = join(ROOT, 'test', 'fixtures', 'fake-electron');
const NODE_BINDING = join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

type Report = Record<string, any>;

/** Runs the built main bundle once under the fake electron; the driver's JSON report. */
async function runMain(dir: string, env: Record<string, string> = {}): Promise<Report> {
  const report = join(dir, 'report.json');
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    SMOKE_MAIN: MAIN_INDEX,
    SMOKE_REPORT: report,
    SMOKE_SAVE_PATH: join(dir, 'saved.json'),
    DMM_LAB_DATA_DIR: join(dir, 'data'),
    DMM_ELECTRON_SQLITE_BINDING: NODE_BINDING,
    FAKE_ELECTRON_HOME: join(dir, 'home'),
    FAKE_ELECTRON_APP_PATH: ROOT,
    ...env,
  };
  delete childEnv['ELECTRON_RENDERER_URL']; // as `electron-vite preview`: the built renderer, not a dev server
  delete childEnv['NODE_OPTIONS'];
  for (const [k, v] of Object.entries(env)) if (v === '') delete childEnv[k];
  try {
    await promisify(execFile)(process.execPath, ['--import', join(FAKE, 'register.mjs'), join(FAKE, 'drive-main.mjs')], {
      cwd: dir,
      env: childEnv,
      timeout: 40_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { message: string; stdout?: string; stderr?: string };
    throw new Error(`the main process under the fake electron failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`, {
      cause: e,
    });
  }
  return JSON.parse(readFileSync(report, 'utf8')) as Report;
}

const callsOf = (r: Report, api: string): unknown[][] => (r['calls'] as unknown[][]).filter((c) => c[0] === api);
const indexOfCall = (r: Report, api: string): number => (r['calls'] as unknown[][]).findIndex((c) => c[0] === api);

describe('the built Electron main process, under Node with a fake electron', () => {
  const tmp = tempDir('dmm-main-smoke-');
  const data = join(tmp.dir, 'data');
  const db = join(data, 'lab.sqlite');
  let r: Report;
  let seeded: { finished: number; running: number };

  beforeAll(async () => {
    // a lab with two runs, written by the Node side: one finished, one left "running" by a crash
    mkdirSync(data, { recursive: true });
    const store = RunStore.open(db);
    try {
      seeded = {
        finished: store.createRun({ name: 'seeded finished run', schedule: defaultSchedule(7), status: 'completed', tags: ['smoke'] }).id,
        running: store.createRun({ name: 'seeded crashed run', schedule: defaultSchedule(8), status: 'running' }).id,
      };
    } finally {
      store.close();
    }
    r = await runMain(tmp.dir);
  }, 180_000);

  afterAll(() => tmp.cleanup());

  it('loads and starts without an error, using only what the fake electron implements', () => {
    expect(r['errors']).toEqual([]);
    expect(r['unimplemented']).toEqual([]);
    expect(r['steps']).toEqual([
      'load',
      'startup',
      'window',
      'permissions',
      'navigation',
      'menu',
      'ipc',
      'fileDialogs',
      'whileRunning',
      'quit',
    ]);
    expect(callsOf(r, 'dialog.showErrorBox')).toEqual([]);
    expect(r['exitCode']).toBeNull();
    expect(callsOf(r, 'utilityProcess.fork')).toEqual([]); // nothing queued: no run launched
  });

  it('moves the data folder before taking the single-instance lock (Electron keys the lock on userData)', () => {
    expect(callsOf(r, 'app.setName')).toEqual([['app.setName', 'DMM Lab']]);
    expect(callsOf(r, 'app.setPath')).toEqual([['app.setPath', 'userData', data]]);
    expect(callsOf(r, 'app.requestSingleInstanceLock')).toHaveLength(1);
    expect(indexOfCall(r, 'app.setPath')).toBeLessThan(indexOfCall(r, 'app.requestSingleInstanceLock'));
  });

  it('creates one hardened window: context isolation, sandbox, no Node, an existing preload and icon', () => {
    const options = r['window'].options;
    expect(callsOf(r, 'new BrowserWindow')).toHaveLength(1);
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(options.webPreferences.preload).toBe(join(ROOT, 'out', 'preload', 'index.cjs'));
    expect(existsSync(options.webPreferences.preload)).toBe(true);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(options.webPreferences.additionalArguments).toEqual([`--dmm-lab-app-version=${version}`]);
    expect(existsSync(options.icon)).toBe(true);
    expect(options).toMatchObject({ title: 'DMM Lab', show: false, width: 1200, height: 800, minWidth: 640, minHeight: 480 });
  });

  it('loads the built renderer from a file:// URL of out/renderer/index.html that exists', () => {
    const urls = r['window'].loadedUrls as string[];
    expect(urls).toHaveLength(1);
    expect(urls[0]).toMatch(/^file:\/\//);
    const file = fileURLToPath(urls[0]!);
    expect(file).toBe(join(ROOT, 'out', 'renderer', 'index.html'));
    expect(existsSync(file)).toBe(true);
  });

  it('denies every permission request and check', () => {
    expect(r['permissions']).toEqual({
      requestHandler: 'function',
      checkHandler: 'function',
      mediaRequestGranted: false,
      notificationsRequestGranted: false,
      clipboardReadCheck: false,
    });
  });

  it('keeps the window on the app: navigation away prevented (https to the browser), pop-ups denied, no webview; hardened once', () => {
    const n = r['navigation'];
    // web-contents-created and createWindow both harden the window: still one listener each
    expect(n.listeners).toEqual({ willNavigate: 1, willRedirect: 1, willAttachWebview: 1, willPreventUnload: 1 });
    expect(n.sameApp).toMatchObject({ prevented: false, opened: [] });
    expect(n.external).toMatchObject({ prevented: true, opened: ['https://example.org/page'] });
    expect(n.otherFile).toMatchObject({ prevented: true, opened: [] });
    expect(n.redirect).toMatchObject({ prevented: true, opened: [] });
    expect(n.webviewPrevented).toBe(true);
    expect(n.popup).toEqual({ action: 'deny' });
    expect(n.popupOpened).toEqual(['https://example.org/docs']);
  });

  it('installs the application menu File / Edit / View / Help, whose commands reach the window', () => {
    const shape = r['menu'].shape as { label: string; submenu: { id?: string; role?: string }[] }[];
    expect(shape.map((m) => m.label.replace('&', ''))).toEqual(
      process.platform === 'darwin' ? ['DMM Lab', 'File', 'Edit', 'View', 'Window', 'Help'] : ['File', 'Edit', 'View', 'Help'],
    );
    const ids = shape.flatMap((m) => m.submenu.map((i) => i.id ?? i.role));
    for (const id of ['new-architecture', 'open-import', 'export', 'undo', 'redo', 'show-welcome', 'open-data-folder', 'reload'])
      expect(ids).toContain(id);
    expect(callsOf(r, 'Menu.setApplicationMenu')).toHaveLength(1);
    expect(r['menu'].sentByNewArchitecture).toEqual([['dmm-lab:menu', 'new-architecture']]);
    expect(r['menu'].openPath).toEqual([data]);
  });

  it('serves the API over IPC from the real database to the app frame, and refuses other frames', () => {
    const ipc = r['ipc'];
    expect(ipc.channels).toEqual(['dmm-lab:api', 'dmm-lab:save-file', 'dmm-lab:open-file']);
    expect(ipc.problems.ok).toBe(true);
    expect(ipc.problems.result.map((p: { id: string }) => p.id)).toContain('duplicates');
    // the seeded runs, read back through main's lab; the one left running was recovered as interrupted at startup
    expect(ipc.runs.ok).toBe(true);
    expect(ipc.runs.result.total).toBe(2);
    const byId = new Map((ipc.runs.result.runs as { id: number; name: string; status: string; tags: string[] }[]).map((x) => [x.id, x]));
    expect(byId.get(seeded.finished)).toMatchObject({ name: 'seeded finished run', status: 'completed', tags: ['smoke'] });
    expect(byId.get(seeded.running)).toMatchObject({ name: 'seeded crashed run', status: 'interrupted' });
    // a write goes to the database and its event is pushed to the window
    expect(ipc.updated).toMatchObject({ ok: true, result: { id: seeded.finished } });
    expect(ipc.eventsSent).toEqual([['dmm-lab:event', 'run.changed', expect.objectContaining({ id: seeded.finished })]]);
    expect(ipc.unknownMethod).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(ipc.badParams).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(ipc.foreign).toEqual({ ok: false, error: { code: 'unauthorized', message: 'request from an untrusted frame' } });
    expect(ipc.subFrame).toEqual({ ok: false, error: { code: 'unauthorized', message: 'request from an untrusted frame' } });
  });

  it('saves through the native dialog (starting in Downloads) for the app frame only', () => {
    const f = r['fileDialogs'];
    expect(f.saved).toEqual({ status: 'saved', name: 'saved.json' });
    expect(f.savedText).toBe('{"smoke":true}');
    expect(f.dialogCall).toEqual([
      'dialog.showSaveDialog',
      '[window]',
      { defaultPath: join(tmp.dir, 'home', 'downloads', 'smoke.json'), filters: [] },
    ]);
    expect(f.foreignSave).toEqual({ status: 'error', message: 'request from an untrusted frame' });
    expect(f.opened).toEqual({ status: 'canceled' });
  });

  it('keeps lab.sqlite (and its lock while running) in the data folder; quitting closes the lab, releases the lock and saves the window', () => {
    expect(r['whileRunning'].files).toEqual(expect.arrayContaining(['lab.sqlite', 'lab.sqlite.lock']));
    const q = r['quit'];
    expect(q.quitCompleted).toBe(true);
    expect(q.quitRequested).toBe(2); // the first one prevented while the lab closes, then again
    expect(q.windowsLeft).toBe(0);
    expect(q.files).toContain('lab.sqlite');
    // the lock file stays (an empty SQLite file whose lock the kernel holds for its process): free once the app is gone
    acquireLabLock(db)();
    expect(q.windowState).toMatchObject({ version: 1, maximized: false, bounds: { width: 1200, height: 800 } });
    // the update made over IPC is in the file
    const store = RunStore.open(db);
    try {
      expect(store.getRun(seeded.finished).notes).toBe('touched by the smoke test');
    } finally {
      store.close();
    }
  });

  it('a second instance (lock refused) quits at once: no window, no database', async () => {
    const second = tempDir('dmm-main-smoke-2-');
    try {
      const s = await runMain(second.dir, { FAKE_ELECTRON_NO_LOCK: '1' });
      expect(s['errors']).toEqual([]);
      expect(s['startup']).toEqual({ windows: 0, exitCode: null, quitCompleted: true });
      expect(callsOf(s, 'new BrowserWindow')).toEqual([]);
      expect(callsOf(s, 'ipcMain.handle')).toEqual([]);
      expect(s['noWindow'].files).not.toContain('lab.sqlite');
    } finally {
      second.cleanup();
    }
  });

  it('without a usable database module: an error box naming the variable, exit code 1, no window', async () => {
    const broken = tempDir('dmm-main-smoke-3-');
    try {
      const missing = join(broken.dir, 'no-such', 'better_sqlite3.node');
      const s = await runMain(broken.dir, { DMM_ELECTRON_SQLITE_BINDING: missing });
      expect(s['errors']).toEqual([]);
      expect(s['exitCode']).toBe(1);
      expect(callsOf(s, 'new BrowserWindow')).toEqual([]);
      const boxes = callsOf(s, 'dialog.showErrorBox');
      expect(boxes).toHaveLength(1);
      expect(boxes[0]![1]).toBe('DMM Lab cannot load its database module');
      expect(boxes[0]![2]).toContain(`DMM_ELECTRON_SQLITE_BINDING names ${missing}`);
    } finally {
      broken.cleanup();
    }
  });
});
