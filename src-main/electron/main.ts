import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, shell } from 'electron';
import { APP_NAME, DB_FILE_NAME } from '../lab/data-dir';
import { openLab, type Lab } from '../lab/lab';
import { registerFileDialogs } from './file-dialogs';
import { registerIpcTransport } from './ipc-transport';
import { MENU_CHANNEL } from '../../src-shared/api/menu-commands';
import { buildMenuTemplate } from './menu-template';
import { resolveNativeBinding } from './native-binding';
import { denyAllPermissions, hardenWebContents } from './security';
import { UtilityLauncher } from './utility-launcher';
import { MIN_SIZE, loadWindowState, saveWindowState } from './window-state';
import { buildWebPreferences } from './window-options';

// Built layout: out/main/index.js (+ run-worker.js), out/preload/index.cjs, out/renderer/index.html.
const preloadPath = join(import.meta.dirname, '../preload/index.cjs');
const rendererFile = join(import.meta.dirname, '../renderer/index.html');
const workerEntry = join(import.meta.dirname, 'run-worker.js');

// electron-vite dev sets ELECTRON_RENDERER_URL; never honour it in a packaged app.
const devUrl = process.env['ELECTRON_RENDERER_URL'];
const isDev = !app.isPackaged;
const appUrl = isDev && devUrl ? devUrl : pathToFileURL(rendererFile).href;

app.setName(APP_NAME);
// the same override as the CLI and the browser host (data-dir.ts): one folder for the database and the window state
if (process.env['DMM_LAB_DATA_DIR']) app.setPath('userData', process.env['DMM_LAB_DATA_DIR']);
let lab: Lab | undefined;

/** Opens an https link in the system browser (security.ts decides which links may leave). */
function openExternal(url: string): void {
  shell.openExternal(url).catch(() => undefined);
}

// One instance per data folder: a second one would mark the first one's running runs
// interrupted (Supervisor.recover) and could launch the same queued run twice.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
}

function createWindow(): BrowserWindow {
  const stateDir = app.getPath('userData');
  // the primary display first (clampToDisplays falls back to it); getAllDisplays has no guaranteed order
  const primary = screen.getPrimaryDisplay();
  const state = loadWindowState(stateDir, [
    primary.workArea,
    ...screen
      .getAllDisplays()
      .filter((d) => d.id !== primary.id)
      .map((d) => d.workArea),
  ]);
  const win = new BrowserWindow({
    ...state.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: APP_NAME,
    icon: join(import.meta.dirname, '../../resources/icon.png'),
    show: false,
    webPreferences: buildWebPreferences({ preloadPath, appVersion: app.getVersion() }),
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  // the renderer's beforeunload (the editor's unsaved work): Electron shows no prompt of its own
  // and would just keep the window open, so ask here; preventDefault lets the unload go ahead
  win.webContents.on('will-prevent-unload', (e) => {
    const leave = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Discard changes', 'Keep editing'],
      defaultId: 1,
      cancelId: 1,
      title: APP_NAME,
      message: 'Discard the unsaved changes to this architecture?',
      detail: 'The editor has changes that are not saved in the library.',
    });
    if (leave === 0) e.preventDefault();
  });
  // (hardened by the web-contents-created handler as well; hardenWebContents is idempotent)
  hardenWebContents(win.webContents, { appUrl, openExternal });
  win.on('close', () => {
    try {
      mkdirSync(stateDir, { recursive: true });
      saveWindowState(stateDir, { bounds: win.getNormalBounds(), maximized: win.isMaximized() });
    } catch {
      // remembering the window is a convenience: never block closing
    }
  });
  void win.loadURL(appUrl);
  return win;
}

function installMenu(): void {
  const template = buildMenuTemplate(
    { appName: APP_NAME, platform: process.platform, isDev },
    {
      // the focused window, else the app's window (a minimised or hidden window still gets the command)
      send: (command) => (BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0])?.webContents.send(MENU_CHANNEL, command),
      openDataFolder: () => void shell.openPath(app.getPath('userData')),
      showAbout: () =>
        void dialog.showMessageBox({
          type: 'info',
          title: `About ${APP_NAME}`,
          message: `${APP_NAME} ${app.getVersion()}`,
          detail: `Synthesize and inspect dataflow matrix machines.\n\nElectron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}\nData: ${app.getPath('userData')}`,
        }),
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

void app.whenReady().then(() => {
  if (!app.hasSingleInstanceLock()) return;
  denyAllPermissions(session.defaultSession);
  // no <webview>, pop-up or navigation in any web contents, not only the main window's
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents, { appUrl, openExternal }));
  const binding = resolveNativeBinding({
    isPackaged: app.isPackaged,
    appPath: app.getAppPath(),
    resourcesPath: process.resourcesPath,
    electronVersion: process.versions.electron,
    platform: process.platform,
    arch: process.arch,
    env: process.env,
    exists: existsSync,
  });
  if (!binding.ok) {
    dialog.showErrorBox('DMM Lab cannot load its database module', binding.message);
    app.exit(1);
    return;
  }
  try {
    lab = openLab({
      db: join(app.getPath('userData'), DB_FILE_NAME),
      launcher: new UtilityLauncher(workerEntry),
      nativeBinding: binding.path,
    });
  } catch (e) {
    dialog.showErrorBox('DMM Lab cannot open its database', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return;
  }
  registerIpcTransport({
    ipcMain,
    handlers: lab.service.handlers,
    ...(lab.reader ? { reader: lab.reader } : {}),
    hub: lab.hub,
    appUrl,
    windows: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
  });
  registerFileDialogs({
    ipcMain,
    appUrl,
    defaultDir: () => app.getPath('downloads'),
    dialogs: {
      showSave: async (event, opts) => {
        const win = BrowserWindow.fromWebContents(event.sender);
        const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
        return r.canceled ? undefined : r.filePath;
      },
      showOpen: async (event, opts) => {
        const win = BrowserWindow.fromWebContents(event.sender);
        const o = { ...opts, properties: ['openFile' as const] };
        const r = win ? await dialog.showOpenDialog(win, o) : await dialog.showOpenDialog(o);
        return r.canceled ? undefined : r.filePaths[0];
      },
    },
  });
  installMenu();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

let quitting = false;
app.on('before-quit', (event) => {
  if (!lab || quitting) return;
  // running runs end as interrupted, with everything they reported stored
  event.preventDefault();
  quitting = true;
  void lab.close().finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
