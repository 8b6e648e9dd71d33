/**
 * A simple layered placement for architecture documents: the driving neurons (no inputs,
 * or `timer`/`input`) in column 0, `<type>-<layer>-<copy>` neurons in column <layer>, the
 * `output` neuron after the last column, and any other neuron one column after the deepest
 * of its (non-self) sources, found by relaxing along the links (cycles are cut off).
 * The canvas can run a real layout (dagre/ELK) on top; this keeps generated machines and
 * imported files readable without one and is deterministic.
 */
import { NEURON_TYPES } from '../machine/neuron-types';

export const LAYER_SPACING = 240;
export const ROW_SPACING = 90;

interface NeuronLike {
  readonly name: string;
  readonly type: string;
}
interface LinkLike {
  readonly to: string;
  readonly from: string;
}

const LAYERED_NAME = /-(\d+)-\d+$/;

export function layerOf(n: NeuronLike): number | undefined {
  if (n.type === 'timer' || n.type === 'input') return 0;
  if (n.type === 'output') return undefined; // placed last
  const m = LAYERED_NAME.exec(n.name);
  if (m) return Number(m[1]);
  const t = NEURON_TYPES.get(n.type);
  if (t && t.inputs.length === 0) return 0;
  return undefined;
}

/** Column of every neuron. */
export function layers(neurons: readonly NeuronLike[], links: readonly LinkLike[]): Map<string, number> {
  const layer = new Map<string, number>();
  const free: NeuronLike[] = [];
  const outputs: NeuronLike[] = [];
  for (const n of neurons) {
    const l = layerOf(n);
    if (l !== undefined) layer.set(n.name, l);
    else if (n.type === 'output') outputs.push(n);
    else free.push(n);
  }
  // other neurons: one after their deepest placed source, at most |free| relaxation rounds
  const sources = new Map<string, string[]>();
  for (const l of links) {
    if (l.to === l.from) continue;
    let s = sources.get(l.to);
    if (!s) sources.set(l.to, (s = []));
    s.push(l.from);
  }
  for (let round = 0; round <= free.length; round++) {
    let changed = false;
    for (const n of free) {
      let deepest = -1;
      for (const s of sources.get(n.name) ?? []) {
        const l = layer.get(s);
        if (l !== undefined && l > deepest) deepest = l;
      }
      const want = Math.min(deepest + 1, free.length + 1);
      if (deepest >= 0 && layer.get(n.name) !== want) {
        layer.set(n.name, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const n of free) if (!layer.has(n.name)) layer.set(n.name, 1);
  let last = 0;
  for (const l of layer.values()) if (l > last) last = l;
  for (const n of outputs) layer.set(n.name, last + 1);
  return layer;
}

/** Positions by name on a grid: a column per layer (layers()), rows in document order (no crossing reduction). */
export function layerGridPositions(neurons: readonly NeuronLike[], links: readonly LinkLike[]): Map<string, { x: number; y: number }> {
  const layer = layers(neurons, links);
  const rows = new Map<number, number>();
  const out = new Map<string, { x: number; y: number }>();
  for (const n of neurons) {
    const l = layer.get(n.name) ?? 0;
    const r = rows.get(l) ?? 0;
    rows.set(l, r + 1);
    out.set(n.name, { x: l * LAYER_SPACING, y: r * ROW_SPACING });
  }
  return out;
}

/** Positions on a circle (for recurrent machines where layers mean little). */
export function circlePositions(neurons: readonly NeuronLike[], radius?: number): Map<string, { x: number; y: number }> {
  const n = neurons.length;
  const r = radius ?? Math.max(ROW_SPACING, (n * ROW_SPACING) / (2 * Math.PI));
  const out = new Map<string, { x: number; y: number }>();
  neurons.forEach((nn, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, n);
    out.set(nn.name, { x: Math.round(r * Math.cos(a)), y: Math.round(r * Math.sin(a)) });
  });
  return out;
}
