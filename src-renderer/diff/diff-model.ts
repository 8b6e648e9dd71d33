/**
 * The diff of two circuits as the screen shows it: the alignment (src-shared/diff/align.ts)
 * with the person's pinned pairs on top, the union of the two circuits' neurons (a matched
 * pair is one union neuron), and the link classification at a |w| threshold
 * (src-shared/diff/link-diff.ts). Pure: the alignment is computed once per pair of circuits
 * and pin set; moving the threshold only re-classifies links.
 */
import { alignCircuits, type Alignment } from '@shared/diff/align';
import { diffLinks, type LinkDiff } from '@shared/diff/link-diff';
import type { AlignmentEvidence } from '@shared/diff/traces';
import { matrixLinks, type MachineSpec } from '@shared/machine/spec';

export type Pair = readonly [string, string];

export interface DiffModel {
  readonly a: MachineSpec;
  readonly b: MachineSpec;
  readonly alignment: Alignment;
  /** The pins used (those that name neurons of both circuits, of one type). */
  readonly pinned: readonly Pair[];
  /** Pins left out, with why (a saved comparison whose circuit changed, say). */
  readonly ignored: readonly { readonly pair: Pair; readonly reason: string }[];
  readonly aToB: ReadonlyMap<string, string>;
  readonly bToA: ReadonlyMap<string, string>;
  readonly typesA: ReadonlyMap<string, string>;
  readonly typesB: ReadonlyMap<string, string>;
  /** Neurons of each side that carry at least one soft link (those drawn). */
  readonly shownA: readonly string[];
  readonly shownB: readonly string[];
}

export type Evidence = AlignmentEvidence;

export interface AlignSettings {
  /** The behavioural evidence (alignmentEvidence(a, b), computed by the caller); without it the alignment is structural. */
  readonly evidence?: Evidence | null;
}

const typesOf = (spec: MachineSpec): Map<string, string> => new Map(spec.neurons.map((n) => [n.name, n.type]));

function linked(spec: MachineSpec): string[] {
  const names = new Set<string>();
  for (const l of matrixLinks(spec.trainable)) {
    names.add(l.to);
    names.add(l.from);
  }
  const types = typesOf(spec);
  return [...names].filter((n) => types.has(n)).sort();
}

/** Why a pin cannot be used, or undefined when it can. */
export function pinProblem(pair: Pair, typesA: ReadonlyMap<string, string>, typesB: ReadonlyMap<string, string>): string | undefined {
  const [x, y] = pair;
  const ta = typesA.get(x);
  const tb = typesB.get(y);
  if (ta === undefined) return `circuit A has no neuron "${x}"`;
  if (tb === undefined) return `circuit B has no neuron "${y}"`;
  if (ta !== tb) return `"${x}" is ${article(ta)} ${ta} and "${y}" ${article(tb)} ${tb}: only neurons of one type pair`;
  return undefined;
}

const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

export function buildDiffModel(a: MachineSpec, b: MachineSpec, pins: readonly Pair[], settings: AlignSettings = {}): DiffModel {
  const typesA = typesOf(a);
  const typesB = typesOf(b);
  const pinned: Pair[] = [];
  const ignored: { pair: Pair; reason: string }[] = [];
  const usedA = new Set<string>();
  const usedB = new Set<string>();
  for (const p of pins) {
    const reason = pinProblem(p, typesA, typesB) ?? (usedA.has(p[0]) || usedB.has(p[1]) ? 'a neuron pinned twice' : undefined);
    if (reason) {
      ignored.push({ pair: p, reason });
      continue;
    }
    pinned.push(p);
    usedA.add(p[0]);
    usedB.add(p[1]);
  }
  // behaviour: trace correlations and regimes on the probe strings (src-shared/diff/traces.ts)
  const alignment = alignCircuits(a, b, { ...(settings.evidence ?? {}), pinned });
  const aToB = new Map(alignment.pairs.map((p) => [p.a, p.b]));
  const bToA = new Map(alignment.pairs.map((p) => [p.b, p.a]));
  return { a, b, alignment, pinned, ignored, aToB, bToA, typesA, typesB, shownA: linked(a), shownB: linked(b) };
}

/** The links of both circuits classified, leaving out |w| ≤ threshold on both sides. */
export function linkDiffAt(model: DiffModel, threshold: number): LinkDiff {
  return diffLinks(model.a, model.b, model.alignment, threshold > 0 ? { minAbsWeight: threshold } : {});
}

/**
 * The pins after the person drops neuron `b` of B onto neuron `a` of A: the new pair
 * replaces every pin that used either neuron.
 */
export function repair(pins: readonly Pair[], a: string, b: string): Pair[] {
  return [...pins.filter(([x, y]) => x !== a && y !== b), [a, b]];
}

// ---------------------------------------------------------------- the union of the two circuits

/** Union ids: a neuron of A (paired or not) is `a:NAME`; a neuron only in B is `b:NAME`. */
export const unionOfA = (name: string): string => `a:${name}`;
export function unionOfB(model: DiffModel, name: string): string {
  const a = model.bToA.get(name);
  return a !== undefined ? unionOfA(a) : `b:${name}`;
}

export interface UnionNeuron {
  readonly id: string;
  readonly a?: string;
  readonly b?: string;
  readonly type: string;
  /** `name`, or `nameA ⇄ nameB` when the pair's names differ. */
  readonly label: string;
  readonly side: 'both' | 'only-a' | 'only-b';
}

/** The drawn neurons of both circuits, a matched pair once: pairs, then A-only, then B-only, each by type and name. */
export function unionNeurons(model: DiffModel): UnionNeuron[] {
  const out: UnionNeuron[] = [];
  const seenB = new Set<string>();
  for (const a of model.shownA) {
    const b = model.aToB.get(a);
    const type = model.typesA.get(a) ?? 'unknown';
    if (b !== undefined) {
      seenB.add(b);
      out.push({ id: unionOfA(a), a, b, type, label: a === b ? a : `${a} ⇄ ${b}`, side: 'both' });
    } else {
      out.push({ id: unionOfA(a), a, type, label: a, side: 'only-a' });
    }
  }
  // a B neuron drawn whose partner in A carries no soft link still shows, on A's union id
  for (const b of model.shownB) {
    if (seenB.has(b)) continue;
    const a = model.bToA.get(b);
    const type = model.typesB.get(b) ?? 'unknown';
    if (a !== undefined) out.push({ id: unionOfA(a), a, b, type, label: a === b ? a : `${a} ⇄ ${b}`, side: 'both' });
    else out.push({ id: `b:${b}`, b, type, label: b, side: 'only-b' });
  }
  const rank = { both: 0, 'only-a': 1, 'only-b': 2 } as const;
  return out.sort((x, y) => rank[x.side] - rank[y.side] || cmp(x.type, y.type) || cmp(x.label, y.label));
}

const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
