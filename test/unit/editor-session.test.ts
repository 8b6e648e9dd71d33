/**
 * The editor's session (survives leaving the screen): unsaved work is asked about before
 * anything replaces it, New starts from nothing (no old description, library pick or
 * evaluation), route requests are answered once, reload/close is guarded while work is
 * unsaved; the busy Evaluate; the editor's keyboard shortcuts and the one "is the user
 * typing" helper shared with the application menu.
 */
import { describe, expect, it } from 'vitest';
import { builtinProblem } from '@shared/problems/builtin';
import { generateHandcrafted } from '@shared/editor/generators';
import { DISCARD_QUESTION, EditorSession } from '../../src-renderer/editor/editor-session.svelte';
import { EditorState } from '../../src-renderer/editor/editor-state.svelte';
import { editorShortcut, type KeyPress } from '../../src-renderer/editor/shortcuts';
import { isTextField as menuIsTextField } from '../../src-renderer/lib/menu-dispatch';
import { isFormControl, isTextField } from '../../src-renderer/lib/typing';

/** The problem Evaluate judges against in these tests (the editor reads it through the API). */
const DUPLICATES = builtinProblem('duplicates')!;

function asker(answer: boolean) {
  const asked: string[] = [];
  return { asked, confirm: (q: string) => (asked.push(q), answer) };
}

/** A session with the hand-crafted detector generated (unsaved, non-empty). */
function withWork(): EditorSession {
  const s = new EditorSession();
  s.editor.generate('handcrafted');
  return s;
}

describe('EditorSession: unsaved work', () => {
  it('an empty or saved document is replaced without asking; unsaved work only when the person agrees', () => {
    const s = new EditorSession();
    const no = asker(false);
    expect(s.unsaved).toBe(false); // empty
    expect(s.confirmDiscard(no.confirm)).toBe(true);
    expect(no.asked).toEqual([]);

    s.editor.generate('handcrafted');
    expect(s.dirty).toBe(true);
    expect(s.unsaved).toBe(true);
    expect(s.confirmDiscard(no.confirm)).toBe(false);
    expect(no.asked).toEqual([DISCARD_QUESTION]);
    const yes = asker(true);
    expect(s.confirmDiscard(yes.confirm)).toBe(true);
    expect(yes.asked).toEqual([DISCARD_QUESTION]);

    s.markSaved(7);
    expect(s.dirty).toBe(false);
    expect(s.chosen).toBe(7);
    const again = asker(false);
    expect(s.confirmDiscard(again.confirm)).toBe(true);
    expect(again.asked).toEqual([]);
    // an edit after saving is unsaved work again; undoing it is not
    s.editor.addNeuron('accum');
    expect(s.unsaved).toBe(true);
    s.editor.undo();
    expect(s.unsaved).toBe(false);
  });

  it('beforeunload asks (preventDefault + returnValue) only while there is unsaved work', () => {
    const s = new EditorSession();
    const event = () => {
      const e = { prevented: false, returnValue: undefined as unknown, preventDefault: () => (e.prevented = true) };
      return e;
    };
    const empty = event();
    s.onBeforeUnload(empty);
    expect(empty.prevented).toBe(false);
    expect(empty.returnValue).toBeUndefined();

    s.editor.generate('handcrafted');
    const dirty = event();
    s.onBeforeUnload(dirty);
    expect(dirty.prevented).toBe(true);
    expect(dirty.returnValue).toBe('');

    s.markSaved(3);
    const saved = event();
    s.onBeforeUnload(saved);
    expect(saved.prevented).toBe(false);
  });
});

describe('EditorSession.reset (New)', () => {
  it('drops the document, its history, name, version, description, library pick, evaluation, threshold and route marks', () => {
    const s = withWork();
    s.editor.name = 'detector';
    s.editor.savedVersion = 3;
    s.description = 'old description';
    s.markSaved(12);
    s.editor.threshold = 0.5;
    s.editor.evaluationProblem = 'last-three';
    s.editor.evaluate(DUPLICATES);
    expect(s.editor.evaluation).not.toBeNull();
    s.routeAction(12, undefined);
    expect(s.routeId).toBe(12);

    s.reset();
    const e = s.editor;
    expect(e.doc.neurons).toEqual([]);
    expect(e.canUndo).toBe(false);
    expect(e.name).toBe('');
    expect(e.savedVersion).toBeNull();
    expect(s.description).toBe('');
    expect(s.chosen).toBe('');
    expect(s.savedId).toBeNull();
    expect(e.evaluation).toBeNull();
    expect(e.evaluatedDoc).toBeNull();
    expect(e.evaluationError).toBeNull();
    expect(e.threshold).toBe(0);
    expect(e.evaluationProblem).toBe('duplicates');
    expect(s.routeId).toBeUndefined();
    expect(s.unsaved).toBe(false);
  });

  it('opening another document (a library entry) forgets the previous evaluation', () => {
    const e = new EditorState();
    e.generate('handcrafted');
    e.evaluate(DUPLICATES);
    expect(e.evaluation?.total).toBe(0);
    e.open(generateHandcrafted());
    expect(e.evaluation).toBeNull();
    expect(e.evaluatedDoc).toBeNull();
  });
});

describe('EditorSession.routeAction', () => {
  it('#/editor?id=N opens entry N once; coming back to the same route keeps the document', () => {
    const s = new EditorSession();
    expect(s.routeAction(5, undefined)).toEqual({ kind: 'load', id: 5 });
    expect(s.routeAction(5, undefined)).toEqual({ kind: 'none' });
    expect(s.routeAction(6, undefined)).toEqual({ kind: 'load', id: 6 });
  });

  it('#/editor?id=N for the entry already open (loaded or saved as N) keeps the document and its edits', () => {
    const s = withWork();
    s.markSaved(9);
    s.editor.addNeuron('accum');
    expect(s.routeAction(9, undefined)).toEqual({ kind: 'none' });
    expect(s.routeAction(9, undefined)).toEqual({ kind: 'none' });
    expect(s.routeAction(10, undefined)).toEqual({ kind: 'load', id: 10 });
  });

  it('#/editor?generate=KIND generates once; plain #/editor (the header link) and coming back do nothing', () => {
    const s = new EditorSession();
    expect(s.routeAction(undefined, 'handcrafted')).toEqual({ kind: 'generate', generator: 'handcrafted' });
    expect(s.routeAction(undefined, undefined)).toEqual({ kind: 'none' });
    // Back in history to the same route: the session's document as it is
    expect(s.routeAction(undefined, 'handcrafted')).toEqual({ kind: 'none' });
    expect(s.routeAction(undefined, 'layered')).toEqual({ kind: 'generate', generator: 'layered' });
  });

  it('after the document was replaced by something else (Load, New), the route is answered again', () => {
    const s = new EditorSession();
    expect(s.routeAction(5, undefined).kind).toBe('load');
    s.forgetRoute(); // the Load button opened another entry
    expect(s.routeAction(5, undefined)).toEqual({ kind: 'load', id: 5 });
    s.reset();
    expect(s.routeAction(5, undefined)).toEqual({ kind: 'load', id: 5 });
  });
});

describe('EditorSession.openRoute', () => {
  function io(answer: boolean) {
    const done: string[] = [];
    const a = asker(answer);
    return {
      done,
      asked: a.asked,
      io: { confirm: a.confirm, load: (id: number) => done.push(`load ${id}`), generate: (k: string) => done.push(`generate ${k}`) },
    };
  }

  it('asks before a route replaces unsaved work; declined, the document stays and it is not asked again', () => {
    const s = withWork();
    const doc = s.editor.doc;
    const no = io(false);
    expect(s.openRoute(4, undefined, no.io)).toBe('declined');
    expect(no.asked).toEqual([DISCARD_QUESTION]);
    expect(no.done).toEqual([]);
    expect(s.editor.doc).toBe(doc);
    expect(s.editor.message).toMatch(/kept the unsaved document \(library entry 4 not opened\)/);
    expect(s.openRoute(4, undefined, no.io)).toBe('none');
    expect(no.asked.length).toBe(1);

    const yes = io(true);
    expect(s.openRoute(undefined, 'layered', yes.io)).toBe('generate');
    expect(yes.asked).toEqual([DISCARD_QUESTION]);
    expect(yes.done).toEqual(['generate layered']);
    // generated into a reset session: a fresh history, nothing of the previous document
    expect(s.editor.doc.neurons).toEqual([]);
    expect(s.editor.canUndo).toBe(false);
    expect(s.routeGenerator).toBe('layered');
  });

  it('an empty or saved document is replaced without a question', () => {
    const s = new EditorSession();
    const x = io(false);
    expect(s.openRoute(3, undefined, x.io)).toBe('load');
    expect(x.done).toEqual(['load 3']);
    s.editor.generate('handcrafted');
    s.markSaved(3);
    expect(s.openRoute(undefined, 'handcrafted', x.io)).toBe('generate');
    expect(x.asked).toEqual([]);
    expect(x.done).toEqual(['load 3', 'generate handcrafted']);
    expect(s.routeId).toBeUndefined(); // the entry is no longer what is open
  });
});

describe('EditorState.evaluateSoon', () => {
  it('is busy from the click until the work is done, evaluates after the frame, one at a time', async () => {
    const e = new EditorState();
    e.generate('handcrafted');
    let release: () => void = () => undefined;
    const frame = new Promise<void>((r) => (release = r));
    const stored = () => Promise.resolve(DUPLICATES);
    const p = e.evaluateSoon(stored, () => frame);
    expect(e.evaluating).toBe(true);
    expect(e.evaluation).toBeNull(); // nothing ran before the frame
    const second = e.evaluateSoon(stored, () => Promise.resolve());
    await expect(second).resolves.toBeNull(); // refused while busy: the previous (none)
    release();
    const r = await p;
    expect(r?.total).toBe(0);
    expect(e.evaluation).toBe(r);
    expect(e.evaluating).toBe(false);
  });

  it('is not left busy when the evaluation fails', async () => {
    const e = new EditorState();
    e.run({ kind: 'addNeuron', neuron: { name: 'x', type: 'no-such-type', position: { x: 0, y: 0 } } });
    await e.evaluateSoon(
      () => Promise.resolve(DUPLICATES),
      () => Promise.resolve(),
    );
    expect(e.evaluating).toBe(false);
    expect(e.evaluationError).toMatch(/cannot evaluate/);
  });

  it('a problem that cannot be fetched is reported as the reason, and the button is free again', async () => {
    const e = new EditorState();
    e.generate('handcrafted');
    await e.evaluateSoon(
      () => Promise.reject(new Error('no problem named "gone"')),
      () => Promise.resolve(),
    );
    expect(e.evaluating).toBe(false);
    expect(e.evaluation).toBeNull();
    expect(e.evaluationError).toBe('cannot evaluate: no problem named "gone"');
  });
});

describe('typing helpers', () => {
  const input = (type: string, extra: object = {}) => ({ tagName: 'INPUT', type, ...extra });
  it('isTextField: text inputs, textareas, contenteditable; the menu uses the same function', () => {
    expect(menuIsTextField).toBe(isTextField);
    for (const t of ['text', 'search', 'number', 'email', 'url', 'tel', 'password', '']) expect(isTextField(input(t))).toBe(true);
    expect(isTextField({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextField({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    for (const t of ['checkbox', 'radio', 'range', 'file', 'color']) expect(isTextField(input(t))).toBe(false);
    expect(isTextField({ tagName: 'SELECT' })).toBe(false);
    expect(isTextField(input('text', { readOnly: true }))).toBe(false);
  });

  it('isFormControl: every text field, plus selects, ranges, checkboxes and read-only fields; not buttons or the canvas', () => {
    for (const t of ['text', 'checkbox', 'radio', 'range', 'number']) expect(isFormControl(input(t))).toBe(true);
    expect(isFormControl({ tagName: 'SELECT' })).toBe(true);
    expect(isFormControl({ tagName: 'TEXTAREA', readOnly: true })).toBe(true);
    expect(isFormControl(input('text', { readOnly: true }))).toBe(true);
    expect(isFormControl({ tagName: 'BUTTON' })).toBe(false);
    expect(isFormControl({ tagName: 'DIV' })).toBe(false);
    expect(isFormControl(null)).toBe(false);
  });
});

describe('editorShortcut', () => {
  const key = (k: string, extra: Partial<KeyPress> = {}): KeyPress => ({ key: k, target: { tagName: 'BODY' }, ...extra });
  const on = (tagName: string, type?: string) => ({ tagName, type });

  it('maps keys on the page (or a focused button) to the editor actions', () => {
    expect(editorShortcut(key('z', { ctrlKey: true }))).toBe('undo');
    expect(editorShortcut(key('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(editorShortcut(key('y', { metaKey: true }))).toBe('redo');
    expect(editorShortcut(key('a', { ctrlKey: true }))).toBe('select-all');
    expect(editorShortcut(key('c', { ctrlKey: true }))).toBe('copy');
    expect(editorShortcut(key('v', { ctrlKey: true }))).toBe('paste');
    expect(editorShortcut(key('d', { ctrlKey: true }))).toBe('duplicate');
    expect(editorShortcut(key('Delete'))).toBe('delete');
    expect(editorShortcut(key('Backspace'))).toBe('delete');
    expect(editorShortcut(key('f'))).toBe('fit');
    expect(editorShortcut(key('L'))).toBe('layout');
    expect(editorShortcut(key('/'))).toBe('search');
    expect(editorShortcut(key('f', { target: on('BUTTON') }))).toBe('fit');
    expect(editorShortcut(key('x'))).toBeUndefined();
    expect(editorShortcut(key('s', { ctrlKey: true }))).toBeUndefined();
    expect(editorShortcut(key('f', { altKey: true }))).toBeUndefined(); // Alt+F opens the File menu
  });

  it('single-key shortcuts never fire in a select, a range or a checkbox; Ctrl shortcuts do', () => {
    for (const target of [on('SELECT'), on('INPUT', 'range'), on('INPUT', 'checkbox')]) {
      for (const k of ['f', 'l', 'Delete', 'Backspace', '/']) expect(editorShortcut(key(k, { target }))).toBeUndefined();
      expect(editorShortcut(key('z', { ctrlKey: true, target }))).toBe('undo');
      expect(editorShortcut(key('Escape', { target }))).toBe('escape');
    }
  });

  it('in a text field only Escape is the editor’s (the field keeps its own undo, copy and Delete)', () => {
    for (const target of [on('INPUT', 'text'), on('INPUT', 'number'), on('TEXTAREA')]) {
      for (const k of ['f', 'Delete', '/']) expect(editorShortcut(key(k, { target }))).toBeUndefined();
      for (const k of ['z', 'c', 'v', 'a']) expect(editorShortcut(key(k, { ctrlKey: true, target }))).toBeUndefined();
      expect(editorShortcut(key('Escape', { target }))).toBe('escape');
    }
  });
});
