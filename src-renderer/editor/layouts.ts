/**
 * Layouts of an editor document, by neuron name, for one undoable `move` command:
 *  - `layered` (the default): dagre on a headless Cytoscape core, left to right from the
 *    driving neurons to the output; the nodes are sized like the editor's neuron boxes and
 *    the edges are the distinct neuron pairs that links join (dense machines are laid out
 *    on the skeleton of those pairs, as the run detail does);
 *  - `force`: a force-directed placement for recurrent machines (src-shared/editor/
 *    force-layout.ts), springs weighted by Σ|w| of each pair's links, started from the
 *    current positions, deterministic.
 */
import type { EditorDocument, Position } from '@shared/editor/document';
import { forceDirectedPositions, type ForcePair } from '@shared/editor/force-layout';
import { NEURON_TYPES } from '@shared/machine/neuron-types';
import { dagrePositions } from '../components/circuit-layout';
import { PORT_ROW, PORT_SIZE, PORT_X } from './elements';

export type LayoutKind = 'layered' | 'force';

export const NEURON_WIDTH = 2 * PORT_X + PORT_SIZE + 12;

/** Height of a neuron box (its taller port column, its two-line label above). */
export function neuronHeight(type: string): number {
  const t = NEURON_TYPES.get(type);
  const rows = t ? Math.max(1, t.inputs.length, t.outputs.length) : 1;
  return rows * PORT_ROW + 40;
}

/** The distinct (source, target) neuron pairs that links join, with Σ|w| of their links. */
export function neuronPairs(doc: EditorDocument): ForcePair[] {
  const names = new Set(doc.neurons.map((n) => n.name));
  const pairs = new Map<string, { source: string; target: string; strength: number }>();
  for (const l of doc.links) {
    if (l.from === l.to || !names.has(l.from) || !names.has(l.to)) continue;
    const k = `${l.from}\u0000${l.to}`;
    const w = Number.isFinite(l.weight) ? Math.abs(l.weight) : 0;
    const p = pairs.get(k);
    if (p) p.strength += w;
    else pairs.set(k, { source: l.from, target: l.to, strength: w });
  }
  return [...pairs.values()];
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** The layered layout of the editor: dagre (crossing reduction) with each neuron's drawn size. */
function dagreLayeredPositions(doc: EditorDocument): Map<string, Position> {
  const nodes = doc.neurons.map((n) => ({ id: n.name, width: NEURON_WIDTH, height: neuronHeight(n.type) }));
  const out = new Map<string, Position>();
  for (const [id, p] of dagrePositions(nodes, neuronPairs(doc), { nodeSep: 20, rankSep: 90 }))
    out.set(id, { x: round(p.x), y: round(p.y) });
  return out;
}

/** Positions of every neuron of `doc` under the layout `kind`. */
export function layoutPositions(doc: EditorDocument, kind: LayoutKind): Map<string, Position> {
  if (kind === 'layered') return dagreLayeredPositions(doc);
  return forceDirectedPositions(
    doc.neurons.map((n) => ({ name: n.name, position: n.position, width: NEURON_WIDTH, height: neuronHeight(n.type) })),
    neuronPairs(doc),
  );
}
