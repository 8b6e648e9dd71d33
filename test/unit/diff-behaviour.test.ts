// Behaviour of two circuits side by side (src-shared/diff/behaviour.ts): outputs, their
// difference, the expected output, error figures and per aligned pair the two traces.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignCircuits } from '../../src-shared/diff/align';
import {
  checkStrings,
  compareBehaviour,
  defaultStringSets,
  errorFigures,
  probeString,
  type StringBehaviour,
} from '../../src-shared/diff/behaviour';
import { alignmentEvidence, correlation } from '../../src-shared/diff/traces';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { linksToMatrix, matrixLinks, type MachineSpec } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';
import { DEFAULT_TEST_SUITE, DEFAULT_TRAINING_SET } from '../../src-shared/synthesis/dataset';

const DIR = new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url);
const load = (file: string): MachineSpec => importPrototypeMatrix(readFileSync(new URL(file, DIR), 'utf8'), file);
const last = (x: Float64Array): number => x[x.length - 1]!;
/** The string read exactly once: 10 cycles per character (spec §4). */
const once = (text: string) => probeString(text, 10 * [...text].length);

describe('compareBehaviour', () => {
  const hand = handcraftedDetector();
  const sparse20 = load('sparse20-after-200-steps-matrix.json');

  it('gives the hand-crafted detector zero error, and the counts the problem asks for', () => {
    // the duplicates problem (spec §4): output.dict-1 = relu(largest count of one character − 1),
    // output.dict-2 = number of '.' clipped at 4. A character enters every 10 cycles and shows
    // 4 cycles later; past its end the string's last character repeats, so 10 cycles per
    // character read each character exactly once.
    const cases: Array<[string, number, number]> = [
      ['aaaa.', 3, 1],
      ['a.b.c.d.e.', 4, 4], // '.' five times: dict-1 = relu(5 − 1), dict-2 = min(5, 4)
      ['abc', 0, 0],
      ['mississippi.', 3, 1], // s and i four times
    ];
    const results = compareBehaviour(
      hand,
      hand,
      cases.map(([t]) => once(t)),
    );
    results.forEach((r, i) => {
      const [text, dict1, dict2] = cases[i]!;
      expect(r.text).toBe(text);
      expect(r.ports).toEqual(['dict-1', 'dict-2']);
      expect(r.errorA).toMatchObject({ maxAbs: 0, mse: 0, worstCycle: 0 });
      expect(r.errorB).toMatchObject({ maxAbs: 0, mse: 0 });
      for (const d of r.difference) expect(Math.max(...d.map(Math.abs))).toBe(0);
      expect([text, last(r.expected[0]!), last(r.expected[1]!)]).toEqual([text, dict1, dict2]);
      expect(r.a[0]).toHaveLength(r.cycles);
    });
  });

  it("makes the 2022 circuit's defect visible: a character four times, five dots", () => {
    const [fourTimes, fiveDots] = compareBehaviour(hand, sparse20, [once('aaaa.'), once('a.b.c.d.e.')]);
    // a four times: the hand-crafted circuit ends at 3; sparse20 ends ≈ 2.67 (its hinge, read by
    // hand in test/unit/diff-align.test.ts: 0.67·k − 1.30·relu(0.77 − 0.25·k) at k = 4)
    expect(last(fourTimes!.a[0]!)).toBe(3);
    expect(last(fourTimes!.b[0]!)).toBeGreaterThan(2.5);
    expect(last(fourTimes!.b[0]!)).toBeLessThan(2.8);
    expect(fourTimes!.errorB.maxAbs).toBeGreaterThan(0.3);
    expect(fourTimes!.errorB.worstPort).toBe('dict-1');
    expect(last(fourTimes!.difference[0]!)).toBeCloseTo(last(fourTimes!.b[0]!) - 3, 12);
    // five dots: dict-2 should stop at 4 (the clip); sparse20 keeps counting to 5
    expect(last(fiveDots!.a[1]!)).toBe(4);
    expect(last(fiveDots!.b[1]!)).toBeGreaterThan(4.5);
    expect(fiveDots!.errorB.worstPort).toBe('dict-2');
    expect(fiveDots!.errorB.maxAbs).toBeGreaterThan(0.9);
    // where it has been trained (short strings, no character more than twice) it is right to 0.05
    const [ok] = compareBehaviour(hand, sparse20, [probeString('abca.')]);
    expect(ok!.errorB.maxAbs).toBeLessThan(0.05);
    expect(ok!.errorB.mse).toBeLessThan(1e-3);
  });

  it('gives, per aligned pair, both traces on each string and their correlation', () => {
    const alignment = alignCircuits(sparse20, hand, alignmentEvidence(sparse20, hand));
    const strings = [once('aaaa.'), once('test string.')];
    const results: StringBehaviour[] = compareBehaviour(sparse20, hand, strings, { alignment });
    for (const r of results) {
      expect(r.neurons.map((n) => [n.a, n.b])).toEqual(alignment.pairs.map((p) => [p.a, p.b]));
      for (const n of r.neurons) {
        expect(n.traceA.length).toBe(r.cycles * n.widthA);
        expect(n.traceB.length).toBe(r.cycles * n.widthB);
        expect(n.levelA).toHaveLength(r.cycles);
      }
      const accum = r.neurons.find((n) => n.a === 'accum-1-2')!;
      // the accumulators count the same characters at different gains
      expect(accum.correlation!).toBeGreaterThan(0.99);
      // accum-1-2 on 'aaaa.': one count per character seen; its level grows with each 'a'
      const norm = r.neurons.find((n) => n.a === 'norm-2-1')!;
      expect([norm.widthA, norm.widthB]).toEqual([1, 1]);
      expect(Math.abs(norm.correlation!)).toBeGreaterThan(0.95);
    }
    // on "aaaa." the hand-crafted norm ends at 4 (the largest count) and the accumulator's level, Σ counts, at 5
    const handNorm = results[0]!.neurons.find((n) => n.b === 'norm')!;
    expect(last(handNorm.levelB)).toBe(4);
    expect(last(results[0]!.neurons.find((n) => n.b === 'accum')!.levelB)).toBe(5);
    // the traces are those of that string: the second string's traces start from a fresh machine
    const secondAccum = results[1]!.neurons.find((n) => n.b === 'accum')!;
    expect(secondAccum.levelB[0]).toBe(0);
    expect(last(secondAccum.levelB)).toBe(12); // 'test string.' has 12 characters
  });

  it('gives each side of a pair of different types its own width, and no correlation', () => {
    const pair = (a: string, b: string) => ({ a, b, cost: 0, structural: 0, behavioural: null, via: 'pinned' as const });
    const alignment = { pairs: [pair('accum', 'accum'), pair('norm', 'compare')], onlyA: [], onlyB: [] };
    const [r] = compareBehaviour(hand, hand, [once('abca.')], { alignment });
    const same = r!.neurons[0]!;
    expect(same.widthA).toBe(same.widthB);
    expect(same.correlation).toBeCloseTo(1, 12);
    const mixed = r!.neurons[1]!;
    // a compare emits true and false, a norm one number: the widths are those of each trace
    expect(mixed.widthA).toBe(1);
    expect(mixed.widthB).toBeGreaterThan(mixed.widthA);
    expect(mixed.traceA).toHaveLength(r!.cycles * mixed.widthA);
    expect(mixed.traceB).toHaveLength(r!.cycles * mixed.widthB);
    expect(mixed.correlation).toBeNull();
    expect(mixed.coordinates).toEqual([]);
    expect(mixed.maxAbsDiff).toBeNull();
  });

  it('compares a pair port by port: a pooled correlation that misleads, and the figure that names its port', () => {
    // sparse20's compare-3-1 against the hand-crafted compare: pooled over both ports (true and
    // false, at different levels) the traces correlate negatively although no port does
    const alignment = alignCircuits(sparse20, hand, alignmentEvidence(sparse20, hand));
    const [r] = compareBehaviour(sparse20, hand, [probeString('hello world.')], { alignment });
    const pair = r!.neurons.find((n) => n.a === 'compare-3-1' && n.b === 'compare')!;
    expect(correlation(pair.traceA, pair.traceB)!).toBeLessThan(0);
    expect(pair.coordinates.map((c) => c.label)).toEqual(['true', 'false']);
    for (const c of pair.coordinates) if (c.correlation !== null) expect(c.correlation).toBeGreaterThan(-0.5);
    // per port, read straight from the two traces (cycles × [true, false])
    const column = (trace: Float64Array, k: number) => Array.from({ length: r!.cycles }, (_, t) => trace[t * 2 + k]!);
    pair.coordinates.forEach((c, k) => {
      const a = column(pair.traceA, k);
      const b = column(pair.traceB, k);
      expect(c.maxAbsDiff).toBe(Math.max(...a.map((x, t) => Math.abs(b[t]! - x))));
      expect(c.correlation).toBe(correlation(a, b) ?? null);
    });
    // the headline figures name their port: the weakest correlation and the largest |B − A|
    const varying = pair.coordinates.filter((c) => c.correlation !== null);
    expect(pair.correlation).toBe(Math.min(...varying.map((c) => c.correlation!)));
    expect(pair.coordinates.find((c) => c.label === pair.correlationAt)!.correlation).toBe(pair.correlation);
    expect(pair.maxAbsDiff).toBe(Math.max(...pair.coordinates.map((c) => c.maxAbsDiff)));
    expect(pair.coordinates.find((c) => c.label === pair.maxAbsDiffAt)!.maxAbsDiff).toBe(pair.maxAbsDiff);
    expect(pair.maxAbsDiff).toBeGreaterThan(1); // the two compares do differ: one side's port is never what the other's is
  });

  it('keeps the sign: a neuron counting negatively is at r = −1, and a rescaled one at r = 1 shows its |B − A|', () => {
    const withAccumInput = (w: number): MachineSpec => ({
      ...hand,
      trainable: linksToMatrix(matrixLinks(hand.trainable).map((l) => (l.to === 'accum' && l.from === 'input' ? { ...l, weight: w } : l))),
    });
    const pair = (a: string) => ({ a, b: a, cost: 0, structural: 0, behavioural: null, via: 'pinned' as const });
    const alignment = { pairs: [pair('accum')], onlyA: [], onlyB: [] };
    const [flipped] = compareBehaviour(hand, withAccumInput(-1), [once('abca.')], { alignment });
    const f = flipped!.neurons[0]!;
    expect(f.correlation).toBeCloseTo(-1, 12);
    expect(f.coordinates.filter((c) => c.correlation !== null).length).toBeGreaterThan(0);
    for (const c of f.coordinates) if (c.correlation !== null) expect(c.correlation).toBeCloseTo(-1, 12);
    // 'a' is counted twice: A holds 2 and B −2 at the end
    expect(f.maxAbsDiff).toBe(4);
    expect(f.maxAbsDiffAt).toBe('dict/a');
    const [doubled] = compareBehaviour(hand, withAccumInput(2), [once('abca.')], { alignment });
    const d = doubled!.neurons[0]!;
    expect(d.correlation).toBeCloseTo(1, 12);
    expect(d.maxAbsDiff).toBe(2);
  });

  it('reads the same outputs whether or not it also traces aligned neurons', () => {
    const strings = [once('aaaa.'), once('a.b.c.d.e.'), probeString('abca.')];
    const alignment = alignCircuits(sparse20, hand, alignmentEvidence(sparse20, hand));
    const plain = compareBehaviour(sparse20, hand, strings);
    const traced = compareBehaviour(sparse20, hand, strings, { alignment });
    expect(traced[0]!.neurons.length).toBeGreaterThan(0);
    expect(plain[0]!.neurons).toEqual([]);
    for (const [i, p] of plain.entries()) {
      const t = traced[i]!;
      expect([...t.a.map((x) => [...x]), ...t.b.map((x) => [...x])]).toEqual([...p.a.map((x) => [...x]), ...p.b.map((x) => [...x])]);
      expect(t.errorA).toEqual(p.errorA);
      expect(t.errorB).toEqual(p.errorB);
    }
    // sparse20 misses on the defect strings: the outputs compared are not all zeros
    expect(plain[0]!.errorA.maxAbs).toBeGreaterThan(0.3);
  });

  it('offers the training strings, the test suite and the defect strings', () => {
    const sets = new Map(defaultStringSets().map((s) => [s.name, s.strings]));
    expect(sets.get('training')).toEqual(DEFAULT_TRAINING_SET);
    expect(sets.get('test suite')).toEqual(DEFAULT_TEST_SUITE);
    const defects = sets.get('defects')!.map((s) => s.text);
    expect(defects.some((t) => [...t].filter((c) => c === '.').length >= 5)).toBe(true);
    expect(defects.some((t) => [...new Set(t)].some((c) => [...t].filter((d) => d === c).length >= 4))).toBe(true);
    expect(probeString('abc')).toEqual({ text: 'abc', cycles: 40 }); // 10 cycles a character + 10
  });

  it('refuses bad strings with an error naming the string', () => {
    expect(() => checkStrings([])).toThrow(/no strings/);
    expect(() => checkStrings([{ text: '', cycles: 10 }])).toThrow(/string 1 is empty/);
    expect(() => checkStrings([probeString('ok'), { text: 'bad', cycles: 0 }])).toThrow(/string 2 \("bad"\): cycles/);
    expect(() => compareBehaviour(hand, hand, [{ text: 'x', cycles: 1.5 }])).toThrow(/cycles must be an integer/);
  });
});

describe('errorFigures', () => {
  it('is the largest absolute error and the mean squared error over every cycle and port', () => {
    const got = [Float64Array.of(0, 1, 2), Float64Array.of(1, 1, 1)];
    const expected = [Float64Array.of(0, 1, 3), Float64Array.of(1, 0.5, 1)];
    // errors: 0, 0, −1 | 0, 0.5, 0 → max 1 at cycle 3 of dict-1; MSE = (1 + 0.25) / 6
    expect(errorFigures(got, expected)).toEqual({ maxAbs: 1, mse: 1.25 / 6, worstCycle: 3, worstPort: 'dict-1' });
  });
});
