/**
 * A snapshot's circuit as Cytoscape elements: neurons as nodes (name and type, the type read
 * from the name as the generators write it — `accum-2-1`, or the base neurons' name = type),
 * soft links as edges whose width grows with |w| (relative to the largest |w| of the
 * snapshot) and whose colour is the weight's sign, and the registry's hard self-links (e.g.
 * the accumulator's memory) as dashed edges. Ids are stable across snapshots (a neuron's
 * name, a link's four coordinates), so a view can update in place and keep its selection
 * and positions.
 */
import type { ElementDefinition, StylesheetJson } from 'cytoscape';
import { NEURON_TYPES } from '@shared/machine/neuron-types';
import type { Link } from '@shared/machine/spec';
import { LINK_SIGN_COLORS, NEURON_TYPE_COLORS, neuronTypeColor } from '@shared/render/palette';
import type { Ink } from '../lib/tokens';

export interface SnapshotWeights {
  readonly links: readonly Link[];
  readonly weights: readonly number[];
}

export const POSITIVE_COLOR = LINK_SIGN_COLORS.positive;
export const NEGATIVE_COLOR = LINK_SIGN_COLORS.negative;
export const ZERO_COLOR = LINK_SIGN_COLORS.zero;
export const MIN_WIDTH = 0.6;
/** Node size for layout and display (px at zoom 1). */
export const NODE_SIZE = 16;

/** How a soft link is drawn in the circuit views: width by |w|, colour by sign, an arrow. */
export const SOFT_LINK_STYLE: StylesheetJson[number] = {
  selector: 'edge.soft',
  style: {
    width: 'data(width)',
    'line-color': 'data(color)',
    'target-arrow-color': 'data(color)',
    'target-arrow-shape': 'triangle',
    'arrow-scale': 0.7,
    'curve-style': 'bezier',
    opacity: 0.85,
  },
};

/** How a neuron is drawn in every circuit view (run detail, compare, diff): a dot in its type's colour, the name below in the theme's text colour. */
export function neuronNodeStyle(ink: Ink): StylesheetJson[number] {
  return {
    selector: 'node',
    style: {
      width: NODE_SIZE,
      height: NODE_SIZE,
      'background-color': 'data(color)',
      label: 'data(label)',
      'font-size': 9,
      'text-wrap': 'wrap',
      'text-valign': 'bottom',
      'text-margin-y': 2,
      color: ink.text,
      'text-background-color': ink.surface,
      'text-background-opacity': 0.7,
    },
  };
}
export const MAX_WIDTH = 7;

/** Node colours by neuron type (src-shared/render/palette.ts; unknown types grey). */
export const TYPE_COLORS: Readonly<Record<string, string>> = NEURON_TYPE_COLORS;

/** The neuron type of a name: the name itself when it is a type, else the part before `-layer-copy`. */
export function neuronTypeOf(name: string): string {
  if (NEURON_TYPES.has(name)) return name;
  const m = /^(.+?)-\d+(?:-\d+)*$/.exec(name);
  if (m && NEURON_TYPES.has(m[1] as string)) return m[1] as string;
  const prefix = name.split(/[-_.\s]/)[0] ?? '';
  return NEURON_TYPES.has(prefix) ? prefix : 'unknown';
}

export function linkId(l: Link): string {
  return `${l.from}.${l.fromPort}->${l.to}.${l.toPort}`;
}

/** Edge width for |w| against the snapshot's largest |w|. */
export function edgeWidth(abs: number, maxAbs: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(abs)) return MIN_WIDTH;
  return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * Math.min(1, abs / maxAbs);
}

export function edgeColor(w: number): string {
  return w > 0 ? POSITIVE_COLOR : w < 0 ? NEGATIVE_COLOR : ZERO_COLOR;
}

export interface CircuitElements {
  readonly nodes: ElementDefinition[];
  readonly edges: ElementDefinition[];
  /** Largest |w| (the width scale). */
  readonly maxAbs: number;
}

export function circuitElements(snapshot: SnapshotWeights, options: { hardLinks?: boolean } = {}): CircuitElements {
  const { links, weights } = snapshot;
  if (links.length !== weights.length) throw new Error(`snapshot has ${links.length} links but ${weights.length} weights`);
  const names: string[] = [];
  const seen = new Set<string>();
  const addNode = (n: string): void => {
    if (!seen.has(n)) {
      seen.add(n);
      names.push(n);
    }
  };
  let maxAbs = 0;
  links.forEach((l, i) => {
    addNode(l.from);
    addNode(l.to);
    const a = Math.abs(weights[i] as number);
    if (Number.isFinite(a) && a > maxAbs) maxAbs = a;
  });
  const nodes: ElementDefinition[] = names.map((name) => {
    const type = neuronTypeOf(name);
    return {
      group: 'nodes',
      data: { id: name, name, type, label: type === name ? name : `${name}\n${type}`, color: neuronTypeColor(type) },
    };
  });
  const edges: ElementDefinition[] = [];
  const ids = new Set<string>();
  links.forEach((l, i) => {
    const w = weights[i] as number;
    let id = linkId(l);
    if (ids.has(id)) id = `${id}#${i}`; // a repeated link (should not happen): keep both
    ids.add(id);
    edges.push({
      group: 'edges',
      data: {
        id,
        source: l.from,
        target: l.to,
        weight: w,
        width: edgeWidth(Math.abs(w), maxAbs),
        color: edgeColor(w),
        label: `${l.to}.${l.toPort} ← ${l.from}.${l.fromPort}`,
        ports: `${l.fromPort}→${l.toPort}`,
        /** What a small circuit shows on the edge: the ports and the weight. */
        caption: `${l.fromPort}→${l.toPort}  ${formatWeight(w)}`,
      },
      classes: 'soft',
    });
  });
  if (options.hardLinks !== false) {
    for (const name of names) {
      const t = NEURON_TYPES.get(neuronTypeOf(name));
      for (const [toPort, fromPort] of t?.selfLinks ?? []) {
        const l = { to: name, toPort, from: name, fromPort };
        edges.push({
          group: 'edges',
          data: {
            id: `hard:${linkId(l)}`,
            source: name,
            target: name,
            weight: 1,
            width: 1,
            color: ZERO_COLOR,
            label: `${name}.${toPort} ← ${name}.${fromPort} (hard link)`,
            ports: `${fromPort}→${toPort}`,
          },
          classes: 'hard',
        });
      }
    }
  }
  return { nodes, edges, maxAbs };
}

/**
 * Node positions kept across snapshots: a layout is computed once for a set of neurons and
 * reused for every snapshot whose neurons it covers (later snapshots usually hold a subset).
 */
export class LayoutMemory {
  private readonly positions = new Map<string, { x: number; y: number }>();

  covers(names: Iterable<string>): boolean {
    for (const n of names) if (!this.positions.has(n)) return false;
    return true;
  }

  get(name: string): { x: number; y: number } | undefined {
    return this.positions.get(name);
  }

  /** Replaces the memory with a new layout (a full layout keeps coordinates consistent). */
  replace(entries: Iterable<readonly [string, { x: number; y: number }]>): void {
    this.positions.clear();
    for (const [n, p] of entries) this.positions.set(n, { x: p.x, y: p.y });
  }

  get size(): number {
    return this.positions.size;
  }

  /** The bounding box of every position (undefined when empty). */
  bounds(): { x1: number; y1: number; x2: number; y2: number } | undefined {
    if (this.positions.size === 0) return undefined;
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    for (const p of this.positions.values()) {
      x1 = Math.min(x1, p.x);
      y1 = Math.min(y1, p.y);
      x2 = Math.max(x2, p.x);
      y2 = Math.max(y2, p.y);
    }
    return { x1, y1, x2, y2 };
  }
}

/** A weight in 3 significant digits (1.23, −0.0456, 1.2e-5). */
export function formatWeight(w: number): string {
  if (!Number.isFinite(w)) return String(w);
  const a = Math.abs(w);
  const text = a !== 0 && (a < 1e-3 || a >= 1e4) ? w.toExponential(2) : w.toPrecision(3);
  return w < 0 ? `−${text.slice(1)}` : text;
}

type Point = { x: number; y: number };

/**
 * A circuit's own layered layout made to move as little as possible from the one shown
 * before it (neighbouring snapshots): within each layer (same x), neurons that were shown
 * before keep their top-to-bottom order of then (the layer's slots are reused, new neurons
 * keep theirs), and the whole is shifted so the neurons shown in both stay centred where
 * they were. Positions only move when the circuit changes, so the slider shows change, not
 * reshuffling.
 */
export function stabilizeLayout(next: ReadonlyMap<string, Point>, previous: ReadonlyMap<string, Point> | undefined): Map<string, Point> {
  const out = new Map<string, Point>();
  for (const [n, p] of next) out.set(n, { x: p.x, y: p.y });
  if (!previous || previous.size === 0) return out;
  const layers = new Map<number, string[]>();
  for (const [n, p] of out) {
    const key = Math.round(p.x);
    const list = layers.get(key) ?? [];
    list.push(n);
    layers.set(key, list);
  }
  for (const names of layers.values()) {
    const known = names.filter((n) => previous.has(n));
    if (known.length < 2) continue;
    // the slots the known neurons hold now, given to them in their previous order
    const knownSlots = known.map((n) => (out.get(n) as Point).y).sort((a, b) => a - b);
    known.sort((a, b) => (previous.get(a) as Point).y - (previous.get(b) as Point).y || (a < b ? -1 : 1));
    known.forEach((n, i) => ((out.get(n) as Point).y = knownSlots[i] as number));
  }
  let dx = 0;
  let dy = 0;
  let common = 0;
  for (const [n, p] of out) {
    const q = previous.get(n);
    if (!q) continue;
    dx += q.x - p.x;
    dy += q.y - p.y;
    common++;
  }
  if (common > 0) {
    dx /= common;
    dy /= common;
    for (const p of out.values()) {
      p.x += dx;
      p.y += dy;
    }
  }
  return out;
}

export interface Pair {
  readonly source: string;
  readonly target: string;
}

/**
 * The edges a layered layout needs. A layered layout (dagre) is slow on the dense starting
 * machine (1486 links, 800 distinct neuron pairs spanning up to seven layers: a second or
 * more), but its layers are fixed by the longest paths alone. So: distinct pairs without
 * self-loops; when there are more than `maxPairs`, only the `perTarget` incoming pairs of
 * each neuron from its highest-ranked sources (ranks by longest path, back edges of cycles
 * ignored), which keep every neuron on its layer, and each source's link to its nearest
 * target. All links are still drawn.
 */
export function layoutSkeleton(edges: Iterable<Pair>, maxPairs = 150, perTarget = 2): Pair[] {
  const pairs = new Map<string, Pair>();
  const nodes = new Set<string>();
  for (const e of edges) {
    nodes.add(e.source);
    nodes.add(e.target);
    if (e.source !== e.target) pairs.set(`${e.source}\u0000${e.target}`, { source: e.source, target: e.target });
  }
  const all = [...pairs.values()];
  if (all.length <= maxPairs) return all;
  const out = new Map<string, Pair[]>();
  for (const n of nodes) out.set(n, []);
  for (const p of all) out.get(p.source)?.push(p);
  // depth-first: finishing order (reversed: a topological order of the graph without back edges)
  const state = new Map<string, 1 | 2>();
  const back = new Set<Pair>();
  const order: string[] = [];
  for (const root of nodes) {
    if (state.has(root)) continue;
    const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1] as { node: string; next: number };
      const succ = out.get(top.node) as Pair[];
      if (top.next < succ.length) {
        const p = succ[top.next++] as Pair;
        const s = state.get(p.target);
        if (s === 1) back.add(p);
        else if (s === undefined) {
          state.set(p.target, 1);
          stack.push({ node: p.target, next: 0 });
        }
      } else {
        state.set(top.node, 2);
        order.push(top.node);
        stack.pop();
      }
    }
  }
  order.reverse();
  const rank = new Map<string, number>(order.map((n) => [n, 0]));
  for (const n of order) {
    for (const p of out.get(n) as Pair[]) {
      if (!back.has(p)) rank.set(p.target, Math.max(rank.get(p.target) as number, (rank.get(n) as number) + 1));
    }
  }
  const incoming = new Map<string, Pair[]>();
  for (const p of all) {
    if (back.has(p)) continue;
    const list = incoming.get(p.target) ?? [];
    list.push(p);
    incoming.set(p.target, list);
  }
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const kept = new Set<Pair>();
  for (const list of incoming.values()) {
    list.sort((a, b) => (rank.get(b.source) as number) - (rank.get(a.source) as number) || byName(a.source, b.source));
    for (const p of list.slice(0, perTarget)) kept.add(p);
  }
  // every source keeps its link to its lowest-ranked target, so it is placed next to it
  const hasOut = new Set<string>([...kept].map((p) => p.source));
  for (const n of order) {
    if (hasOut.has(n)) continue;
    const succ = (out.get(n) as Pair[]).filter((p) => !back.has(p));
    succ.sort((a, b) => (rank.get(a.target) as number) - (rank.get(b.target) as number) || byName(a.target, b.target));
    if (succ[0]) kept.add(succ[0]);
  }
  return [...kept];
}
