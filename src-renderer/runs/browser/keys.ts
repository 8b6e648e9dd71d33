/**
 * The run browser's keys as a pure function: which action a key press asks for, given what
 * the table holds, or undefined when the key is not the table's (the page then keeps its
 * default behaviour). Outside text fields, buttons, links and dialogs only.
 *
 * ↑ ↓ PageUp PageDown Home End move the focus (Shift extends the selection), Space toggles,
 * Ctrl/Cmd+A selects all, Escape clears, Enter opens, Delete (or Cmd+Backspace) deletes,
 * Ctrl/Cmd+Z undoes the latest action.
 */

export type BrowserKeyAction =
  | { readonly kind: 'move'; readonly by: number; readonly extend: boolean }
  | { readonly kind: 'focus'; readonly at: 'first' | 'last'; readonly extend: boolean }
  | { readonly kind: 'open' }
  | { readonly kind: 'clear' }
  | { readonly kind: 'toggle' }
  | { readonly kind: 'delete' }
  | { readonly kind: 'select-all' }
  | { readonly kind: 'undo' };

export interface KeyPress {
  readonly key: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
  readonly defaultPrevented: boolean;
}

export interface KeyContext {
  /** The press happened in a form control, on a button/link/summary/option, or in a dialog. */
  readonly inControl: boolean;
  /** A confirmation dialog is open: the table takes no keys. */
  readonly dialogOpen: boolean;
  /** Rows per page of the table. */
  readonly pageSize: number;
  /** A run Enter would open (the focused row, or the one selected run). */
  readonly canOpen: boolean;
  readonly hasSelection: boolean;
  readonly hasFocus: boolean;
  /** The latest action can be undone. */
  readonly canUndo: boolean;
}

export function browserKeyAction(e: KeyPress, c: KeyContext): BrowserKeyAction | undefined {
  if (e.defaultPrevented || c.dialogOpen || e.altKey || c.inControl) return undefined;
  const mod = e.ctrlKey || e.metaKey;
  const extend = e.shiftKey;
  switch (e.key) {
    case 'ArrowDown':
      return { kind: 'move', by: 1, extend };
    case 'ArrowUp':
      return { kind: 'move', by: -1, extend };
    case 'PageDown':
      return { kind: 'move', by: c.pageSize, extend };
    case 'PageUp':
      return { kind: 'move', by: -c.pageSize, extend };
    case 'Home':
      return { kind: 'focus', at: 'first', extend };
    case 'End':
      return { kind: 'focus', at: 'last', extend };
    case 'Enter':
      return c.canOpen ? { kind: 'open' } : undefined;
    case 'Escape':
      return c.hasSelection ? { kind: 'clear' } : undefined;
    case ' ':
      return c.hasFocus ? { kind: 'toggle' } : undefined;
    case 'Delete':
      return { kind: 'delete' };
    case 'Backspace':
      return e.metaKey ? { kind: 'delete' } : undefined;
    default:
      if (mod && e.key.toLowerCase() === 'a') return { kind: 'select-all' };
      if (mod && e.key.toLowerCase() === 'z' && !e.shiftKey && c.canUndo) return { kind: 'undo' };
      return undefined;
  }
}
