import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { DB_FILE_NAME } from '../lab/data-dir';
import { openLab, type Lab } from '../lab/lab';
import { registerIpcTransport } from './ipc-transport';
import { UtilityLauncher } from './utility-launcher';
import { buildWebPreferences, isNavigationAllowed } from './window-options';

// Built layout: out/main/index.js (+ run-worker.js), out/preload/index.cjs, out/renderer/index.html.
const preloadPath = join(import.meta.dirname, '../preload/index.cjs');
const rendererFile = join(import.meta.dirname, '../renderer/index.html');
const workerEntry = join(import.meta.dirname, 'run-worker.js');

// electron-vite dev sets ELECTRON_RENDERER_URL; never honour it in a packaged app.
const devUrl = process.env['ELECTRON_RENDERER_URL'];
const appUrl = !app.isPackaged && devUrl ? devUrl : pathToFileURL(rendererFile).href;

let lab: Lab | undefined;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'DMM Lab',
    show: false,
    webPreferences: buildWebPreferences({ preloadPath, appVersion: app.getVersion() }),
  });
  win.once('ready-to-show', () => win.show());
  win.webContents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url, appUrl)) event.preventDefault();
  });
  // No pop-ups / new windows at all.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadURL(appUrl);
  return win;
}

void app.whenReady().then(() => {
  // The renderer needs no permissions (camera, notifications, ...).
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  try {
    lab = openLab({ db: join(app.getPath('userData'), DB_FILE_NAME), launcher: new UtilityLauncher(workerEntry) });
  } catch (e) {
    dialog.showErrorBox('DMM Lab cannot open its database', e instanceof Error ? e.message : String(e));
    app.exit(1);
    return;
  }
  registerIpcTransport({
    ipcMain,
    handlers: lab.service.handlers,
    hub: lab.hub,
    appUrl,
    windows: () => BrowserWindow.getAllWindows().map((w) => w.webContents),
  });
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
