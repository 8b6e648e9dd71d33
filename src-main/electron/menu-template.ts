/**
 * The application menu as a pure template (Electron's MenuItemConstructorOptions), built from
 * plain handlers so it is tested under Node: main.ts passes real ones and calls
 * Menu.buildFromTemplate. Commands the renderer owns (undo/redo of its own undo stack,
 * new/open/export) go out through `send`; window and app actions are Electron roles or
 * main-process actions.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../src-shared/api/menu-commands';

export interface MenuActions {
  /** Sends a command to the focused window's renderer. */
  send(command: MenuCommand): void;
  /** Opens the folder with the lab's database in the file manager. */
  openDataFolder(): void;
  /** Shows the About box (name, version, Electron/Chromium/Node versions). */
  showAbout(): void;
}

export interface MenuOptions {
  readonly appName: string;
  readonly platform: NodeJS.Platform;
  /** Development build: adds the developer tools. */
  readonly isDev: boolean;
}

export function buildMenuTemplate(opts: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const command = (label: string, cmd: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    id: cmd,
    ...(accelerator ? { accelerator } : {}),
    click: () => actions.send(cmd),
  });
  const about: MenuItemConstructorOptions = { label: `About ${opts.appName}`, id: 'about', click: () => actions.showAbout() };

  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: opts.appName,
          submenu: [
            about,
            { type: 'separator' },
            { role: 'services' },
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            { role: 'quit' },
          ],
        },
      ]
    : [];

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      command('New architecture', 'new-architecture', 'CmdOrCtrl+N'),
      command('Open / Import…', 'open-import', 'CmdOrCtrl+O'),
      command('Export…', 'export', 'CmdOrCtrl+E'),
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      command('Undo', 'undo', 'CmdOrCtrl+Z'),
      command('Redo', 'redo', mac ? 'Shift+Cmd+Z' : 'Ctrl+Shift+Z'),
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'reload' },
      ...(opts.isDev ? ([{ role: 'forceReload' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[]) : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const windowMenu: MenuItemConstructorOptions[] = mac ? [{ role: 'windowMenu' }] : [];

  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [
      command('Getting started', 'show-welcome'),
      { label: 'Open data folder', id: 'open-data-folder', click: () => actions.openDataFolder() },
      ...(mac ? [] : ([{ type: 'separator' }, about] as MenuItemConstructorOptions[])),
    ],
  };

  return [...appMenu, file, edit, view, ...windowMenu, help];
}
