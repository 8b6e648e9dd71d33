/**
 * The editor's keyboard shortcuts as a pure mapping from a key press to an action (the screen
 * carries the actions out). Escape always reaches the editor; in a text field everything else
 * is the field's (its own undo, copy, Delete); Ctrl/⌘ shortcuts work from any other control;
 * single-key shortcuts (F, L, /, Delete) never fire in a form control — a select, a range, a
 * checkbox take those keys themselves.
 */
import { isFormControl, isTextField, type FocusTarget } from '../lib/typing';

export type EditorShortcut =
  'escape' | 'undo' | 'redo' | 'select-all' | 'copy' | 'paste' | 'duplicate' | 'delete' | 'fit' | 'layout' | 'search';

export interface KeyPress {
  readonly key: string;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  readonly shiftKey?: boolean;
  readonly altKey?: boolean;
  readonly target?: FocusTarget | null;
}

/** What `e` does in the editor, or undefined when it is not the editor's. */
export function editorShortcut(e: KeyPress): EditorShortcut | undefined {
  if (e.key === 'Escape') return 'escape';
  if (isTextField(e.target)) return undefined;
  const mod = !!(e.ctrlKey || e.metaKey);
  const k = e.key.toLowerCase();
  if (mod) {
    if (e.altKey) return undefined;
    if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (k === 'y') return 'redo';
    if (k === 'a') return 'select-all';
    if (k === 'c') return 'copy';
    if (k === 'v') return 'paste';
    if (k === 'd') return 'duplicate';
    return undefined;
  }
  if (e.altKey || isFormControl(e.target)) return undefined;
  if (e.key === 'Delete' || e.key === 'Backspace') return 'delete';
  if (k === 'f') return 'fit';
  if (k === 'l') return 'layout';
  if (e.key === '/') return 'search';
  return undefined;
}
