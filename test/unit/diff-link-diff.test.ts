// Link-level diff of two aligned circuits (src-shared/diff/link-diff.ts, issue 7).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { alignCircuits, type Alignment } from '../../src-shared/diff/align';
import { diffLinks } from '../../src-shared/diff/link-diff';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { linksToMatrix, matrixLinks, type MachineSpec, type WeightedLink } from '../../src-shared/machine/spec';
import { handcraftedDetector } from '../../src-shared/problems/duplicates/handcrafted';

const DIR = new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url);
const load = (file: string): MachineSpec => importPrototypeMatrix(readFileSync(new URL(file, DIR), 'utf8'), file);

describe('diffLinks', () => {
  it('finds no difference between a circuit and itself', () => {
    const hand = handcraftedDetector();
    const d = diffLinks(hand, hand, alignCircuits(hand, hand));
    expect(d.summary.soft).toEqual({ a: 8, b: 8 });
    expect(d.summary.hard).toEqual({ a: 3, b: 3 });
    expect(d.summary.counts).toEqual({ matched: 11, 'weight-changed': 0, 'sign-flipped': 0, 'only-a': 0, 'only-b': 0 });
    expect(d.summary.jaccard).toBe(1);
    expect(d.summary.sumAbsDelta).toBe(0);
    expect(d.rows.every((r) => r.dw === 0)).toBe(true);
  });

  it('classifies changed, flipped, missing and extra links through a renaming alignment', () => {
    const hand = handcraftedDetector();
    const rename = (n: string): string => (n === 'accum' ? 'acc' : n === 'norm' ? 'nrm' : n);
    const soft = matrixLinks(hand.trainable).map((l): WeightedLink => ({ ...l, to: rename(l.to), from: rename(l.from) }));
    const changed = soft
      .filter((l) => !(l.to === 'dot' && l.toPort === 'dict-2')) // drop dot.dict-2 ← eos.char
      .map((l) => (l.to === 'nrm' ? { ...l, weight: 1.5 } : l.to === 'compare' && l.toPort === 'dict-2' ? { ...l, weight: -0.5 } : l));
    changed.push({ to: 'dot', toPort: 'dict-2', from: 'input', fromPort: 'char', weight: 0.25 });
    const b: MachineSpec = {
      neurons: hand.neurons.map((n) => ({ ...n, name: rename(n.name) })),
      fixed: linksToMatrix(matrixLinks(hand.fixed).map((l) => ({ ...l, to: rename(l.to), from: rename(l.from) }))),
      trainable: linksToMatrix(changed),
    };
    const al = alignCircuits(hand, b);
    expect(al.pairs.find((p) => p.a === 'accum')?.b).toBe('acc');
    const d = diffLinks(hand, b, al);
    const byLabel = new Map(d.rows.map((r) => [r.label, r]));
    expect(byLabel.get('norm⇄nrm.dict ← accum⇄acc.dict')).toMatchObject({
      status: 'weight-changed',
      dw: 0.5,
    });
    expect(byLabel.get('compare.dict-2 ← const_1.const_1')).toMatchObject({ status: 'sign-flipped', wA: 1, wB: -0.5, dw: -1.5 });
    expect(byLabel.get('dot.dict-2 ← eos.char')).toMatchObject({ status: 'only-a', dw: -1, wB: null });
    expect(byLabel.get('dot.dict-2 ← input.char')).toMatchObject({ status: 'only-b', dw: 0.25, wA: null });
    expect(d.summary.counts).toEqual({ matched: 8, 'weight-changed': 1, 'sign-flipped': 1, 'only-a': 1, 'only-b': 1 });
    expect(d.summary.jaccard).toBeCloseTo(10 / 12, 12);
    expect(d.summary.sumAbsDelta).toBeCloseTo(0.5 + 1.5 + 1 + 0.25, 12);
    // sorted by |Δw|, largest first
    expect(d.rows.slice(0, 4).map((r) => r.status)).toEqual(['sign-flipped', 'only-a', 'weight-changed', 'only-b']);
    for (let i = 1; i < d.rows.length; i++) expect(Math.abs(d.rows[i - 1]!.dw)).toBeGreaterThanOrEqual(Math.abs(d.rows[i]!.dw));
  });

  it('keeps links with an unaligned end on their own side, and honours the |w| threshold', () => {
    const sparse20 = load('sparse20-after-200-steps-matrix.json');
    const hand = handcraftedDetector();
    const al: Alignment = alignCircuits(sparse20, hand);
    const d = diffLinks(sparse20, hand, al);
    expect(d.summary.soft).toEqual({ a: 19, b: 8 });
    expect(d.summary.hard).toEqual({ a: 3, b: 3 });
    // links into or out of compare-1-2 / compare-4-2 / compare-5-1 (unaligned) are A-only
    for (const r of d.rows) {
      if (r.a && (al.onlyA.includes(r.a.to) || al.onlyA.includes(r.a.from))) expect(r.status).toBe('only-a');
    }
    const rows = d.rows.length;
    expect(rows).toBe(
      d.summary.counts.matched +
        d.summary.counts['weight-changed'] +
        d.summary.counts['sign-flipped'] +
        d.summary.counts['only-a'] +
        d.summary.counts['only-b'],
    );
    expect(d.summary.jaccard).toBeCloseTo((rows - d.summary.counts['only-a'] - d.summary.counts['only-b']) / rows, 12);
    // the accumulator's input and the dot's eos input are on both sides
    expect(d.rows.find((r) => r.label === 'accum-1-2⇄accum.dict-2 ← input.char')).toMatchObject({ status: 'weight-changed' });
    expect(d.rows.find((r) => r.label === 'dot-2-2⇄dot.dict-2 ← eos.char')).toMatchObject({ status: 'sign-flipped' });
    console.log(
      'sparse20 vs hand-crafted links:',
      JSON.stringify(d.summary),
      '\n' + d.rows.map((r) => `${r.kind} ${r.status.padEnd(14)} Δw=${r.dw.toFixed(3).padStart(7)}  ${r.label}`).join('\n'),
    );
    const thresholded = diffLinks(sparse20, hand, al, { minAbsWeight: 0.5 });
    expect(thresholded.summary.soft.a).toBe(matrixLinks(sparse20.trainable).filter((l) => Math.abs(l.weight) > 0.5).length);
  });
});
