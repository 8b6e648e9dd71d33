/**
 * The commands the application menu sends to the renderer: one typed list shared by the
 * main process (menu-template.ts), the preload (which passes on only these) and the
 * renderer (src-renderer/lib/menu.ts). No Electron or Node import: the preload bundles it.
 */
export const MENU_COMMANDS = [
  /** File → New architecture: an empty architecture in the editor. */
  'new-architecture',
  /** File → Open / Import…: the current screen's import (runs, a matrix, an architecture). */
  'open-import',
  /** File → Export…: the current screen's export. */
  'export',
  /** Edit → Undo / Redo: the renderer's own undo stack (not the text field's, unless one is focused). */
  'undo',
  'redo',
  /** Help → Getting started: the first-run screen. */
  'show-welcome',
] as const;

export type MenuCommand = (typeof MENU_COMMANDS)[number];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (MENU_COMMANDS as readonly string[]).includes(value);
}

/** IPC channel of menu commands (main → renderer). */
export const MENU_CHANNEL = 'dmm-lab:menu';
