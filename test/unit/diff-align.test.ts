// Neuron alignment of two circuits (src-shared/diff/align.ts, issue 7): identity, renamed
// copies, the 2022 sparse20 circuit against the hand-crafted detector, and speed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignCircuits, pairMap, ruzickaDistance, type Alignment } from '../../src-shared/diff/align';
import { AFFINE_TOLERANCE, alignmentEvidence, behaviouralDistance, neuronTraces, unexplainedShare } from '../../src-shared/diff/traces';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { linksToMatrix, matrixLinks, type MachineSpec } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { Rng } from '../../src-shared/util/rng';

const DIR = new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url);
const load = (file: string): MachineSpec => importPrototypeMatrix(readFileSync(new URL(file, DIR), 'utf8'), file);

const ANCHORS = new Set(['input', 'output', 'eos', 'const_1', 'timer']);

/** The project's seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

function shuffle<T>(xs: readonly T[], r: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The same machine with neurons renamed by `rename` (names not in it are kept) and listed in another order. */
function renamed(spec: MachineSpec, rename: ReadonlyMap<string, string>, r: () => number): MachineSpec {
  const n = (x: string): string => rename.get(x) ?? x;
  const mapLinks = (m: MachineSpec['trainable']) =>
    linksToMatrix(shuffle(matrixLinks(m), r).map((l) => ({ ...l, to: n(l.to), from: n(l.from) })));
  return {
    neurons: shuffle(
      spec.neurons.map((x) => ({ ...x, name: n(x.name) })),
      r,
    ),
    fixed: mapLinks(spec.fixed),
    trainable: mapLinks(spec.trainable),
  };
}

/** Interneuron names permuted among neurons of the same type (accum-1-1 may become accum-3-2). */
function shuffledNames(spec: MachineSpec, r: () => number): Map<string, string> {
  const byType = new Map<string, string[]>();
  for (const x of spec.neurons) {
    if (ANCHORS.has(x.name)) continue;
    if (!byType.has(x.type)) byType.set(x.type, []);
    byType.get(x.type)!.push(x.name);
  }
  const rename = new Map<string, string>();
  for (const names of byType.values()) {
    // a derangement-ish shuffle: rotate a shuffled order by one so no name stays put
    const order = shuffle(names, r);
    order.forEach((name, i) => rename.set(name, order[(i + 1) % order.length]!));
  }
  return rename;
}

function expectAlignedBy(al: Alignment, spec: MachineSpec, rename: ReadonlyMap<string, string>): void {
  expect(al.onlyA).toEqual([]);
  expect(al.onlyB).toEqual([]);
  const got = pairMap(al);
  for (const x of spec.neurons) expect([x.name, got.get(x.name)]).toEqual([x.name, rename.get(x.name) ?? x.name]);
}

describe('alignCircuits', () => {
  it('aligns identical circuits perfectly: every neuron to itself at zero cost', () => {
    for (const spec of [handcraftedDetector(), load('sparse16-after-2500-steps-matrix.json'), load('2500-steps-matrix.json')]) {
      const al = alignCircuits(spec, spec);
      expectAlignedBy(al, spec, new Map());
      for (const p of al.pairs) {
        expect(p.structural).toBeCloseTo(0, 12);
        expect(p.cost).toBeCloseTo(0, 12);
        expect(p.behavioural).toBeNull();
      }
    }
    const spec = load('sparse20-after-200-steps-matrix.json');
    const t = neuronTraces(spec);
    const al = alignCircuits(spec, spec, { traces: { a: t, b: t } });
    expectAlignedBy(al, spec, new Map());
    for (const p of al.pairs) expect(p.cost).toBeCloseTo(0, 9);
  });

  it('aligns a renamed, reshuffled copy back to the original names by structure alone', () => {
    const r = rng(7);
    for (const file of ['sparse16-after-2500-steps-matrix.json', 'sparse20-after-200-steps-matrix.json', '2500-steps-matrix.json']) {
      const spec = load(file);
      // names permuted within each type: the names themselves mislead
      const shuffled = shuffledNames(spec, r);
      expectAlignedBy(alignCircuits(spec, renamed(spec, shuffled, r)), spec, shuffled);
      // opaque names
      const opaque = new Map(
        shuffle(
          spec.neurons.filter((x) => !ANCHORS.has(x.name)),
          r,
        ).map((x, i) => [x.name, `n${i}`] as const),
      );
      expectAlignedBy(alignCircuits(spec, renamed(spec, opaque, r)), spec, opaque);
    }
  });

  it('aligns a renamed copy with traces too, and is deterministic', () => {
    const r = rng(11);
    const spec = load('sparse16-after-2500-steps-matrix.json');
    const rename = shuffledNames(spec, r);
    const copy = renamed(spec, rename, r);
    const traces = { a: neuronTraces(spec), b: neuronTraces(copy) };
    const al = alignCircuits(spec, copy, { traces });
    expectAlignedBy(al, spec, rename);
    for (const p of al.pairs) expect(p.behavioural).toBeCloseTo(0, 9);
    expect(alignCircuits(spec, copy, { traces })).toEqual(al);
  });

  /*
   * The 2022 19-weight circuit (sparse20) read by hand, against the hand-crafted detector
   * (accum ← input; norm ← accum; compare ← norm vs const_1; dot ← accum · eos;
   *  output.dict-1 ← compare.true; output.dict-2 ← dot.dot):
   *
   *   accum-1-2.dict-2 ← input.char (0.66)                        — the character counter: accum
   *   norm-2-1.dict ← accum-1-2.dict (0.71), input.char (−0.46)    — max count: norm
   *   dot-2-2 ← accum-1-2.dict (−0.72) · eos.char (−1.32)          — the count of '.': dot
   *     (+ input.char −0.48 on dict-1)
   *   output.dict-2 ← compare-5-1.true (1.13), compare-5-1 ← dot-2-2 on both ports (±0.70):
   *     compare-5-1.true = relu(1.41·dot) is a relay with gain on the dict-2 path; the
   *     hand-crafted circuit wires dot straight into output.dict-2, so it has no counterpart.
   *   compare-1-2 ← const_1 on both ports (∓0.44): false ≈ 0.87 at every cycle, a constant.
   *   output.dict-1 ← compare-4-2.false (1.11) and compare-3-1.false (−1.30):
   *     compare-4-2 ← norm-2-1 on both ports (∓0.63): false = relu(1.27·norm), i.e. a linear
   *       relay (norm ≥ 0);
   *     compare-3-1 ← norm-2-1 (±0.27) against the constant compare-1-2.false (∓0.44):
   *       false = relu(0.77 − 0.54·norm), the hinge. Together
   *       output.dict-1 ≈ 0.67·k − 1.30·relu(0.77 − 0.25·k) for a character seen k times:
   *       0, 1, 2 for k = 1, 2, 3, then 2.67 instead of 3 at k = 4 (the circuit's defect).
   *
   * The hand-crafted compare's job, "norm against a constant threshold", is done by
   * compare-3-1, so a reader pairs compare ↔ compare-3-1 and leaves compare-1-2 (a constant
   * source), compare-4-2 (the linear relay) and compare-5-1 (the dict-2 relay) without a
   * counterpart. That is what the structural alignment gives.
   *
   * With behaviour mixed in (β = 0.5) and correlation alone, the hand-crafted
   * compare.true = relu(n − 1) is linear in the count once a character has been seen, so on
   * the probes its trace correlates best with compare-4-2's linear relay (1 − |corr| ≈ 0.52,
   * against ≈ 0.77 for compare-3-1's hinge) and the combined cost prefers compare-4-2.
   * Correlation cannot tell a comparator from a relay of the same count: compare-4-2 never
   * crosses its hinge (relu of 1.27·norm, norm ≥ 0), so on every probe cycle it is an affine
   * map of its inputs, while the hand-crafted compare and compare-3-1 both switch. With the
   * neurons' nonlinearity on the probes given too (traces.ts, neuronProfiles), a pair of a
   * switching and a never-switching neuron is as far apart behaviourally as traces can be,
   * and the mixed alignment makes the reader's pairing (the last test of this block).
   */
  it('aligns the 2022 sparse20 circuit with the hand-crafted detector as a reader would', () => {
    const sparse20 = load('sparse20-after-200-steps-matrix.json');
    const hand = handcraftedDetector();
    const expectedCommon: Array<[string, string]> = [
      ['accum-1-2', 'accum'],
      ['const_1', 'const_1'],
      ['dot-2-2', 'dot'],
      ['eos', 'eos'],
      ['input', 'input'],
      ['norm-2-1', 'norm'],
      ['output', 'output'],
      ['timer', 'timer'],
    ];

    const structural = alignCircuits(sparse20, hand);
    expect(structural.pairs.map((p) => [p.a, p.b])).toEqual(
      [...expectedCommon, ['compare-3-1', 'compare']].sort(([x], [y]) => (x! < y! ? -1 : 1)),
    );
    expect(structural.onlyA).toEqual(['compare-1-2', 'compare-4-2', 'compare-5-1']);
    expect(structural.onlyB).toEqual([]);
    console.log('sparse20 ↔ hand-crafted (structure):', structural.pairs.map((p) => `${p.a}→${p.b} ${p.cost.toFixed(3)}`).join(', '));

    const traces = { a: neuronTraces(sparse20), b: neuronTraces(hand) };
    const mixed = alignCircuits(sparse20, hand, { traces });
    const m = pairMap(mixed);
    // the counter, the max and the dot behave alike (|corr| close to 1)
    for (const a of ['accum-1-2', 'norm-2-1', 'dot-2-2']) {
      const p = mixed.pairs.find((q) => q.a === a)!;
      expect(p.behavioural!).toBeLessThan(0.05);
      expect(m.get(a)).toBe(p.b);
    }

    // the person's pairing can be pinned; pinned pairs override the assignment
    const pinned = alignCircuits(sparse20, hand, { traces, pinned: [['compare-3-1', 'compare']] });
    expect(pinned.pairs.find((p) => p.a === 'compare-3-1')).toMatchObject({ b: 'compare', via: 'pinned' });
    expect(pinned.onlyA).toEqual(['compare-1-2', 'compare-4-2', 'compare-5-1']);
  });

  // With behaviour mixed in, correlation alone pairs the hand-crafted compare with the relay
  // compare-4-2 (see the comment above). The regime term (one side affine on the probes, the
  // other not → behavioural distance 1) restores the reader's pairing without pinning.
  it('with behaviour mixed in, still pairs the hand-crafted compare with compare-3-1', () => {
    const sparse20 = load('sparse20-after-200-steps-matrix.json');
    const hand = handcraftedDetector();
    // correlation alone: the relay wins (the gap this measure closes)
    const byCorrelation = alignCircuits(sparse20, hand, { traces: { a: neuronTraces(sparse20), b: neuronTraces(hand) } });
    expect(pairMap(byCorrelation).get('compare-4-2')).toBe('compare');

    const evidence = alignmentEvidence(sparse20, hand);
    // the regimes, read off the circuits by hand (see the comment above): the relays and the
    // constant compare are affine on the probes, the two thresholding compares are not; the
    // accumulators are always affine, max and product never on these probes
    const affine = (side: ReadonlyMap<string, number>, name: string): boolean => side.get(name)! <= AFFINE_TOLERANCE;
    for (const n of ['compare-1-2', 'compare-4-2', 'compare-5-1', 'accum-1-2'])
      expect([n, affine(evidence.nonlinearity.a, n)]).toEqual([n, true]);
    for (const n of ['compare-3-1', 'norm-2-1', 'dot-2-2']) expect([n, affine(evidence.nonlinearity.a, n)]).toEqual([n, false]);
    for (const n of ['compare', 'norm', 'dot']) expect([n, affine(evidence.nonlinearity.b, n)]).toEqual([n, false]);
    expect(affine(evidence.nonlinearity.b, 'accum')).toBe(true);

    const mixed = alignCircuits(sparse20, hand, evidence);
    console.log(
      'sparse20 ↔ hand-crafted (structure + behaviour):',
      mixed.pairs.map((p) => `${p.a}→${p.b} ${p.cost.toFixed(3)}`).join(', '),
    );
    expect(pairMap(mixed).get('compare-3-1')).toBe('compare');
    expect(mixed.onlyA).toEqual(['compare-1-2', 'compare-4-2', 'compare-5-1']);
    expect(mixed.onlyB).toEqual([]);
    // the rest of the reader's pairing is unchanged, and the counter, max and dot still behave alike
    for (const [a, b] of [
      ['accum-1-2', 'accum'],
      ['norm-2-1', 'norm'],
      ['dot-2-2', 'dot'],
    ] as const) {
      const p = mixed.pairs.find((q) => q.a === a)!;
      expect(p.b).toBe(b);
      expect(p.behavioural!).toBeLessThan(0.05);
    }
  });

  it('with the regime term, a renamed copy still aligns to itself and costs nothing', () => {
    const r = rng(13);
    const spec = load('sparse20-after-200-steps-matrix.json');
    const rename = shuffledNames(spec, r);
    const copy = renamed(spec, rename, r);
    const al = alignCircuits(spec, copy, alignmentEvidence(spec, copy));
    expectAlignedBy(al, spec, rename);
    for (const p of al.pairs) expect(p.cost).toBeCloseTo(0, 9);
  });

  it('leaves neurons unmatched above the threshold and never pairs different types', () => {
    const hand = handcraftedDetector();
    const none = alignCircuits(hand, hand, { threshold: 0, anchors: [] });
    // identical neurons cost 0 ≤ 0: still paired
    expect(none.pairs).toHaveLength(hand.neurons.length);
    const sparse20 = load('sparse20-after-200-steps-matrix.json');
    const strict = alignCircuits(sparse20, hand, { threshold: 0.1 });
    expect(strict.pairs.map((p) => p.via)).toEqual(strict.pairs.map(() => 'anchor'));
    for (const p of alignCircuits(sparse20, hand).pairs) {
      const ta = sparse20.neurons.find((x) => x.name === p.a)!.type;
      const tb = hand.neurons.find((x) => x.name === p.b)!.type;
      expect(ta).toBe(tb);
    }
    expect(() => alignCircuits(hand, hand, { pinned: [['nope', 'accum']] })).toThrow(RangeError);
  });

  it('aligns two circuits of a few hundred links, most neurons to their renamed selves (times printed)', () => {
    // 300 strongest links of the dense 2500-step matrix, against a perturbed, renamed copy
    // with a tenth of its links dropped
    const dense = load('2500-steps-matrix.json');
    const top = matrixLinks(dense.trainable)
      .sort((x, y) => Math.abs(y.weight) - Math.abs(x.weight))
      .slice(0, 300);
    const a: MachineSpec = { ...dense, trainable: linksToMatrix(top) };
    const r = rng(5);
    const rename = shuffledNames(a, r);
    const kept = top.filter(() => r() > 0.1).map((l) => ({ ...l, weight: l.weight * (1 + 0.2 * (r() - 0.5)) }));
    const b = renamed({ ...a, trainable: linksToMatrix(kept) }, rename, r);
    expect(matrixLinks(a.trainable).length).toBe(300);
    const t0 = performance.now();
    const structural = alignCircuits(a, b);
    const t1 = performance.now();
    const traces = { a: neuronTraces(a), b: neuronTraces(b) };
    const t2 = performance.now();
    const mixed = alignCircuits(a, b, { traces });
    const t3 = performance.now();
    console.log(
      `align ${a.neurons.length}/${b.neurons.length} neurons, 300/${kept.length} soft links: ` +
        `structure ${(t1 - t0).toFixed(1)} ms, traces ${(t2 - t1).toFixed(1)} ms, structure+behaviour ${(t3 - t2).toFixed(1)} ms`,
    );
    // most neurons still find their renamed selves despite the perturbation
    const correct = (al: Alignment) => al.pairs.filter((p) => (rename.get(p.a) ?? p.a) === p.b).length;
    expect(correct(structural)).toBeGreaterThanOrEqual(Math.floor(0.9 * a.neurons.length));
    expect(correct(mixed)).toBeGreaterThanOrEqual(Math.floor(0.9 * a.neurons.length));
  });
});

describe('distances', () => {
  it('ruzickaDistance is 0 for equal vectors, 1 for disjoint ones', () => {
    const x = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    expect(ruzickaDistance(x, x)).toBe(0);
    expect(ruzickaDistance(x, new Map([['c', 1]]))).toBe(1);
    expect(ruzickaDistance(new Map(), new Map())).toBe(0);
    expect(ruzickaDistance(x, new Map([['a', 1]]))).toBeCloseTo(2 / 3, 12);
  });

  it('behaviouralDistance is 1 − |corr|, with constants handled', () => {
    expect(behaviouralDistance([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 12);
    expect(behaviouralDistance([1, 2, 3], [-1, -2, -3])).toBeCloseTo(0, 12);
    expect(behaviouralDistance([1, 0, 1, 0], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(behaviouralDistance([0, 0], [0, 0])).toBe(0);
    expect(behaviouralDistance([1, 1], [2, 2])).toBe(1);
    expect(behaviouralDistance([1, 1], [1, 2])).toBe(1);
    expect(behaviouralDistance([1, 2], [1, 2, 3])).toBe(1);
  });

  it('unexplainedShare is 0 for affine outputs and the residual share otherwise', () => {
    const x = [-1, 0, 1, -1, 0, 1];
    // y = 2x + 1 and a second column 3 − x: both affine
    const affineY = x.flatMap((v) => [2 * v + 1, 3 - v]);
    expect(unexplainedShare(affineY, 2, x, 1)).toBeCloseTo(0, 12);
    // y = relu(x) on x ∈ {−1, 0, 1}: the fit 1/3 + x/2 leaves residuals (1/6, −1/3, 1/6),
    // Σr² = 1/6 against Σ(y − ȳ)² = 2/3: ν = √(1/4) = 1/2
    expect(
      unexplainedShare(
        x.map((v) => Math.max(0, v)),
        1,
        x,
        1,
      ),
    ).toBeCloseTo(0.5, 12);
    // a constant output has nothing to explain; an output with no inputs is explained by its mean only
    expect(unexplainedShare([4, 4, 4], 1, [1, 2, 3], 1)).toBe(0);
    expect(unexplainedShare([0, 2], 1, [], 0)).toBeCloseTo(1, 12);
  });
});
