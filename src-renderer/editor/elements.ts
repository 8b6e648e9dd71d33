/**
 * The editor document as Cytoscape element definitions (pure, unit-tested): neurons as
 * compound nodes labelled "type name" (the name alone when it is the type's) whose children are their ports (named from the
 * registry: inputs on the left, outputs on the right, so they move with the neuron), links
 * as edges from an output port to an input port labelled with their weight, width by |w|,
 * colour by sign, soft links solid and hard links dashed; edges with |w| < ε hidden.
 * A link end naming a port its neuron does not have is drawn to the neuron itself
 * (validation lists it).
 */
import type { ElementDefinition } from 'cytoscape';
import { linkKey, type EditorDocument, type EditorLink, type LinkRef, type Position } from '@shared/editor/document';
import { NEURON_TYPES } from '@shared/machine/neuron-types';
import { LINK_SIGN_COLORS, NEURON_TYPE_COLORS, neuronTypeColor } from '@shared/render/palette';

export const POSITIVE = LINK_SIGN_COLORS.positive;
export const NEGATIVE = LINK_SIGN_COLORS.negative;
export const ZERO = LINK_SIGN_COLORS.zero;
export const MIN_EDGE_WIDTH = 0.8;
export const MAX_EDGE_WIDTH = 7;

/** Node colours by neuron type: the palette every circuit picture shares. */
export const TYPE_COLOURS: Readonly<Record<string, string>> = NEURON_TYPE_COLORS;

/** The Cytoscape id of a link (ids must not contain NUL for selectors; we only use getElementById). */
export function edgeId(l: LinkRef): string {
  return `e:${linkKey(l)}`;
}

export function nodeId(name: string): string {
  return `n:${name}`;
}

export type PortDirection = 'in' | 'out';

/** The Cytoscape id of a port node. */
export function portId(name: string, dir: PortDirection, port: string): string {
  return `p:${dir}\u0000${name}\u0000${port}`;
}

/** Horizontal distance of the port columns from the neuron's centre. */
export const PORT_X = 46;
/** Vertical distance between two ports of one column. */
export const PORT_ROW = 16;
export const PORT_SIZE = 10;

export interface PortPlace {
  readonly port: string;
  readonly dir: PortDirection;
  /** Offset from the neuron's centre. */
  readonly dx: number;
  readonly dy: number;
}

/** Where a type's ports sit relative to the neuron's centre (none for an unknown type). */
export function portPlaces(type: string): PortPlace[] {
  const t = NEURON_TYPES.get(type);
  if (!t) return [];
  const column = (ports: readonly string[], dir: PortDirection): PortPlace[] =>
    ports.map((port, i) => ({ port, dir, dx: dir === 'in' ? -PORT_X : PORT_X, dy: (i - (ports.length - 1) / 2) * PORT_ROW }));
  return [...column(t.inputs, 'in'), ...column(t.outputs, 'out')];
}

export function portPosition(neuron: Position, place: PortPlace): Position {
  return { x: neuron.x + place.dx, y: neuron.y + place.dy };
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
  /** Neurons, each followed by its ports. */
  readonly nodes: ElementDefinition[];
  readonly edges: ElementDefinition[];
  readonly hidden: number;
}

/** "type" over "name", or the name alone when it is the type's name. */
/**
 * A neuron's classes: `portless` (an unknown type), `in-only` / `out-only` when its ports are
 * all on one side (output, eos, const_1: the canvas widens their box over the empty side, so
 * a click on the box picks the neuron rather than landing on a port).
 */
export function neuronClasses(places: readonly PortPlace[]): string {
  if (places.length === 0) return 'neuron portless';
  if (places.every((p) => p.dir === 'in')) return 'neuron in-only';
  if (places.every((p) => p.dir === 'out')) return 'neuron out-only';
  return 'neuron';
}

export function neuronLabel(name: string, type: string): string {
  return name === type ? name : `${type}\n${name}`;
}

export function documentElements(doc: EditorDocument, epsilon = 0): EditorElements {
  let maxAbs = 0;
  for (const l of doc.links) if (Number.isFinite(l.weight)) maxAbs = Math.max(maxAbs, Math.abs(l.weight));
  const names = new Set(doc.neurons.map((n) => n.name));
  const ports = new Set<string>();
  const nodes: ElementDefinition[] = [];
  for (const n of doc.neurons) {
    const places = portPlaces(n.type);
    nodes.push({
      group: 'nodes',
      data: {
        id: nodeId(n.name),
        name: n.name,
        type: n.type,
        label: neuronLabel(n.name, n.type),
        color: neuronTypeColor(n.type),
      },
      position: { x: n.position.x, y: n.position.y },
      classes: neuronClasses(places),
    });
    for (const p of places) {
      const id = portId(n.name, p.dir, p.port);
      ports.add(id);
      nodes.push({
        group: 'nodes',
        data: { id, parent: nodeId(n.name), name: n.name, port: p.port, dir: p.dir, label: p.port },
        position: portPosition(n.position, p),
        classes: `port ${p.dir}`,
        selectable: false,
        grabbable: false,
      });
    }
  }
  const end = (name: string, dir: PortDirection, port: string): string => {
    const id = portId(name, dir, port);
    return ports.has(id) ? id : nodeId(name);
  };
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
        source: end(l.from, 'out', l.fromPort),
        target: end(l.to, 'in', l.toPort),
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
