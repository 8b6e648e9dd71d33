/**
 * The Cytoscape factory of the editor canvas: dagre (layered layout) and edge handles
 * (links drawn by dragging from port to port), each registered once.
 */
import type cytoscape from 'cytoscape';
import edgehandles from 'cytoscape-edgehandles';
import { cytoscapeWithDagre } from '../components/circuit-layout';

let registered = false;

export function editorCytoscape(): typeof cytoscape {
  const c = cytoscapeWithDagre();
  if (!registered) {
    c.use(edgehandles);
    registered = true;
  }
  return c;
}
