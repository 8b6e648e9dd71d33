/**
 * What the editor canvas exposes on `window` for end-to-end tests, which drive it with the
 * mouse: where ports and neurons are on the screen (client coordinates). Only in a page the
 * end-to-end helper (test/helpers/browser.ts) marked with `window.__DMM_E2E__ = true` before
 * the app loaded: the app itself never exposes its canvases.
 */
import type { Core } from 'cytoscape';
import type { Position } from '@shared/editor/document';
import type { PortDirection } from './elements';

export interface EditorCanvasHook {
  readonly core: Core;
  port(name: string, dir: PortDirection, port: string): Position | undefined;
  neuron(name: string): Position | undefined;
  edges(): number;
}

declare global {
  interface Window {
    __dmmEditorCanvas?: EditorCanvasHook;
    /** Set by the end-to-end tests' init script: test hooks may be exposed. */
    __DMM_E2E__?: boolean;
  }
}

/** Whether this page runs under the end-to-end tests (the only case test hooks are exposed). */
export function testHooksEnabled(): boolean {
  return typeof window !== 'undefined' && window.__DMM_E2E__ === true;
}
