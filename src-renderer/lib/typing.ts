/**
 * Whether a key press belongs to the focused control rather than to the screen's shortcuts.
 * One place for the editor's shortcuts and the application menu's undo/redo (menu-dispatch.ts).
 * No DOM access: the element is read through the few properties below, so tests pass plain objects.
 */
export interface FocusTarget {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
  readOnly?: boolean;
}

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'number', 'email', 'url', 'tel', 'password']);

/**
 * A field whose text the user edits (an input of a text type, a textarea, contenteditable):
 * its own undo/redo, copy/paste, Delete and every printable key apply there.
 */
export function isTextField(el: FocusTarget | null | undefined): boolean {
  if (!el) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName?.toUpperCase();
  if (tag === 'TEXTAREA') return !el.readOnly;
  if (tag !== 'INPUT') return false;
  const type = (el.type || 'text').toLowerCase();
  return !el.readOnly && TEXT_INPUT_TYPES.has(type);
}

/**
 * A form control that takes plain keys itself: text fields, and also selects (type to pick an
 * option), ranges (arrow keys, Home/End), checkboxes and radios (Space), read-only fields and
 * every other input. A screen's single-key shortcuts (F, L, Delete, /) must not fire there;
 * its Ctrl/⌘ shortcuts may, except in a text field (see isTextField).
 */
export function isFormControl(el: FocusTarget | null | undefined): boolean {
  if (!el) return false;
  if (isTextField(el)) return true;
  const tag = el.tagName?.toUpperCase();
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}
