/**
 * The network matrices of both circuits in aligned order, for the heatmap: rows are
 * (neuron, input port), columns (neuron, output port), neurons in the union order (pairs,
 * then A-only, then B-only), a pair occupying one row/column in both matrices; only ports
 * that carry a soft link on either side. A cell without a link is NaN.
 */
import { LINK_SIGN_COLORS } from '@shared/render/palette';
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

/** What a heatmap is drawn on: the colour of a cell without a link and the ground a weight's colour fades into. */
export interface HeatmapGround {
  readonly noLink: string;
  /** RGB of a weight of 0 (the surface). */
  readonly base: readonly [number, number, number];
}

/** A `#rgb`, `#rrggbb` or `rgb(r, g, b)` colour as RGB (black when it cannot be read). */
export function rgbOf(css: string): [number, number, number] {
  const h = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(css.trim());
  if (h) {
    const x = (h[1] as string).length === 3 ? [...(h[1] as string)].map((c) => c + c).join('') : (h[1] as string);
    return [0, 2, 4].map((i) => parseInt(x.slice(i, i + 2), 16)) as [number, number, number];
  }
  const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/.exec(css);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

/**
 * A cell's colour: the link-sign colour of w (palette) faded into the ground with intensity
 * √(|w| / maxAbs); `ground.noLink` without a link.
 */
export function cellColor(w: number, maxAbs: number, ground: HeatmapGround): string {
  if (Number.isNaN(w)) return ground.noLink;
  const base = ground.base;
  if (w === 0 || !(maxAbs > 0)) return `rgb(${base[0]},${base[1]},${base[2]})`;
  const t = Math.sqrt(Math.min(1, Math.abs(w) / maxAbs));
  const end = rgbOf(w > 0 ? LINK_SIGN_COLORS.positive : LINK_SIGN_COLORS.negative);
  const mix = (k: 0 | 1 | 2) => Math.round(base[k] + (end[k] - base[k]) * t);
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
}
