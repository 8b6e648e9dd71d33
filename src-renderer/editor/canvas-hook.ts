/**
 * What the editor canvas exposes on `window` for end-to-end tests, which drive it with the
 * mouse: where ports and neurons are on the screen (client coordinates).
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
  }
}
