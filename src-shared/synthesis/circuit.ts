/**
 * A circuit under synthesis: the machine's neurons and hard links, its soft links in
 * parameter order, and their weights. Surgery on circuits (removing links, dropping
 * links that cannot matter, merging parallel links) keeps track of which old weight each
 * new one came from, so optimiser state can follow.
 */
import { neuronType, SELF_TYPE } from '../machine/neuron-types';
import { compareLinks, linkLabel, matrixLinks, vectorToMatrix, type Link, type MachineSpec } from '../machine/spec';
import { OUTPUT_NEURON } from '../problems/duplicates/base';

export interface Circuit {
  /** Neurons and hard links (its `trainable` is not used: see links/weights). */
  readonly base: MachineSpec;
  /** Soft links in parameter order (sorted as matrixLinks sorts them). */
  readonly links: readonly Link[];
  readonly weights: Float64Array;
}

export function circuitFromSpec(spec: MachineSpec): Circuit {
  const links = matrixLinks(spec.trainable);
  return {
    base: spec,
    links: links.map(({ to, toPort, from, fromPort }) => ({ to, toPort, from, fromPort })),
    weights: Float64Array.from(links, (l) => l.weight),
  };
}

/**
 * Weights are read in the engine's parameter order, which is the links' sorted order: a
 * circuit whose links are out of order (or repeated) would pair weights with the wrong
 * links, so it is refused.
 */
export function assertParameterOrder(c: Circuit): void {
  if (c.links.length !== c.weights.length) throw new RangeError(`circuit has ${c.links.length} links but ${c.weights.length} weights`);
  for (let i = 1; i < c.links.length; i++) {
    if (compareLinks(c.links[i - 1] as Link, c.links[i] as Link) >= 0) {
      throw new RangeError(
        `circuit links out of parameter order at ${i}: ${linkLabel(c.links[i - 1] as Link)} then ${linkLabel(c.links[i] as Link)}`,
      );
    }
  }
}

export function circuitToSpec(c: Circuit): MachineSpec {
  return { ...c.base, trainable: vectorToMatrix(c.links, c.weights) };
}

/** The circuit keeping only the soft links `keep` (old indices, ascending). */
export function keepLinks(c: Circuit, keep: readonly number[]): Circuit {
  return {
    base: c.base,
    links: keep.map((i) => c.links[i] as Link),
    weights: Float64Array.from(keep, (i) => c.weights[i] as number),
  };
}

export function copyCircuit(c: Circuit): Circuit {
  return { base: c.base, links: c.links.slice(), weights: Float64Array.from(c.weights) };
}

/**
 * Soft links that cannot change the output: into a neuron with no path to a sink (the
 * neurons whose inputs the loss reads, `output` by default), or out of an interneuron
 * whose output is identically zero (every input it has comes from such neurons). Removing
 * them changes nothing the loss can see.
 *
 * In a machine with a `Self` neuron links appear while it runs (deltas write them into the
 * matrix), so there a neuron without a path to a sink in the starting matrix may still get
 * one: only the second rule applies.
 */
export function deadLinks(c: Circuit, sinks: readonly string[] = [OUTPUT_NEURON]): number[] {
  const hard = matrixLinks(c.base.fixed);
  const all: Link[] = [...c.links, ...hard];
  const types = new Map(c.base.neurons.map((n) => [n.name, n.type]));
  const selfModifying = c.base.neurons.some((n) => n.type === SELF_TYPE);
  const useful = new Set(selfModifying ? c.base.neurons.map((n) => n.name) : sinks);
  for (let changed = true; changed;) {
    changed = false;
    for (const l of all) {
      if (useful.has(l.to) && l.from !== l.to && !useful.has(l.from)) {
        useful.add(l.from);
        changed = true;
      }
    }
  }
  // sources (non-interneurons) may be non-zero; an interneuron only if a non-zero neuron feeds it
  const alive = new Set(c.base.neurons.filter((n) => !neuronType(n.type).interneuron).map((n) => n.name));
  for (let changed = true; changed;) {
    changed = false;
    for (const l of all) {
      const t = types.get(l.to);
      if (t !== undefined && alive.has(l.from) && l.from !== l.to && !alive.has(l.to) && neuronType(t).interneuron) {
        alive.add(l.to);
        changed = true;
      }
    }
  }
  const out: number[] = [];
  c.links.forEach((l, i) => {
    if (!useful.has(l.to) || !alive.has(l.from) || !types.has(l.to) || !types.has(l.from)) out.push(i);
  });
  return out;
}

export interface Merge {
  /** Index of the link that stays (old numbering) and absorbs `absorbed`. */
  readonly kept: number;
  readonly absorbed: number;
  readonly label: string;
}

/**
 * Parallel soft links that one link can replace without changing the function:
 * - into a `compare`, from the same source port to dict-1 (w₁) and dict-2 (w₂): only
 *   dict-1 − dict-2 matters, so dict-1 gets w₁ − w₂;
 * - into an `accum`, from the same source port to dict-1 and dict-2: only their sum
 *   matters, so dict-2 gets w₁ + w₂.
 */
export function parallelMerges(c: Circuit): Merge[] {
  const types = new Map(c.base.neurons.map((n) => [n.name, n.type]));
  const groups = new Map<string, number[]>();
  c.links.forEach((l, i) => {
    const t = types.get(l.to);
    if ((t === 'compare' || t === 'accum') && (l.toPort === 'dict-1' || l.toPort === 'dict-2')) {
      const key = JSON.stringify([l.to, l.from, l.fromPort]);
      groups.set(key, [...(groups.get(key) ?? []), i]);
    }
  });
  const merges: Merge[] = [];
  for (const idx of groups.values()) {
    if (idx.length !== 2) continue;
    const [i, j] = idx as [number, number];
    const t = types.get((c.links[i] as Link).to);
    const keepPort = t === 'compare' ? 'dict-1' : 'dict-2';
    const kept = (c.links[i] as Link).toPort === keepPort ? i : j;
    const absorbed = kept === i ? j : i;
    merges.push({ kept, absorbed, label: `${linkLabel(c.links[absorbed] as Link)} into ${linkLabel(c.links[kept] as Link)}` });
  }
  return merges;
}

/** Applies merges: the kept links' weights become the merged weights; absorbed links go. */
export function applyMerges(c: Circuit, merges: readonly Merge[]): { circuit: Circuit; keep: number[] } {
  const w = Float64Array.from(c.weights);
  const types = new Map(c.base.neurons.map((n) => [n.name, n.type]));
  const gone = new Set<number>();
  for (const m of merges) {
    const t = types.get((c.links[m.kept] as Link).to);
    const a = w[m.kept] as number;
    const b = w[m.absorbed] as number;
    w[m.kept] = t === 'compare' ? a - b : a + b;
    gone.add(m.absorbed);
  }
  const keep = c.links.map((_, i) => i).filter((i) => !gone.has(i));
  return { circuit: keepLinks({ ...c, weights: w }, keep), keep };
}

/** Indices of `c` without those in `drop`, ascending. */
export function complement(c: Circuit, drop: Iterable<number>): number[] {
  const gone = new Set(drop);
  return c.links.map((_, i) => i).filter((i) => !gone.has(i));
}

/** Interneurons with at least one soft link, in name order. */
export function interneuronsOf(c: Circuit): string[] {
  const types = new Map(c.base.neurons.map((n) => [n.name, n.type]));
  const names = new Set<string>();
  for (const l of c.links) {
    for (const n of [l.to, l.from]) {
      const t = types.get(n);
      if (t !== undefined && neuronType(t).interneuron) names.add(n);
    }
  }
  return [...names].sort();
}

export function sortedLinks(links: readonly Link[]): Link[] {
  return [...links].sort(compareLinks);
}

/** A stable key of a link (names may contain any character). */
export function linkKey(l: Link): string {
  return JSON.stringify([l.to, l.toPort, l.from, l.fromPort]);
}

/** Neuron types whose output scales with proportional inputs: out(s·x) = g(s)·out(x). */
const HOMOGENEOUS: Readonly<Record<string, (s: number) => number | undefined>> = {
  accum: (s) => s, // linear, memory included
  identity: (s) => s, // linear
  mult: (s) => s * s, // bilinear: both the gate and the main input scale
  norm: (s) => Math.abs(s), // max-norm
  compare: (s) => (s > 0 ? s : undefined), // relu of a difference: positive scales only
};

export interface NeuronMerge {
  /** The neuron that stays and the duplicate folded into it. */
  readonly kept: string;
  readonly removed: string;
  /** removed's output = factor · kept's output. */
  readonly factor: number;
}

/**
 * Duplicate neurons: two neurons of a homogeneous type whose soft inputs come from the
 * same source ports with proportional weights (ratio s) and whose hard links match. The
 * duplicate's output is g(s) times the other's, so its outgoing links can move onto the
 * other neuron (scaled), provided the matching links are in `allowed` (keys from linkKey).
 */
export function duplicateNeurons(c: Circuit, allowed: ReadonlySet<string>, tolerance = 1e-9): NeuronMerge[] {
  const types = new Map(c.base.neurons.map((n) => [n.name, n.type]));
  const inputs = new Map<string, Map<string, number>>();
  c.links.forEach((l, i) => {
    const key = JSON.stringify([l.toPort, l.from, l.fromPort]);
    const m = inputs.get(l.to) ?? new Map<string, number>();
    m.set(key, c.weights[i] as number);
    inputs.set(l.to, m);
  });
  const names = interneuronsOf(c).filter((n) => HOMOGENEOUS[types.get(n) ?? ''] !== undefined && inputs.has(n));
  const out: NeuronMerge[] = [];
  const taken = new Set<string>();
  for (let a = 0; a < names.length; a++) {
    const kept = names[a] as string;
    if (taken.has(kept)) continue;
    for (let b = a + 1; b < names.length; b++) {
      const removed = names[b] as string;
      if (taken.has(removed) || types.get(kept) !== types.get(removed)) continue;
      const ia = inputs.get(kept) as Map<string, number>;
      const ib = inputs.get(removed) as Map<string, number>;
      if (ia.size !== ib.size || [...ia.keys()].some((k) => k.includes(`"${kept}"`) || k.includes(`"${removed}"`))) continue;
      let ratio: number | undefined;
      let same = true;
      for (const [k, wa] of ia) {
        const wb = ib.get(k);
        if (wb === undefined || wa === 0) {
          same = false;
          break;
        }
        const r = wb / wa;
        if (ratio === undefined) ratio = r;
        else if (Math.abs(r - ratio) > tolerance * Math.abs(ratio)) {
          same = false;
          break;
        }
      }
      const factor = same && ratio !== undefined ? HOMOGENEOUS[types.get(kept) as string]?.(ratio) : undefined;
      if (factor === undefined) continue;
      // every outgoing link of the duplicate needs a counterpart from the kept neuron
      const movable = c.links.every((l) => l.from !== removed || l.to === removed || allowed.has(linkKey({ ...l, from: kept })));
      if (!movable) continue;
      out.push({ kept, removed, factor });
      taken.add(kept);
      taken.add(removed);
      break;
    }
  }
  return out;
}

/** Folds duplicates into the neurons they duplicate (their outgoing weights move over, scaled). */
export function applyNeuronMerges(c: Circuit, merges: readonly NeuronMerge[]): Circuit {
  const key = linkKey;
  const weights = new Map<string, [Link, number]>(c.links.map((l, i) => [key(l), [l, c.weights[i] as number]]));
  for (const m of merges) {
    for (const [k, [l, w]] of [...weights]) {
      if (l.to === m.removed) {
        weights.delete(k); // its inputs go with it
      } else if (l.from === m.removed) {
        weights.delete(k);
        const moved: Link = { ...l, from: m.kept };
        const prev = weights.get(key(moved));
        weights.set(key(moved), [moved, (prev?.[1] ?? 0) + m.factor * w]);
      }
    }
  }
  const entries = [...weights.values()].sort((a, b) => compareLinks(a[0], b[0]));
  return { base: c.base, links: entries.map(([l]) => l), weights: Float64Array.from(entries, ([, w]) => w) };
}
