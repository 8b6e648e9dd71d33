/**
 * The life of a Cytoscape core inside a component: the library loads lazily (its own chunk),
 * the core is created only if the component is still mounted by then, a failed load becomes a
 * readable message, and the returned function (onMount's cleanup) destroys the core. One
 * place for the run detail's and the diff's circuit views and the editor canvas.
 */
import type { Core } from 'cytoscape';

/** Options every circuit view shares: positions come with the elements, the same zoom range. */
export const CIRCUIT_VIEW_OPTIONS = { layout: { name: 'preset' }, minZoom: 0.05, maxZoom: 6 } as const;

export interface MountHandlers<M> {
  /** Creates the core from the loaded module; undefined when there is nothing to draw into. */
  create(module: M): Core | undefined;
  ready(core: Core, module: M): void;
  /** The message when the library cannot load. */
  failed(message: string): void;
  /** Before the core is destroyed (drop references to it). */
  unmount?(core: Core | undefined): void;
}

export function mountCore<M>(what: string, load: () => Promise<M>, h: MountHandlers<M>): () => void {
  let gone = false;
  let core: Core | undefined;
  load().then(
    (m) => {
      if (gone) return;
      core = h.create(m);
      if (core) h.ready(core, m);
    },
    (e: unknown) => h.failed(`${what} could not load: ${e instanceof Error ? e.message : String(e)}`),
  );
  return () => {
    gone = true;
    h.unmount?.(core);
    core?.destroy();
  };
}
