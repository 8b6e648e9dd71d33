/**
 * How application-menu commands reach the screens: each command has a stack of handlers and
 * only the newest runs (a screen that mounts takes the command over, and gives it back when
 * it unmounts). Undo and redo go to the focused text field's own undo when one is being
 * edited, to the screen's undo stack otherwise. No DOM or Electron access: menu.ts passes
 * those in, and the tests pass fakes.
 */
import type { MenuCommand } from '@shared/api/menu-commands';

export interface MenuEnvironment {
  /** Whether a text field has the focus (its own undo applies then). */
  isTextEditing(): boolean;
  /** The browser's text undo/redo on the focused field. */
  textCommand(command: 'undo' | 'redo'): void;
}

export class MenuDispatcher {
  private readonly stacks = new Map<MenuCommand, (() => void)[]>();

  constructor(private readonly env: MenuEnvironment) {}

  /** Registers `handler` on top of `command`'s stack; returns its removal. */
  on(command: MenuCommand, handler: () => void): () => void {
    const stack = this.stacks.get(command) ?? [];
    this.stacks.set(command, stack);
    stack.push(handler);
    return () => {
      const i = stack.lastIndexOf(handler);
      if (i >= 0) stack.splice(i, 1);
    };
  }

  /** Runs the newest handler of `command`; returns whether anything handled it. */
  dispatch(command: MenuCommand): boolean {
    if ((command === 'undo' || command === 'redo') && this.env.isTextEditing()) {
      this.env.textCommand(command);
      return true;
    }
    const handler = this.stacks.get(command)?.at(-1);
    if (!handler) return false;
    handler();
    return true;
  }
}

/** Whether `el` is a field whose text the user edits (one definition for the menu and the screens' shortcuts). */
export { isTextField } from './typing';
