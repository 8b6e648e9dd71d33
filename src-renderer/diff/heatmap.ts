/**
 * The network matrices of both circuits in aligned order, for the heatmap: rows are
 * (neuron, input port), columns (neuron, output port), neurons in the union order (pairs,
 * then A-only, then B-only), a pair occupying one row/column in both matrices; only ports
 * that carry a soft link on either side. A cell without a link is NaN.
 */
import { matrixLinks } from '@shared/machine/spec';
import { unionNeurons, unionOfA, unionOfB, type DiffModel } from './diff-model';

export interface HeatAxis {
  /** `neuron.port` (the union label). */
  readonly label: string;
  readonly unionId: string;
  readonly port: string;
}

export interface AlignedMatrices {
  readonly rows: readonly HeatAxis[];
  readonly cols: readonly HeatAxis[];
  /** Row-major, rows × cols; NaN where the circuit has no link. */
  readonly a: Float64Array;
  readonly b: Float64Array;
  /** Largest |w| over both. */
  readonly maxAbs: number;
}

export function alignedMatrices(model: DiffModel): AlignedMatrices {
  const soft = [
    ...matrixLinks(model.a.trainable).map((l) => ({ side: 'a' as const, to: unionOfA(l.to), from: unionOfA(l.from), l })),
    ...matrixLinks(model.b.trainable).map((l) => ({ side: 'b' as const, to: unionOfB(model, l.to), from: unionOfB(model, l.from), l })),
  ];
  const inPorts = new Map<string, Set<string>>();
  const outPorts = new Map<string, Set<string>>();
  const add = (m: Map<string, Set<string>>, id: string, port: string): void => {
    if (!m.has(id)) m.set(id, new Set());
    m.get(id)!.add(port);
  };
  for (const s of soft) {
    add(inPorts, s.to, s.l.toPort);
    add(outPorts, s.from, s.l.fromPort);
  }
  const rows: HeatAxis[] = [];
  const cols: HeatAxis[] = [];
  for (const n of unionNeurons(model)) {
    for (const port of [...(inPorts.get(n.id) ?? [])].sort()) rows.push({ label: `${n.label}.${port}`, unionId: n.id, port });
    for (const port of [...(outPorts.get(n.id) ?? [])].sort()) cols.push({ label: `${n.label}.${port}`, unionId: n.id, port });
  }
  const rowIndex = new Map(rows.map((r, i) => [`${r.unionId}\u0000${r.port}`, i]));
  const colIndex = new Map(cols.map((c, i) => [`${c.unionId}\u0000${c.port}`, i]));
  const a = new Float64Array(rows.length * cols.length).fill(NaN);
  const b = new Float64Array(rows.length * cols.length).fill(NaN);
  let maxAbs = 0;
  for (const s of soft) {
    const r = rowIndex.get(`${s.to}\u0000${s.l.toPort}`);
    const c = colIndex.get(`${s.from}\u0000${s.l.fromPort}`);
    if (r === undefined || c === undefined) continue;
    (s.side === 'a' ? a : b)[r * cols.length + c] = s.l.weight;
    if (Number.isFinite(s.l.weight)) maxAbs = Math.max(maxAbs, Math.abs(s.l.weight));
  }
  return { rows, cols, a, b, maxAbs };
}

/** A cell's colour: blue for w > 0, red for w < 0, intensity √(|w| / maxAbs); light grey without a link. */
export function cellColor(w: number, maxAbs: number): string {
  if (Number.isNaN(w)) return '#f3f4f6';
  if (w === 0 || !(maxAbs > 0)) return '#ffffff';
  const t = Math.sqrt(Math.min(1, Math.abs(w) / maxAbs));
  const mix = (c: number) => Math.round(255 + (c - 255) * t);
  return w > 0 ? `rgb(${mix(37)},${mix(99)},${mix(235)})` : `rgb(${mix(220)},${mix(38)},${mix(38)})`;
}
