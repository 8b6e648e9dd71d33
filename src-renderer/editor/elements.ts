/**
 * The editor document as Cytoscape element definitions (pure, unit-tested): neurons as
 * nodes labelled "type name", links as edges labelled with their weight, width by |w|,
 * colour by sign, soft links solid and hard links dashed; edges with |w| < ε hidden.
 */
import type { ElementDefinition } from 'cytoscape';
import { linkKey, type EditorDocument, type EditorLink, type LinkRef } from '@shared/editor/document';

export const POSITIVE = '#2563eb';
export const NEGATIVE = '#dc2626';
export const ZERO = '#9ca3af';
export const MIN_EDGE_WIDTH = 0.8;
export const MAX_EDGE_WIDTH = 7;

export const TYPE_COLOURS: Readonly<Record<string, string>> = {
  input: '#16a34a',
  timer: '#65a30d',
  eos: '#0d9488',
  output: '#7c3aed',
  accum: '#ea580c',
  norm: '#0891b2',
  compare: '#db2777',
  dot: '#ca8a04',
};

/** The Cytoscape id of a link (ids must not contain NUL for selectors; we only use getElementById). */
export function edgeId(l: LinkRef): string {
  return `e:${linkKey(l)}`;
}

export function nodeId(name: string): string {
  return `n:${name}`;
}

/** A short, exact-enough weight label. */
export function weightLabel(w: number): string {
  if (!Number.isFinite(w)) return String(w);
  if (w === 0) return '0';
  const a = Math.abs(w);
  return a >= 1e-3 && a < 1e4 ? String(Number(w.toPrecision(3))) : w.toExponential(2);
}

export function edgeColour(w: number): string {
  if (!Number.isFinite(w) || w === 0) return ZERO;
  return w > 0 ? POSITIVE : NEGATIVE;
}

/** Width in [MIN, MAX] by |w| relative to the largest |w| of the document. */
export function edgeWidth(w: number, maxAbs: number): number {
  if (!Number.isFinite(w) || !(maxAbs > 0)) return MIN_EDGE_WIDTH;
  return MIN_EDGE_WIDTH + (MAX_EDGE_WIDTH - MIN_EDGE_WIDTH) * Math.min(1, Math.abs(w) / maxAbs);
}

/** True when the threshold hides the link (non-finite weights stay visible: validation points at them). */
export function hiddenByThreshold(l: EditorLink, epsilon: number): boolean {
  return epsilon > 0 && Number.isFinite(l.weight) && Math.abs(l.weight) < epsilon;
}

export interface EditorElements {
  readonly nodes: ElementDefinition[];
  readonly edges: ElementDefinition[];
  readonly hidden: number;
}

export function documentElements(doc: EditorDocument, epsilon = 0): EditorElements {
  let maxAbs = 0;
  for (const l of doc.links) if (Number.isFinite(l.weight)) maxAbs = Math.max(maxAbs, Math.abs(l.weight));
  const names = new Set(doc.neurons.map((n) => n.name));
  const nodes: ElementDefinition[] = doc.neurons.map((n) => ({
    group: 'nodes',
    data: { id: nodeId(n.name), name: n.name, type: n.type, label: `${n.type}\n${n.name}`, color: TYPE_COLOURS[n.type] ?? '#6b7280' },
    position: { x: n.position.x, y: n.position.y },
  }));
  const edges: ElementDefinition[] = [];
  let hidden = 0;
  const seen = new Set<string>();
  for (const l of doc.links) {
    if (!names.has(l.to) || !names.has(l.from)) continue; // dangling ends: listed by validation
    const id = edgeId(l);
    if (seen.has(id)) continue;
    seen.add(id);
    if (hiddenByThreshold(l, epsilon)) {
      hidden++;
      continue;
    }
    edges.push({
      group: 'edges',
      data: {
        id,
        source: nodeId(l.from),
        target: nodeId(l.to),
        label: weightLabel(l.weight),
        ports: `${l.fromPort}→${l.toPort}`,
        weight: l.weight,
        color: edgeColour(l.weight),
        width: edgeWidth(l.weight, maxAbs),
      },
      classes: [l.soft ? 'soft' : 'hard', l.to === l.from ? 'self' : ''].filter(Boolean).join(' '),
    });
  }
  return { nodes, edges, hidden };
}
