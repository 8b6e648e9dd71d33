/**
 * Cytoscape with the dagre layered layout, registered once, and the layout of a circuit
 * computed off screen (a headless core): positions by neuron name, left to right from the
 * inputs to the output, for a view to place its nodes with a preset layout.
 */
import cytoscape, { type ElementDefinition } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { layoutSkeleton, NODE_SIZE, type Pair } from '../runs/detail/circuit';

let registered = false;

/** The cytoscape factory with the dagre extension registered. */
export function cytoscapeWithDagre(): typeof cytoscape {
  if (!registered) {
    cytoscape.use(dagre);
    registered = true;
  }
  return cytoscape;
}

/**
 * dagre positions (left to right) of the nodes of `elements`, laid out on the skeleton of
 * their edges (see layoutSkeleton: the dense machine would take seconds otherwise).
 */
export function layoutPositions(elements: readonly ElementDefinition[]): Map<string, { x: number; y: number }> {
  const cy = cytoscapeWithDagre()({
    headless: true,
    styleEnabled: true,
    style: [{ selector: 'node', style: { width: NODE_SIZE, height: NODE_SIZE } }],
  });
  const ids = new Set<string>();
  for (const e of elements) if (e.group === 'nodes') ids.add(String(e.data.id));
  const pairs: Pair[] = [];
  for (const e of elements) {
    if (e.group !== 'edges') continue;
    const source = String(e.data.source);
    const target = String(e.data.target);
    if (ids.has(source) && ids.has(target)) pairs.push({ source, target });
  }
  cy.add([
    ...[...ids].map((id) => ({ group: 'nodes' as const, data: { id } })),
    ...layoutSkeleton(pairs).map((p, i) => ({ group: 'edges' as const, data: { id: `e${i}`, source: p.source, target: p.target } })),
  ]);
  cy.layout({ name: 'dagre', rankDir: 'LR', ranker: 'longest-path', nodeSep: 24, rankSep: 110, edgeSep: 4, animate: false, fit: false } as cytoscape.LayoutOptions).run();
  const out = new Map<string, { x: number; y: number }>();
  cy.nodes().forEach((n) => {
    const p = n.position();
    out.set(n.id(), { x: p.x, y: p.y });
  });
  cy.destroy();
  return out;
}
