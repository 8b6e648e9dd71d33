/**
 * The application menu template with fake handlers: the File/Edit/View/Help structure,
 * accelerators, the commands each item sends to the renderer (undo/redo reach the renderer's
 * own stack, not webContents roles), dev tools only in development, the macOS app menu.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { isMenuCommand, MENU_COMMANDS, type MenuCommand } from '../../src-shared/api/menu-commands';
import { buildMenuTemplate } from '../../src-main/electron/menu-template';

function setup(platform: NodeJS.Platform, isDev = false) {
  const sent: MenuCommand[] = [];
  const calls: string[] = [];
  const template = buildMenuTemplate(
    { appName: 'DMM Lab', platform, isDev },
    { send: (c) => sent.push(c), openDataFolder: () => calls.push('data-folder'), showAbout: () => calls.push('about') },
  );
  const menu = (label: string): MenuItemConstructorOptions[] => {
    const m = template.find((t) => t.label === label);
    if (!m) throw new Error(`no menu ${label} in ${template.map((t) => t.label).join(', ')}`);
    return m.submenu as MenuItemConstructorOptions[];
  };
  const item = (menuLabel: string, label: string): MenuItemConstructorOptions => {
    const found = menu(menuLabel).find((i) => i.label === label);
    if (!found) throw new Error(`no item ${label} in ${menuLabel}`);
    return found;
  };
  const click = (i: MenuItemConstructorOptions) => (i.click as unknown as () => void)();
  const roles = (label: string) =>
    menu(label)
      .filter((i) => i.role)
      .map((i) => i.role);
  return { template, sent, calls, menu, item, click, roles };
}

describe('buildMenuTemplate (Linux / Windows)', () => {
  it('has File, Edit, View and Help in that order', () => {
    expect(setup('linux').template.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
    expect(setup('win32').template.map((m) => m.label)).toEqual(['&File', '&Edit', '&View', '&Help']);
  });

  it('File sends new architecture, open/import and export to the renderer, with accelerators', () => {
    const m = setup('linux');
    const expected: [string, MenuCommand, string][] = [
      ['New architecture', 'new-architecture', 'CmdOrCtrl+N'],
      ['Open / Import…', 'open-import', 'CmdOrCtrl+O'],
      ['Export…', 'export', 'CmdOrCtrl+E'],
    ];
    for (const [label, command, accelerator] of expected) {
      const i = m.item('&File', label);
      expect(i.accelerator).toBe(accelerator);
      m.click(i);
      expect(m.sent.at(-1)).toBe(command);
    }
    expect(m.roles('&File')).toEqual(['quit']);
  });

  it('Edit: undo and redo are commands for the renderer (not the webContents roles); cut/copy/paste/select-all are roles', () => {
    const m = setup('linux');
    const undo = m.item('&Edit', 'Undo');
    const redo = m.item('&Edit', 'Redo');
    expect(undo.role).toBeUndefined();
    expect(redo.role).toBeUndefined();
    expect(undo.accelerator).toBe('CmdOrCtrl+Z');
    expect(redo.accelerator).toBe('Ctrl+Shift+Z');
    m.click(undo);
    m.click(redo);
    expect(m.sent).toEqual(['undo', 'redo']);
    expect(m.roles('&Edit')).toEqual(['cut', 'copy', 'paste', 'selectAll']);
  });

  it('View has reload, zoom and full screen; the developer tools only in development', () => {
    expect(setup('linux', false).roles('&View')).toEqual(['reload', 'resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
    const dev = setup('linux', true).roles('&View');
    expect(dev).toContain('toggleDevTools');
    expect(dev).toContain('forceReload');
  });

  it('Help: getting started goes to the renderer, data folder and About run in the main process', () => {
    const m = setup('linux');
    m.click(m.item('&Help', 'Getting started'));
    expect(m.sent).toEqual(['show-welcome']);
    m.click(m.item('&Help', 'Open data folder'));
    m.click(m.item('&Help', 'About DMM Lab'));
    expect(m.calls).toEqual(['data-folder', 'about']);
  });

  it('every command the template sends is a declared menu command, and every declared command has an item', () => {
    const m = setup('linux');
    const walk = (items: MenuItemConstructorOptions[]): void => {
      for (const i of items) {
        if (Array.isArray(i.submenu)) walk(i.submenu);
        else if (i.click) m.click(i);
      }
    };
    walk(m.template);
    for (const c of m.sent) expect(isMenuCommand(c)).toBe(true);
    expect([...new Set(m.sent)].sort()).toEqual([...MENU_COMMANDS].sort());
  });
});

describe('buildMenuTemplate (macOS)', () => {
  it('puts About and Quit in the app menu and adds the Window menu', () => {
    const m = setup('darwin');
    expect(m.template.map((t) => t.label ?? t.role)).toEqual(['DMM Lab', '&File', '&Edit', '&View', 'windowMenu', '&Help']);
    const appMenu = m.menu('DMM Lab');
    expect(appMenu[0]?.label).toBe('About DMM Lab');
    expect(appMenu.map((i) => i.role).filter(Boolean)).toContain('quit');
    expect(m.roles('&File')).toEqual(['close']);
    expect(m.item('&Edit', 'Redo').accelerator).toBe('Shift+Cmd+Z');
    expect(m.menu('&Help').some((i) => i.label === 'About DMM Lab')).toBe(false);
  });
});

describe('isMenuCommand', () => {
  it('accepts only the declared commands', () => {
    for (const c of MENU_COMMANDS) expect(isMenuCommand(c)).toBe(true);
    for (const bad of ['', 'Undo', 'quit', 'new-architecture ', 42, null, undefined, { command: 'undo' }])
      expect(isMenuCommand(bad)).toBe(false);
  });
});
