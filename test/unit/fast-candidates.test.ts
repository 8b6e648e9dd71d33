/**
 * Candidate lanes: a population of weight vectors (an evolution-strategies generation)
 * evaluated in one pass of the fast engine's forward program. Each candidate's loss and
 * largest error must equal what the single-candidate fast engine and the compiled engine
 * (the oracle) give that vector alone, to 1e-12 relative; bad input gets the oracle's
 * errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentToSpec } from '../../src-shared/editor/document';
import { generateRecurrent } from '../../src-shared/editor/generators';
import { importPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import type { EngineName } from '../../src-shared/machine/engine-choice';
import type { MachineSpec } from '../../src-shared/machine/spec';
import { DetectorLoss, TargetCache } from '../../src-shared/problems/duplicates/loss';
import { Rng } from '../../src-shared/util/rng';
import { expectClose } from '../helpers/numeric';

const FIXTURES = 'resources/circuits/julia-dmm-lite';

function fixture(name: string): MachineSpec {
  const file = `${FIXTURES}/${name}`;
  return importPrototypeMatrix(readFileSync(file, 'utf8'), file);
}

function population(w0: Float64Array, n: number, seed: number, scale: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => w0.map((x) => x + scale * rng.normal()));
}

/**
 * The population's fits on `engine` (fitMany; with `lanes`, forced candidate lanes) against
 * each vector alone on the single-candidate fast engine and on the compiled engine.
 */
function expectPopulationExact(spec: MachineSpec, text: string, cycles: number, n: number, what: string, lanes?: number): number {
  const targets = new TargetCache();
  const oracle = new DetectorLoss(spec, [text], targets, 'compiled');
  const fast = new DetectorLoss(spec, [text], targets, 'fast');
  expect(fast.fast?.backend.name, what).toBe('wasm');
  const ws = population(oracle.machine.paramVector(spec.trainable), n, 5, 0.05);
  const values = targets.get(text, cycles).outputs.map((o) => o.values);
  const got =
    lanes === undefined
      ? fast.fitMany(ws, text, cycles, 'exact')
      : fast
          .fast!.fitCandidates(ws, [{ text, cycles }], (_l, j, t) => values[j]![t - 1]!, lanes)
          .map(([r]) => ({
            preregLoss: r!.sums[0]! + r!.sums[1]!,
            worstError: Math.max(r!.worst[0]!, r!.worst[1]!),
          }));
  expect(got).toHaveLength(n);
  ws.forEach((w, c) => {
    const single = fast.fit(w, text, cycles, 'exact');
    const ref = oracle.fit(w, text, cycles, 'exact');
    expect(Number.isFinite(ref.preregLoss)).toBe(true);
    expectClose(got[c]!.preregLoss, single.preregLoss, `${what} candidate ${c} vs single fast`, 1e-12, 0);
    expectClose(got[c]!.preregLoss, ref.preregLoss, `${what} candidate ${c} vs compiled`, 1e-12, 0);
    expectClose(got[c]!.worstError, ref.worstError, `${what} candidate ${c} worst vs compiled`, 1e-12, 0);
  });
  // candidates differ, so equal figures are not a copy of one candidate
  expect(new Set(got.map((g) => g.preregLoss)).size).toBe(n);
  return fast.fast!.candidateLanesFor([{ text, cycles }]);
}

describe('candidate lanes = single-candidate fast engine = compiled engine', () => {
  it('the 1486-link prototype matrix: in 4 and 2 forced lanes (short last pass) and as chosen', () => {
    const spec = fixture('initial-matrix.json');
    expectPopulationExact(spec, 'test string.', 140, 7, 'initial ×4', 4);
    expectPopulationExact(spec, 'test string.', 140, 3, 'initial ×2', 2);
    expectPopulationExact(spec, 'test string.', 140, 5, 'initial auto');
  });

  it('a 20-link prototype matrix runs 16 candidates per pass (three passes for 37)', () => {
    const lanes = expectPopulationExact(fixture('sparse20-after-200-steps-matrix.json'), 'abca.bb.', 90, 37, 'sparse20');
    expect(lanes).toBe(16);
  });

  it('generated recurrent machines: the recurrent component runs per cycle in candidate lanes', () => {
    for (const [copies, seed] of [
      [1, 3],
      [2, 8],
    ] as const) {
      const spec = documentToSpec(generateRecurrent({ copies, scale: 0.2, seed }));
      const lanes = expectPopulationExact(spec, 'aab.ba', 90, 11, `recurrent ×${copies}`);
      expect(lanes).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('bad input to a population', () => {
  const spec = fixture('sparse20-after-200-steps-matrix.json');

  it('NaN weights in one candidate: that candidate’s loss is not finite, as on the oracle; the others are untouched', () => {
    const targets = new TargetCache();
    const oracle = new DetectorLoss(spec, ['ab.'], targets, 'compiled');
    const ws = population(oracle.machine.paramVector(spec.trainable), 9, 2, 0.05);
    ws[4]!.fill(Number.NaN);
    const ref = ws.map((w) => oracle.fit(w, 'ab.', 60, 'exact'));
    expect(Number.isFinite(ref[4]!.preregLoss)).toBe(false);
    for (const engine of ['compiled', 'fast', 'fast-ts'] as EngineName[]) {
      const got = new DetectorLoss(spec, ['ab.'], targets, engine).fitMany(ws, 'ab.', 60, 'exact');
      got.forEach((g, c) => {
        if (c === 4) expect(Number.isFinite(g.preregLoss), `${engine} NaN candidate`).toBe(false);
        else expectClose(g.preregLoss, ref[c]!.preregLoss, `${engine} candidate ${c}`, 1e-12, 0);
      });
    }
  });

  it('an empty population, or a window of 0 cycles: the same RangeError on every engine', () => {
    for (const engine of ['compiled', 'fast', 'fast-ts'] as EngineName[]) {
      const loss = new DetectorLoss(spec, ['ab.'], new TargetCache(), engine);
      const w = loss.machine.paramVector(spec.trainable);
      expect(() => loss.fitMany([], 'ab.', 40, 'exact'), engine).toThrow(/a population needs at least one candidate, got 0/);
      expect(() => loss.fitMany([w, w], 'ab.', 0, 'exact'), engine).toThrow(/cycles must be an integer in \[1, 100000\]/);
    }
  });

  it('a candidate with the wrong number of weights is named', () => {
    const loss = new DetectorLoss(spec, ['ab.'], new TargetCache(), 'fast');
    const w = loss.machine.paramVector(spec.trainable);
    expect(() => loss.fitMany([w, w.subarray(1)], 'ab.', 40, 'exact')).toThrow(/candidate 1: expected \d+ weights, got \d+/);
  });
});
