import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, session } from 'electron';
import { buildWebPreferences, isNavigationAllowed } from './window-options';

// Built layout: out/main/index.js, out/preload/index.cjs, out/renderer/index.html.
const preloadPath = join(import.meta.dirname, '../preload/index.cjs');
const rendererFile = join(import.meta.dirname, '../renderer/index.html');

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'DMM Lab',
    show: false,
    webPreferences: buildWebPreferences({ preloadPath, appVersion: app.getVersion() }),
  });
  win.once('ready-to-show', () => win.show());

  // electron-vite dev sets ELECTRON_RENDERER_URL; never honour it in a packaged app.
  const devUrl = process.env['ELECTRON_RENDERER_URL'];
  const appUrl = !app.isPackaged && devUrl ? devUrl : pathToFileURL(rendererFile).href;

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
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
