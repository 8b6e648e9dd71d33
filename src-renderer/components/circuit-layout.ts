/**
 * Cytoscape with the dagre layered layout, registered once, and the layout of a circuit
 * computed off screen (a headless core): positions by neuron name, left to right from the
 * inputs to the output, for a view to place its nodes with a preset layout.
 */
import cytoscape, { type ElementDefinition } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { layoutSkeleton, NODE_SIZE, type Pair } from './circuit';

let registered = false;

/** The cytoscape factory with the dagre extension registered. */
export function cytoscapeWithDagre(): typeof cytoscape {
  if (!registered) {
    cytoscape.use(dagre);
    registered = true;
  }
  return cytoscape;
}

/** A node to lay out: its id and its size on the canvas. */
export interface LayoutNode {
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

/**
 * dagre positions, left to right, of `nodes` joined by `pairs` (laid out on the skeleton of
 * the pairs — see layoutSkeleton: the dense machine would take seconds otherwise), on a
 * headless core. One layered layout for the run detail, the diff and the editor.
 */
export function dagrePositions(
  nodes: readonly LayoutNode[],
  pairs: readonly Pair[],
  spacing: { readonly nodeSep: number; readonly rankSep: number } = { nodeSep: 24, rankSep: 110 },
): Map<string, { x: number; y: number }> {
  const cy = cytoscapeWithDagre()({
    headless: true,
    styleEnabled: true,
    style: [{ selector: 'node', style: { width: 'data(w)', height: 'data(h)' } }],
  });
  try {
    const ids = new Set(nodes.map((n) => n.id));
    cy.add([
      ...nodes.map((n) => ({ group: 'nodes' as const, data: { id: n.id, w: n.width, h: n.height } })),
      ...layoutSkeleton(pairs.filter((p) => ids.has(p.source) && ids.has(p.target))).map((p, i) => ({
        group: 'edges' as const,
        data: { id: `e${i}`, source: p.source, target: p.target },
      })),
    ]);
    cy.layout({
      name: 'dagre',
      rankDir: 'LR',
      ranker: 'longest-path',
      nodeSep: spacing.nodeSep,
      rankSep: spacing.rankSep,
      edgeSep: 4,
      animate: false,
      fit: false,
    } as cytoscape.LayoutOptions).run();
    const out = new Map<string, { x: number; y: number }>();
    cy.nodes().forEach((n) => {
      const p = n.position();
      out.set(n.id(), { x: p.x, y: p.y });
    });
    return out;
  } finally {
    cy.destroy();
  }
}

/** dagre positions (left to right) of the nodes of `elements` (circuit views: every node NODE_SIZE). */
export function layoutPositions(
  elements: readonly ElementDefinition[],
  spacing?: { readonly nodeSep: number; readonly rankSep: number },
): Map<string, { x: number; y: number }> {
  const nodes: LayoutNode[] = [];
  const pairs: Pair[] = [];
  for (const e of elements) {
    if (e.group === 'nodes') nodes.push({ id: String(e.data.id), width: NODE_SIZE, height: NODE_SIZE });
    else if (e.group === 'edges') pairs.push({ source: String(e.data.source), target: String(e.data.target) });
  }
  return dagrePositions(nodes, pairs, spacing);
}
