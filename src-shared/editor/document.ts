/**
 * The editable architecture document of the graph editor: neurons with a type and
 * a canvas position, and links from an output port to an input port, each with a weight and
 * a soft (trainable) / hard (fixed) flag.
 *
 * Documents are immutable values (readonly arrays of readonly records): every edit makes a
 * new document that shares the unchanged neuron and link objects with the old one. The
 * command stack (commands.ts) relies on that.
 *
 * Conversions:
 *  - MachineSpec (spec §2): hard links ↔ `fixed`, soft links ↔ `trainable`. Lossless,
 *    positions apart (a spec has none; pass them back in).
 *  - ArchitectureGraph (the store's record): {neurons, matrix = trainable, positions}. The
 *    hard links are not stored: they are inferred from the neurons as in DMM-lite
 *    (`hardLinks`: every type's self-links and input.timer ← timer.timer). Lossless for
 *    documents whose hard links are exactly the inferred ones; `graphLosses` lists what a
 *    save would drop otherwise.
 */
import type { ArchitectureGraph } from '../api/records';
import { NEURON_TYPES } from '../machine/neuron-types';
import { compareLinks, linksToMatrix, matrixLinks, type MachineSpec, type NeuronSpec, type WeightedLink } from '../machine/spec';
import { hardLinks } from '../problems/duplicates/base';
import { parseVValue } from '../vvalue/parse';
import type { VValue } from '../vvalue/vvalue';
import { layerGridPositions } from './layout';

export interface Position {
  readonly x: number;
  readonly y: number;
}

export interface EditorNeuron {
  readonly name: string;
  readonly type: string;
  readonly position: Position;
  /** Instance parameters (only some types use them, e.g. `const`); kept for the MachineSpec round trip. */
  readonly params?: VValue;
}

/** Identifies a link: its four coordinates and its kind (a hard and a soft link may share coordinates). */
export interface LinkRef {
  readonly to: string;
  readonly toPort: string;
  readonly from: string;
  readonly fromPort: string;
  readonly soft: boolean;
}

export interface EditorLink extends LinkRef {
  readonly weight: number;
}

export interface EditorDocument {
  readonly neurons: readonly EditorNeuron[];
  readonly links: readonly EditorLink[];
}

export const EMPTY_DOCUMENT: EditorDocument = Object.freeze({ neurons: Object.freeze([]), links: Object.freeze([]) });

/** A string that identifies a link (coordinates and kind). */
export function linkKey(l: LinkRef): string {
  return `${l.soft ? 's' : 'h'}\u0000${l.to}\u0000${l.toPort}\u0000${l.from}\u0000${l.fromPort}`;
}

export function sameLink(a: LinkRef, b: LinkRef): boolean {
  return a.soft === b.soft && a.to === b.to && a.toPort === b.toPort && a.from === b.from && a.fromPort === b.fromPort;
}

export function linkRef(l: LinkRef): LinkRef {
  return { to: l.to, toPort: l.toPort, from: l.from, fromPort: l.fromPort, soft: l.soft };
}

export function positionsOf(doc: EditorDocument): Record<string, Position> {
  const out: Record<string, Position> = {};
  for (const n of doc.neurons) out[n.name] = n.position;
  return out;
}

function withLinks(
  neurons: readonly NeuronSpec[],
  hard: readonly WeightedLink[],
  soft: readonly WeightedLink[],
  positions: Readonly<Record<string, Position>> | undefined,
): EditorDocument {
  const links: EditorLink[] = [...hard.map((l) => ({ ...l, soft: false })), ...soft.map((l) => ({ ...l, soft: true }))];
  const auto = layerGridPositions(neurons, links);
  const given = positions ?? {};
  const ns: EditorNeuron[] = neurons.map((n) => {
    const p = Object.hasOwn(given, n.name) ? given[n.name] : undefined;
    const position = p ? { x: p.x, y: p.y } : (auto.get(n.name) ?? { x: 0, y: 0 });
    return n.params === undefined ? { name: n.name, type: n.type, position } : { name: n.name, type: n.type, position, params: n.params };
  });
  return { neurons: ns, links };
}

/** The document of a machine; neurons without a given position get a layered placement. */
export function documentFromSpec(spec: MachineSpec, positions?: Readonly<Record<string, Position>>): EditorDocument {
  return withLinks(spec.neurons, matrixLinks(spec.fixed), matrixLinks(spec.trainable), positions);
}

function weighted(l: EditorLink): WeightedLink {
  return { to: l.to, toPort: l.toPort, from: l.from, fromPort: l.fromPort, weight: l.weight };
}

export function neuronSpecs(doc: EditorDocument): NeuronSpec[] {
  return doc.neurons.map((n) =>
    n.params === undefined ? { name: n.name, type: n.type } : { name: n.name, type: n.type, params: n.params },
  );
}

/** The machine of a document (repeated links of one kind add up, as in the matrices). */
export function documentToSpec(doc: EditorDocument): MachineSpec {
  return {
    neurons: neuronSpecs(doc),
    fixed: linksToMatrix(doc.links.filter((l) => !l.soft).map(weighted)),
    trainable: linksToMatrix(doc.links.filter((l) => l.soft).map(weighted)),
  };
}

/** The hard links DMM-lite infers for a neuron set (those whose two ends exist). */
export function inferredHardLinks(neurons: readonly NeuronSpec[]): WeightedLink[] {
  const names = new Set(neurons.map((n) => n.name));
  // unknown types infer nothing (validation reports them)
  return hardLinks(neurons.filter((n) => NEURON_TYPES.has(n.type))).filter((l) => names.has(l.to) && names.has(l.from));
}

/**
 * The document of a stored architecture. The matrix is validated as a V-value (throws a
 * VValueError naming the path otherwise); hard links are inferred from the neurons.
 */
export function documentFromGraph(
  graph: Pick<ArchitectureGraph, 'neurons' | 'matrix'> & { positions?: ArchitectureGraph['positions'] },
): EditorDocument {
  const neurons: NeuronSpec[] = graph.neurons.map((n) => ({ name: n.name, type: n.type }));
  const m = parseVValue(graph.matrix);
  return withLinks(neurons, inferredHardLinks(neurons), matrixLinks(m), graph.positions);
}

/** The store record of a document (see `graphLosses` for what it cannot hold). */
export function documentToGraph(doc: EditorDocument): ArchitectureGraph {
  const positions: Record<string, Position> = {};
  for (const n of doc.neurons) positions[n.name] = { x: n.position.x, y: n.position.y };
  return {
    neurons: doc.neurons.map((n) => ({ name: n.name, type: n.type })),
    matrix: linksToMatrix(doc.links.filter((l) => l.soft).map(weighted)),
    positions,
  };
}

export interface GraphLosses {
  /** Hard links that are not inferred from the neurons (a save drops them). */
  readonly extraHardLinks: readonly EditorLink[];
  /** Inferred hard links missing from the document or with a weight other than theirs (a load restores them). */
  readonly missingHardLinks: readonly WeightedLink[];
  /** Neurons whose parameters a save drops. */
  readonly paramNeurons: readonly string[];
}

export function graphLosses(doc: EditorDocument): GraphLosses {
  const inferred = new Map(inferredHardLinks(neuronSpecs(doc)).map((l) => [linkKey({ ...l, soft: false }), l]));
  const present = new Set<string>();
  const extraHardLinks: EditorLink[] = [];
  for (const l of doc.links) {
    if (l.soft) continue;
    const k = linkKey(l);
    const want = inferred.get(k);
    if (want && Object.is(want.weight, l.weight) && !present.has(k)) present.add(k);
    else extraHardLinks.push(l);
  }
  const missingHardLinks = [...inferred].filter(([k]) => !present.has(k)).map(([, l]) => l);
  return { extraHardLinks, missingHardLinks, paramNeurons: doc.neurons.filter((n) => n.params !== undefined).map((n) => n.name) };
}

/** Links sorted by (to, toPort, from, fromPort), hard before soft: for comparing documents. */
export function canonicalLinks(links: readonly EditorLink[]): EditorLink[] {
  return [...links].sort((a, b) => compareLinks(a, b) || Number(a.soft) - Number(b.soft));
}

/** True when two documents have the same neurons (in order) and the same links (in any order), weights bit for bit. */
export function documentsEqual(a: EditorDocument, b: EditorDocument, options: { positions?: boolean } = {}): boolean {
  const withPositions = options.positions ?? true;
  if (a.neurons.length !== b.neurons.length || a.links.length !== b.links.length) return false;
  for (let i = 0; i < a.neurons.length; i++) {
    const x = a.neurons[i] as EditorNeuron;
    const y = b.neurons[i] as EditorNeuron;
    if (x.name !== y.name || x.type !== y.type) return false;
    if (JSON.stringify(x.params) !== JSON.stringify(y.params)) return false;
    if (withPositions && !(Object.is(x.position.x, y.position.x) && Object.is(x.position.y, y.position.y))) return false;
  }
  const la = canonicalLinks(a.links);
  const lb = canonicalLinks(b.links);
  for (let i = 0; i < la.length; i++) {
    const x = la[i] as EditorLink;
    const y = lb[i] as EditorLink;
    if (!sameLink(x, y) || !Object.is(x.weight, y.weight)) return false;
  }
  return true;
}
