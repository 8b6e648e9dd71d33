/**
 * Alignment of the neurons of two circuits ("Alignment" of the diff screen).
 *
 * 1. Anchors: the driving and sink neurons (`input`, `output`, `eos`, `const_1`, `timer`)
 *    are paired by name when both sides have them with the same type; pairs pinned by the
 *    person (re-pairing by dragging) are anchors too.
 * 2. Within each neuron type, the remaining neurons are paired by an optimal assignment
 *    (Hungarian, src-shared/diff/hungarian.ts) on a cost in [0, 1]:
 *      cost = (1 − β)·structural + β·behavioural      (β = 0 without traces)
 *    - structural: each neuron has an in-signature and an out-signature, vectors of summed
 *      |w| keyed by (direction, link kind soft/hard, own port, other end's type and port),
 *      and the same with the own port left out (`*`, so a compare wired through `false`
 *      still resembles one wired through `true`). A source that is constant by its wiring
 *      is keyed `const` whatever its type. When the other end is already identified on both
 *      sides (an anchor or, from the second round on, a pair found by the previous round),
 *      the link is also keyed by that identity. Each
 *      signature is normalised to sum 1 (the scale of the weights does not matter, their
 *      proportions do); the distance of two signatures is the weighted Jaccard
 *      (Ruzicka) distance 1 − Σmin/Σmax, and structural = mean of the in and out distances.
 *      Rounds are repeated (default 3) so identities spread outward from the anchors.
 *    - behavioural: 1 − |corr| of the two neurons' traces on the same probe strings
 *      (src-shared/diff/traces.ts), when traces are given for both sides; and 1 (as far
 *      apart as traces can be) when `nonlinearity` is given and one neuron acted as an
 *      affine map of its inputs on the probes while the other did not (traces.ts,
 *      neuronProfiles). Why: correlation is blind to the regime a neuron works in. Any
 *      affine relay of a signal correlates with every other affine function of it, so a
 *      compare whose hinge is never crossed (relu of a quantity that never changes sign:
 *      a gain stage) looks like a comparator that actually switches, as long as both follow
 *      the same count. Whether a neuron bends on the probes is what makes it a comparator,
 *      a max or a product rather than a wire; two neurons that differ in that do different
 *      jobs, whatever their correlation. (The 2022 sparse20 circuit: the hand-crafted
 *      compare.true = relu(norm − 1) switches at the first repeat; compare-4-2.false =
 *      relu(1.27·norm) never switches (norm ≥ 0) and correlates 0.48 with it, the
 *      thresholding compare-3-1 only 0.23; the regime term pairs compare with compare-3-1,
 *      as a reader does; see test/unit/diff-align.test.ts.)
 * 3. A pair whose cost exceeds `threshold` is never made: such neurons stay unmatched.
 *
 * Everything is deterministic: neurons are processed in name order, exact ties prefer
 * equal names, then the Hungarian solver's own deterministic order.
 */
import { neuronType } from '../machine/neuron-types';
import { matrixLinks, type MachineSpec, type WeightedLink } from '../machine/spec';
import { assign } from './hungarian';
import { AFFINE_TOLERANCE, behaviouralDistance } from './traces';

/** Names anchored across circuits (the neurons every duplicate-detector machine has, src-shared/problems/duplicates/base.ts). */
export const ANCHOR_NAMES: readonly string[] = ['input', 'output', 'eos', 'const_1', 'timer'];

export interface AlignOptions {
  /** Per-neuron traces of each side on the same probes (src-shared/diff/traces.ts). */
  readonly traces?: { readonly a: ReadonlyMap<string, ArrayLike<number>>; readonly b: ReadonlyMap<string, ArrayLike<number>> };
  /**
   * Nonlinearity ν of each neuron on the same probes (traces.ts, neuronProfiles): a pair of
   * which exactly one side is affine (ν ≤ AFFINE_TOLERANCE) has behavioural distance 1.
   */
  readonly nonlinearity?: { readonly a: ReadonlyMap<string, number>; readonly b: ReadonlyMap<string, number> };
  /** β, the share of behaviour in the cost when traces are given (default 0.5). */
  readonly behaviourWeight?: number;
  /** Pairs costing more than this stay unmatched (default 0.75). */
  readonly threshold?: number;
  /** Rounds of signature refinement (default 3, at least 1). */
  readonly rounds?: number;
  /** Names to anchor when present on both sides with the same type (default ANCHOR_NAMES). */
  readonly anchors?: readonly string[];
  /** Pairs fixed by the person, [nameInA, nameInB]; they override everything else. */
  readonly pinned?: ReadonlyArray<readonly [string, string]>;
}

export interface AlignedPair {
  readonly a: string;
  readonly b: string;
  readonly cost: number;
  readonly structural: number;
  /** 1 − |corr| of the traces, or null without traces. */
  readonly behavioural: number | null;
  /** How the pair was made. */
  readonly via: 'anchor' | 'pinned' | 'assignment';
}

export interface Alignment {
  /** Sorted by `a`. */
  readonly pairs: readonly AlignedPair[];
  readonly onlyA: readonly string[];
  readonly onlyB: readonly string[];
}

type Signature = Map<string, number>;

interface Side {
  readonly spec: MachineSpec;
  readonly types: ReadonlyMap<string, string>;
  /** Links touching each neuron, with their kind. */
  readonly incoming: ReadonlyMap<string, ReadonlyArray<readonly ['s' | 'h', WeightedLink]>>;
  readonly outgoing: ReadonlyMap<string, ReadonlyArray<readonly ['s' | 'h', WeightedLink]>>;
  /** Neurons whose output cannot change over a run (see constantNeurons). */
  readonly constant: ReadonlySet<string>;
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sideOf(spec: MachineSpec): Side {
  const types = new Map<string, string>();
  for (const n of spec.neurons) {
    if (types.has(n.name)) throw new RangeError(`duplicate neuron name "${n.name}"`);
    types.set(n.name, n.type);
  }
  const incoming = new Map<string, Array<readonly ['s' | 'h', WeightedLink]>>();
  const outgoing = new Map<string, Array<readonly ['s' | 'h', WeightedLink]>>();
  for (const name of types.keys()) {
    incoming.set(name, []);
    outgoing.set(name, []);
  }
  for (const [kind, m] of [
    ['s', spec.trainable],
    ['h', spec.fixed],
  ] as const) {
    for (const l of matrixLinks(m)) {
      if (!types.has(l.to) || !types.has(l.from)) continue; // dangling links carry no structure
      incoming.get(l.to)!.push([kind, l]);
      outgoing.get(l.from)!.push([kind, l]);
    }
  }
  return { spec, types, incoming, outgoing, constant: constantNeurons(types, incoming) };
}

/**
 * Neurons whose output is the same at every cycle of every run, as far as the wiring shows:
 * types without inputs other than `input`'s driver (const_1, eos, const), and, to a fixpoint,
 * neurons without a self-link all of whose inputs come from such neurons (the 2022 circuits
 * build constants out of a compare fed by const_1 only). In signatures they are all `const`.
 */
function constantNeurons(
  types: ReadonlyMap<string, string>,
  incoming: ReadonlyMap<string, ReadonlyArray<readonly ['s' | 'h', WeightedLink]>>,
): Set<string> {
  const constant = new Set<string>();
  for (const [name, type] of types) {
    const t = neuronType(type);
    if (t.inputs.length === 0 && t.outputs.length > 0 && type !== 'input') constant.add(name);
  }
  for (let changed = true; changed;) {
    changed = false;
    for (const name of types.keys()) {
      if (constant.has(name)) continue;
      const links = incoming.get(name)!.filter(([, l]) => l.weight !== 0);
      if (links.length === 0) continue; // a neuron never fed is silent, not a constant source
      if (links.every(([, l]) => l.from !== name && constant.has(l.from))) {
        constant.add(name);
        changed = true;
      }
    }
  }
  return constant;
}

function addTo(sig: Signature, key: string, x: number): void {
  sig.set(key, (sig.get(key) ?? 0) + x);
}

function normalised(sig: Signature): Signature {
  let total = 0;
  for (const x of sig.values()) total += x;
  if (!(total > 0)) return new Map();
  const out: Signature = new Map();
  for (const [k, x] of sig) out.set(k, x / total);
  return out;
}

/** In- and out-signatures of every neuron, `label` giving shared identities. */
function signatures(side: Side, label: ReadonlyMap<string, string>): Map<string, [Signature, Signature]> {
  const out = new Map<string, [Signature, Signature]>();
  for (const name of side.types.keys()) {
    const sIn: Signature = new Map();
    const sOut: Signature = new Map();
    for (const [kind, l] of side.incoming.get(name)!) {
      const w = Math.abs(l.weight);
      if (!(w > 0)) continue;
      const other = l.from === name ? 'self' : side.constant.has(l.from) ? 'const' : `${side.types.get(l.from)!}.${l.fromPort}`;
      const id = l.from === name ? undefined : label.get(l.from);
      for (const port of [l.toPort, '*']) {
        addTo(sIn, `${kind}|${port}|${other}`, w);
        if (id !== undefined) addTo(sIn, `${kind}|${port}|@${id}.${l.fromPort}`, w);
      }
    }
    for (const [kind, l] of side.outgoing.get(name)!) {
      const w = Math.abs(l.weight);
      if (!(w > 0)) continue;
      const other = l.to === name ? 'self' : `${side.types.get(l.to)!}.${l.toPort}`;
      const id = l.to === name ? undefined : label.get(l.to);
      for (const port of [l.fromPort, '*']) {
        addTo(sOut, `${kind}|${port}|${other}`, w);
        if (id !== undefined) addTo(sOut, `${kind}|${port}|@${id}.${l.toPort}`, w);
      }
    }
    out.set(name, [normalised(sIn), normalised(sOut)]);
  }
  return out;
}

/** Weighted Jaccard (Ruzicka) distance of two non-negative vectors: 1 − Σmin/Σmax; 0 for two empty ones. */
export function ruzickaDistance(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  let min = 0;
  let max = 0;
  for (const [k, x] of a) {
    const y = b.get(k) ?? 0;
    min += Math.min(x, y);
    max += Math.max(x, y);
  }
  for (const [k, y] of b) if (!a.has(k)) max += y;
  return max > 0 ? 1 - min / max : 0;
}

function structuralDistance(a: readonly [Signature, Signature], b: readonly [Signature, Signature]): number {
  return 0.5 * ruzickaDistance(a[0], b[0]) + 0.5 * ruzickaDistance(a[1], b[1]);
}

/** Tiny penalty for pairing different names, so exact ties keep a neuron with its namesake. */
const NAME_TIE_BREAK = 1e-9;

/** Aligns the neurons of `specA` with those of `specB` (see the module comment). */
export function alignCircuits(specA: MachineSpec, specB: MachineSpec, options: AlignOptions = {}): Alignment {
  const A = sideOf(specA);
  const B = sideOf(specB);
  const threshold = options.threshold ?? 0.75;
  const rounds = Math.max(1, Math.floor(options.rounds ?? 3));
  const traces = options.traces;
  const beta = traces ? (options.behaviourWeight ?? 0.5) : 0;
  if (!(beta >= 0 && beta <= 1)) throw new RangeError(`behaviourWeight must be in [0, 1], got ${beta}`);
  if (!(threshold >= 0 && Number.isFinite(threshold))) throw new RangeError(`threshold must be finite and ≥ 0, got ${threshold}`);

  // fixed pairs: pinned first, then name anchors among what is left
  const fixed: Array<{ a: string; b: string; via: 'anchor' | 'pinned' }> = [];
  const usedA = new Set<string>();
  const usedB = new Set<string>();
  for (const [a, b] of options.pinned ?? []) {
    if (!A.types.has(a)) throw new RangeError(`pinned pair names "${a}", which is not in circuit A`);
    if (!B.types.has(b)) throw new RangeError(`pinned pair names "${b}", which is not in circuit B`);
    if (usedA.has(a) || usedB.has(b)) throw new RangeError(`"${a}" or "${b}" is pinned twice`);
    fixed.push({ a, b, via: 'pinned' });
    usedA.add(a);
    usedB.add(b);
  }
  for (const name of options.anchors ?? ANCHOR_NAMES) {
    const ta = A.types.get(name);
    if (ta === undefined || ta !== B.types.get(name) || usedA.has(name) || usedB.has(name)) continue;
    fixed.push({ a: name, b: name, via: 'anchor' });
    usedA.add(name);
    usedB.add(name);
  }

  const behaviour = (a: string, b: string): number | null => {
    if (!traces) return null;
    const ta = traces.a.get(a);
    const tb = traces.b.get(b);
    if (!ta || !tb) return 1;
    const na = options.nonlinearity?.a.get(a);
    const nb = options.nonlinearity?.b.get(b);
    if (na !== undefined && nb !== undefined && na <= AFFINE_TOLERANCE !== nb <= AFFINE_TOLERANCE) return 1;
    return behaviouralDistance(ta, tb);
  };

  // free neurons grouped by type, in name order
  const group = (side: Side, used: ReadonlySet<string>): Map<string, string[]> => {
    const g = new Map<string, string[]>();
    for (const name of [...side.types.keys()].sort(byName)) {
      if (used.has(name)) continue;
      const t = side.types.get(name)!;
      if (!g.has(t)) g.set(t, []);
      g.get(t)!.push(name);
    }
    return g;
  };
  const freeA = group(A, usedA);
  const freeB = group(B, usedB);
  const behaviourCache = new Map<string, number | null>();
  const behaviourOf = (a: string, b: string): number | null => {
    const key = `${a}\u0000${b}`;
    if (!behaviourCache.has(key)) behaviourCache.set(key, behaviour(a, b));
    return behaviourCache.get(key)!;
  };

  let found: AlignedPair[] = [];
  for (let round = 0; round < rounds; round++) {
    const labelA = new Map<string, string>();
    const labelB = new Map<string, string>();
    const identify = (a: string, b: string): void => {
      const id = a === b ? a : `${a}\u21c4${b}`;
      labelA.set(a, id);
      labelB.set(b, id);
    };
    for (const f of fixed) identify(f.a, f.b);
    for (const p of found) identify(p.a, p.b);
    const sigA = signatures(A, labelA);
    const sigB = signatures(B, labelB);
    const next: AlignedPair[] = [];
    for (const [type, rows] of [...freeA].sort(([x], [y]) => byName(x, y))) {
      const cols = freeB.get(type);
      if (!cols || cols.length === 0) continue;
      const detail = rows.map((a) =>
        cols.map((b) => {
          const structural = structuralDistance(sigA.get(a)!, sigB.get(b)!);
          const behavioural = behaviourOf(a, b);
          const cost = (1 - beta) * structural + beta * (behavioural ?? 0);
          return { structural, behavioural, cost };
        }),
      );
      const matrix = detail.map((row, i) => row.map((d, j) => d.cost + (rows[i] === cols[j] ? 0 : NAME_TIE_BREAK)));
      const result = assign(matrix, { threshold: threshold + NAME_TIE_BREAK });
      result.rowToCol.forEach((j, i) => {
        if (j < 0) return;
        const d = detail[i]![j]!;
        if (d.cost > threshold) return;
        next.push({ a: rows[i]!, b: cols[j]!, ...d, via: 'assignment' });
      });
    }
    const same = next.length === found.length && next.every((p, k) => p.a === found[k]!.a && p.b === found[k]!.b);
    found = next;
    if (same && round > 0) break;
  }

  // costs of the fixed pairs, with every identity known
  const labelA = new Map<string, string>();
  const labelB = new Map<string, string>();
  for (const p of [...fixed, ...found]) {
    const id = p.a === p.b ? p.a : `${p.a}\u21c4${p.b}`;
    labelA.set(p.a, id);
    labelB.set(p.b, id);
  }
  const sigA = signatures(A, labelA);
  const sigB = signatures(B, labelB);
  const pairs: AlignedPair[] = [
    ...fixed.map((f) => {
      const structural = structuralDistance(sigA.get(f.a)!, sigB.get(f.b)!);
      const behavioural = behaviourOf(f.a, f.b);
      return { a: f.a, b: f.b, cost: (1 - beta) * structural + beta * (behavioural ?? 0), structural, behavioural, via: f.via };
    }),
    ...found,
  ].sort((x, y) => byName(x.a, y.a));
  const pairedA = new Set(pairs.map((p) => p.a));
  const pairedB = new Set(pairs.map((p) => p.b));
  return {
    pairs,
    onlyA: [...A.types.keys()].filter((n) => !pairedA.has(n)).sort(byName),
    onlyB: [...B.types.keys()].filter((n) => !pairedB.has(n)).sort(byName),
  };
}

/** The alignment as a map from A's names to B's. */
export function pairMap(alignment: Alignment): Map<string, string> {
  return new Map(alignment.pairs.map((p) => [p.a, p.b]));
}
