/**
 * Positions of the union of two aligned circuits, shared by the side-by-side panes (a
 * matched pair sits at the same place in both) and the overlay. Laid out once with the
 * layered layout the run detail uses (dagre), or for large unions the editor's quick layered
 * placement (src-shared/editor/layout.ts); after a re-pairing, union neurons that have no place
 * yet (a B neuron that lost its partner) are put beside their neighbours, so nothing
 * else moves.
 */
import type { ElementDefinition } from 'cytoscape';
import { layerGridPositions, LAYER_SPACING, ROW_SPACING } from '@shared/editor/layout';
import { matrixLinks } from '@shared/machine/spec';
import { NODE_SIZE } from '../components/circuit';
import { unionNeurons, unionOfA, unionOfB, type DiffModel } from './diff-model';

/** Above this many union neurons or links the quick layered placement replaces dagre (which takes 0.1–0.3 s on 300 links). */
export const LARGE = { neurons: 60, links: 150 } as const;
/** Spacing of the layered placement at the scale of the views' 16 px nodes. */
const LAYER_GAP = 110;
const ROW_GAP = 36;

export type Positions = ReadonlyMap<string, { x: number; y: number }>;
export type LayoutFn = (elements: readonly ElementDefinition[]) => Map<string, { x: number; y: number }>;

/** Union edges (source → target union ids) of every soft link of both circuits. */
export function unionEdges(model: DiffModel): { source: string; target: string }[] {
  const out: { source: string; target: string }[] = [];
  for (const l of matrixLinks(model.a.trainable)) out.push({ source: unionOfA(l.from), target: unionOfA(l.to) });
  for (const l of matrixLinks(model.b.trainable)) out.push({ source: unionOfB(model, l.from), target: unionOfB(model, l.to) });
  return out;
}

/** Positions for every union neuron: `previous` kept where it has them, a full layout when it has none. */
export function unionPositions(model: DiffModel, layout: LayoutFn, previous?: Positions): Map<string, { x: number; y: number }> {
  const nodes = unionNeurons(model);
  const edges = unionEdges(model);
  if (!previous || previous.size === 0) {
    if (nodes.length > LARGE.neurons || edges.length > LARGE.links) {
      // a layered placement without crossing reduction: a few ms instead of dagre's hundreds
      const placed = layerGridPositions(
        nodes.map((n) => ({ name: n.id, type: n.type })),
        edges.map((e) => ({ from: e.source, to: e.target })),
      );
      const sx = LAYER_GAP / LAYER_SPACING;
      const sy = ROW_GAP / ROW_SPACING;
      return new Map([...placed].map(([id, p]) => [id, { x: p.x * sx, y: p.y * sy }]));
    }
    const ids = new Set(nodes.map((n) => n.id));
    const elements: ElementDefinition[] = [
      ...nodes.map((n) => ({ group: 'nodes' as const, data: { id: n.id } })),
      ...edges
        .filter((e) => ids.has(e.source) && ids.has(e.target))
        .map((e, i) => ({ group: 'edges' as const, data: { id: `e${i}`, ...e } })),
    ];
    return layout(elements);
  }
  const out = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const p = previous.get(n.id);
    if (p) out.set(n.id, { x: p.x, y: p.y });
  }
  let maxY = 0;
  for (const p of out.values()) maxY = Math.max(maxY, p.y);
  let spare = 0;
  for (const n of nodes) {
    if (out.has(n.id)) continue;
    const near = edges
      .flatMap((e) => (e.source === n.id ? [e.target] : e.target === n.id ? [e.source] : []))
      .flatMap((id) => out.get(id) ?? []);
    if (near.length > 0) {
      const x = near.reduce((s, p) => s + p.x, 0) / near.length;
      const y = near.reduce((s, p) => s + p.y, 0) / near.length;
      out.set(n.id, { x: x + 2 * NODE_SIZE, y: y + 3 * NODE_SIZE });
    } else {
      out.set(n.id, { x: spare++ * 4 * NODE_SIZE, y: maxY + 5 * NODE_SIZE });
    }
  }
  return out;
}
