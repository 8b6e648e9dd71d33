/**
 * Menu commands in the renderer (MenuDispatcher): the newest handler of a command runs, a
 * removed one gives the command back, undo/redo go to a focused text field's own undo.
 */
import { describe, expect, it } from 'vitest';
import { isTextField, MenuDispatcher } from '../../src-renderer/lib/menu-dispatch';

function setup(textEditing = false) {
  const text: string[] = [];
  const env = { editing: textEditing };
  const d = new MenuDispatcher({ isTextEditing: () => env.editing, textCommand: (c) => text.push(c) });
  return { d, text, env };
}

describe('MenuDispatcher', () => {
  it('runs the newest handler; removing it gives the command back to the one below', () => {
    const { d } = setup();
    const ran: string[] = [];
    d.on('new-architecture', () => ran.push('default'));
    const off = d.on('new-architecture', () => ran.push('editor'));
    expect(d.dispatch('new-architecture')).toBe(true);
    off();
    d.dispatch('new-architecture');
    off(); // twice is harmless
    d.dispatch('new-architecture');
    expect(ran).toEqual(['editor', 'default', 'default']);
  });

  it('reports unhandled commands', () => {
    expect(setup().d.dispatch('export')).toBe(false);
  });

  it("undo/redo reach the screen's undo stack, or the focused text field's", () => {
    const { d, text, env } = setup();
    const ran: string[] = [];
    d.on('undo', () => ran.push('undo'));
    d.on('redo', () => ran.push('redo'));
    d.dispatch('undo');
    d.dispatch('redo');
    env.editing = true;
    d.dispatch('undo');
    d.dispatch('redo');
    expect(ran).toEqual(['undo', 'redo']);
    expect(text).toEqual(['undo', 'redo']);
  });
});

describe('isTextField', () => {
  it('text inputs, textareas and contenteditable, not buttons, checkboxes or read-only fields', () => {
    expect(isTextField({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isTextField({ tagName: 'input', type: 'number' })).toBe(true);
    expect(isTextField({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextField({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTextField({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTextField({ tagName: 'INPUT', type: 'text', readOnly: true })).toBe(false);
    expect(isTextField({ tagName: 'BUTTON' })).toBe(false);
    expect(isTextField(null)).toBe(false);
  });
});
