/**
 * A machine as data: neurons and the two rank-4 matrices of spec §2,
 * `W[toNeuron][toPort][fromNeuron][fromPort] = weight`.
 */
import { fromLeaves, NUMBER_KEY, own, type VChild, type VValue } from '../vvalue/vvalue';
import { neuronProblem, neuronType } from './neuron-types';

export interface NeuronSpec {
  readonly name: string;
  readonly type: string;
  /** Parameters of the instance (only some types use them, e.g. `const`). */
  readonly params?: VValue;
}

/** A rank-4 network matrix. */
export type Matrix = VValue;

export interface MachineSpec {
  readonly neurons: readonly NeuronSpec[];
  /** Hard links: not trained, not regularised. */
  readonly fixed: Matrix;
  /** Soft links: the trainable parameters. */
  readonly trainable: Matrix;
}

export interface Link {
  readonly to: string;
  readonly toPort: string;
  readonly from: string;
  readonly fromPort: string;
}

export interface WeightedLink extends Link {
  readonly weight: number;
}

function scalarOf(c: VChild): number {
  if (typeof c === 'number') return c;
  const s = c[NUMBER_KEY];
  return typeof s === 'number' ? s : 0;
}

function isTree(c: VChild | undefined): c is VValue {
  return typeof c === 'object' && c !== null;
}

/**
 * The links of a matrix: every coordinate at depth exactly four (deeper structure below a
 * weight is ignored, as is a scalar placed above depth four). Sorted by
 * (to, toPort, from, fromPort) so the order does not depend on how the JSON was written.
 */
export function matrixLinks(m: Matrix): WeightedLink[] {
  const out: WeightedLink[] = [];
  for (const to of Object.keys(m)) {
    const row = own(m, to);
    if (!isTree(row)) continue;
    for (const toPort of Object.keys(row)) {
      const port = own(row, toPort);
      if (toPort === NUMBER_KEY || !isTree(port)) continue;
      for (const from of Object.keys(port)) {
        const src = own(port, from);
        if (from === NUMBER_KEY || !isTree(src)) continue;
        for (const fromPort of Object.keys(src)) {
          if (fromPort === NUMBER_KEY) continue;
          out.push({ to, toPort, from, fromPort, weight: scalarOf(own(src, fromPort) as VChild) });
        }
      }
    }
  }
  return out.sort(compareLinks);
}

export function compareLinks(a: Link, b: Link): number {
  return cmp(a.to, b.to) || cmp(a.toPort, b.toPort) || cmp(a.from, b.from) || cmp(a.fromPort, b.fromPort);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds a rank-4 matrix from links (weights of repeated links add up). */
export function linksToMatrix(links: Iterable<WeightedLink>): Matrix {
  return fromLeaves(Array.from(links, (l) => [[l.to, l.toPort, l.from, l.fromPort], l.weight] as const));
}

export function linkLabel(l: Link): string {
  return `${l.to}.${l.toPort} ← ${l.from}.${l.fromPort}`;
}

/** Number of soft links (stored weights, zero ones included). */
export function softLinkCount(spec: MachineSpec): number {
  return matrixLinks(spec.trainable).length;
}

/** The hard self-links that the registry gives every neuron of `neurons` (e.g. accum.dict-1 ← dict). */
export function selfLinks(neurons: readonly NeuronSpec[]): WeightedLink[] {
  const out: WeightedLink[] = [];
  for (const n of neurons) {
    for (const [toPort, fromPort] of neuronType(n.type).selfLinks) {
      out.push({ to: n.name, toPort, from: n.name, fromPort, weight: 1 });
    }
  }
  return out;
}

export interface SpecProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Structural problems of a machine: unknown types, parameters a type refuses (a `push`
 * without a depth cap), duplicate names, links into ports the type does not have. The engines tolerate all of these (spec §2 skips missing sources);
 * importers and editors report them.
 */
export function validateSpec(spec: MachineSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const types = new Map<string, string>();
  for (const n of spec.neurons) {
    if (types.has(n.name)) problems.push({ path: n.name, message: `duplicate neuron name "${n.name}"` });
    const problem = neuronProblem(n);
    if (problem) problems.push({ path: n.name, message: problem });
    try {
      neuronType(n.type);
      types.set(n.name, n.type);
    } catch {
      // reported above
    }
  }
  for (const [which, m] of [
    ['fixed', spec.fixed],
    ['trainable', spec.trainable],
  ] as const) {
    for (const l of matrixLinks(m)) {
      const where = `${which}: ${linkLabel(l)}`;
      const to = types.get(l.to);
      const from = types.get(l.from);
      if (to === undefined) problems.push({ path: where, message: `no neuron named "${l.to}"` });
      else if (!neuronType(to).inputs.includes(l.toPort)) {
        problems.push({ path: where, message: `${to} neuron "${l.to}" has no input port "${l.toPort}"` });
      }
      if (from === undefined) problems.push({ path: where, message: `no neuron named "${l.from}"` });
      else if (!neuronType(from).outputs.includes(l.fromPort)) {
        problems.push({ path: where, message: `${from} neuron "${l.from}" has no output port "${l.fromPort}"` });
      }
      if (!Number.isFinite(l.weight)) problems.push({ path: where, message: `weight is ${l.weight}` });
    }
  }
  return problems;
}

/** The matrix whose weights are `values[i]` on `links[i]` (e.g. parameters, gradients, moments). */
export function vectorToMatrix(links: readonly Link[], values: ArrayLike<number>): Matrix {
  if (values.length !== links.length) throw new RangeError(`${links.length} links but ${values.length} values`);
  return linksToMatrix(links.map((l, i) => ({ ...l, weight: values[i] as number })));
}
