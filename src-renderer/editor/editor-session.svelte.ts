/**
 * The editor's session: the open document with its undo history and everything that says
 * where it came from (library entry, description, the route request it answered). One per
 * window, at module level, so leaving #/editor for another screen and coming back shows the
 * same document with the same undo history; the screen (Editor.svelte) is only its view.
 * Reload and window close are guarded by `beforeunload` while there is unsaved work.
 */
import { EMPTY_DOCUMENT, type EditorDocument } from '@shared/editor/document';
import type { EditorGenerator } from '../lib/router.svelte';
import { DEFAULT_EVALUATION_PROBLEM, EditorState } from './editor-state.svelte';

export const DISCARD_QUESTION = 'Discard the unsaved changes to this architecture?';

/** What a visit to #/editor (with its ?id= / ?generate=) asks the session to do. */
export type RouteAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'load'; readonly id: number }
  | { readonly kind: 'generate'; readonly generator: EditorGenerator };

export class EditorSession {
  readonly editor: EditorState;
  /** The library entry the document was loaded from or saved as, and the document then. */
  savedId = $state<number | null>(null);
  savedDoc = $state.raw<EditorDocument | null>(null);
  description = $state('');
  /** The library entry picked in the Load list. */
  chosen = $state<number | ''>('');
  /**
   * The route request the open document answers (#/editor?id=N, #/editor?generate=KIND): coming
   * back to the same route shows the document as it is now instead of opening it again.
   * Cleared when something else replaces the document.
   */
  routeId: number | undefined = undefined;
  routeGenerator: EditorGenerator | undefined = undefined;

  constructor(editor: EditorState = new EditorState()) {
    this.editor = editor;
  }

  /** The document differs from the library entry it came from (or was never saved). */
  get dirty(): boolean {
    return this.savedDoc !== this.editor.doc;
  }

  /** Work that replacing the document would lose: changed since it was saved, and not empty. */
  get unsaved(): boolean {
    return this.dirty && this.editor.doc.neurons.length > 0;
  }

  /** Whether the document may be replaced: nothing unsaved, or the person agrees to drop it. */
  confirmDiscard(confirm: (question: string) => boolean): boolean {
    return !this.unsaved || confirm(DISCARD_QUESTION);
  }

  /** An empty, unsaved document with a fresh undo history and nothing left of the previous one. */
  reset(): void {
    const e = this.editor;
    e.open(EMPTY_DOCUMENT);
    e.name = '';
    e.savedVersion = null;
    e.threshold = 0;
    e.evaluationProblem = DEFAULT_EVALUATION_PROBLEM;
    e.message = null;
    e.error = null;
    this.savedId = null;
    this.savedDoc = null;
    this.description = '';
    this.chosen = '';
    this.forgetRoute();
  }

  /** The document now is library entry `id` as saved (after loading or saving it). */
  markSaved(id: number): void {
    this.savedId = id;
    this.savedDoc = this.editor.doc;
    this.chosen = id;
  }

  forgetRoute(): void {
    this.routeId = undefined;
    this.routeGenerator = undefined;
  }

  /**
   * What the route (#/editor, ?id=N, ?generate=KIND) asks for, given what the session already
   * answered: nothing for plain #/editor, for the request the open document came from (coming
   * back to the screen, or Back in history) or when entry N is the one open; else open entry
   * N or generate a new document. Records the request as answered (a declined one too: it is
   * not asked again).
   */
  routeAction(id: number | undefined, generator: EditorGenerator | undefined): RouteAction {
    if (id !== undefined) {
      // (the entry open now, changed or not, is shown as it is: it is that entry)
      const open = id === this.routeId || id === this.savedId;
      this.routeId = id;
      return open ? { kind: 'none' } : { kind: 'load', id };
    }
    if (generator === undefined || generator === this.routeGenerator) return { kind: 'none' };
    this.routeGenerator = generator;
    return { kind: 'generate', generator };
  }

  /**
   * Answers a route: asks before replacing unsaved work, then `load`s the entry (async, by the
   * screen) or generates a new document into a reset session. Returns what was done.
   */
  openRoute(
    id: number | undefined,
    generator: EditorGenerator | undefined,
    io: { confirm(question: string): boolean; load(id: number): void; generate(kind: EditorGenerator): void },
  ): RouteAction['kind'] | 'declined' {
    const action = this.routeAction(id, generator);
    if (action.kind === 'none') return 'none';
    if (!this.confirmDiscard(io.confirm)) {
      this.editor.message =
        action.kind === 'load'
          ? `kept the unsaved document (library entry ${action.id} not opened)`
          : 'kept the unsaved document (nothing generated)';
      return 'declined';
    }
    if (action.kind === 'load') {
      this.routeGenerator = undefined;
      io.load(action.id);
    } else {
      this.reset();
      this.routeGenerator = action.generator;
      io.generate(action.generator);
    }
    return action.kind;
  }

  /** A `beforeunload` listener: asks before a reload or a window close drops unsaved work. */
  readonly onBeforeUnload = (e: { preventDefault(): void; returnValue: unknown }): void => {
    if (!this.unsaved) return;
    e.preventDefault();
    // (older engines show the prompt only when returnValue is set)
    e.returnValue = '';
  };
}

/** The window's editor session (survives route changes; not reloads). */
export const editorSession = new EditorSession();

let guarded = false;

/** Installs the session's unload guard on the window, once. */
export function guardUnload(
  target: Pick<Window, 'addEventListener'> | undefined = typeof window === 'undefined' ? undefined : window,
): void {
  if (guarded || !target) return;
  guarded = true;
  target.addEventListener('beforeunload', editorSession.onBeforeUnload);
}
