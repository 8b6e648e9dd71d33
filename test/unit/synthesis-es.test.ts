/**
 * Evolution strategies (spec §6, src-shared/synthesis/es.ts): centred ranks, seeded
 * perturbations, the antithetic estimate g = Σ (rank⁺ − rank⁻) ε / (2nσ) checked against
 * known gradients (toy functions and the engine's exact gradient of a real circuit), and
 * one EsTrainer step checked against Adam's first update computed by hand. The training
 * objective the estimators share (SetObjective) is checked against finite differences.
 */
import { describe, expect, it } from 'vitest';
import { Adam } from '../../src-shared/optim/adam';
import { generateArchitecture } from '../../src-shared/problems/duplicates/architecture';
import { TargetCache } from '../../src-shared/problems/duplicates/loss';
import { circuitFromSpec, type Circuit } from '../../src-shared/synthesis/circuit';
import { alphabetOf, type DataString } from '../../src-shared/synthesis/dataset';
import { centredRanks, esGradient, EsTrainer, LocalEvaluator, perturbation, type EsSettings } from '../../src-shared/synthesis/es';
import { SetObjective } from '../../src-shared/synthesis/objective';
import { centralDifference, expectClose } from '../helpers/numeric';

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] as number) * (b[i] as number);
    aa += (a[i] as number) ** 2;
    bb += (b[i] as number) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
};

/** Losses of θ ± σε for each member, laid out [0+, 0−, 1+, 1−, …], computed here from perturbation(). */
function antitheticLosses(
  f: (x: Float64Array) => number,
  theta: Float64Array,
  sigma: number,
  pairs: number,
  seed: number,
  generation: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const e = perturbation(seed, generation, i, theta.length);
    for (const s of [1, -1]) out.push(f(theta.map((t, k) => t + s * sigma * (e[k] as number))));
  }
  return out;
}

describe('centredRanks', () => {
  it('maps the smallest to −0.5, the largest to +0.5, evenly in between, keeping the order', () => {
    expect(Array.from(centredRanks([3, -1, 10, 2.5, 7]))).toEqual([0, -0.5, 0.5, -0.25, 0.25]);
    expect(Array.from(centredRanks([1, 2]))).toEqual([-0.5, 0.5]);
  });

  it('depends only on the order of the values, not their size', () => {
    const v = [0.3, 1e9, -4, 17, 0.31, -1e-9];
    const monotone = v.map((x) => Math.atan(x) * 5 + 2);
    expect(Array.from(centredRanks(monotone))).toEqual(Array.from(centredRanks(v)));
  });

  it('breaks ties by position (earlier = lower rank), so the result is deterministic', () => {
    expect(Array.from(centredRanks([5, 5, 5]))).toEqual([-0.5, 0, 0.5]);
    const r = centredRanks([2, 1, 2, 1]);
    [1 / 6, -0.5, 0.5, -1 / 6].forEach((x, i) => expect(r[i]).toBeCloseTo(x, 15));
  });

  it('a single value gets 0; no values give an empty result', () => {
    expect(Array.from(centredRanks([42]))).toEqual([0]);
    expect(centredRanks([])).toHaveLength(0);
  });

  it('on random values: a permutation of the evenly spaced ranks, in [−0.5, 0.5], summing to 0, sorted like the values', () => {
    const values = Array.from(perturbation(1, 2, 3, 101));
    const r = centredRanks(values);
    expect(Math.min(...r)).toBe(-0.5);
    expect(Math.max(...r)).toBe(0.5);
    expect(Math.abs(r.reduce((a, x) => a + x, 0))).toBeLessThan(1e-12);
    expect([...r].sort((a, b) => a - b)).toEqual(Array.from({ length: 101 }, (_, i) => i / 100 - 0.5));
    for (let i = 0; i < values.length; i++) {
      for (let j = 0; j < values.length; j++) {
        if ((values[i] as number) < (values[j] as number)) expect(r[i] as number).toBeLessThan(r[j] as number);
      }
    }
  });
});

describe('perturbation', () => {
  it('is a function of (seed, generation, member): the same arguments give the same numbers', () => {
    const a = perturbation(7, 3, 2, 50);
    const b = perturbation(7, 3, 2, 50);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    // a longer draw starts with the shorter one
    expect(Array.from(perturbation(7, 3, 2, 80).subarray(0, 50))).toEqual(Array.from(a));
  });

  it('differs across members, generations and seeds', () => {
    const base = perturbation(7, 3, 2, 50);
    for (const other of [perturbation(7, 3, 3, 50), perturbation(7, 4, 2, 50), perturbation(8, 3, 2, 50), perturbation(7, 2, 3, 50)]) {
      expect(Array.from(other)).not.toEqual(Array.from(base));
      // not merely shifted or scaled: nearly uncorrelated
      expect(Math.abs(cosine(other, base))).toBeLessThan(0.5);
    }
  });

  it('is standard normal: mean ≈ 0, variance ≈ 1, about 68 % within one σ', () => {
    const e = perturbation(123, 0, 0, 20_000);
    const mean = e.reduce((a, x) => a + x, 0) / e.length;
    const variance = e.reduce((a, x) => a + (x - mean) ** 2, 0) / e.length;
    const within = e.filter((x) => Math.abs(x) < 1).length / e.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.015);
  });
});

describe('esGradient', () => {
  const settings = (population: number, sigma = 0.1): EsSettings => ({ sigma, population, weightDecay: 0 });

  it('one pair: g = (rank⁺ − rank⁻)·ε / (2σ) = ±ε/(2σ)', () => {
    const e = perturbation(3, 9, 0, 6);
    const up = esGradient([2, 1], settings(1, 0.25), 3, 9, 6);
    const down = esGradient([1, 2], settings(1, 0.25), 3, 9, 6);
    up.forEach((g, k) => expect(g).toBeCloseTo((e[k] as number) / 0.5, 14));
    down.forEach((g, k) => expect(g).toBeCloseTo(-(e[k] as number) / 0.5, 14));
  });

  it('for a linear loss f(θ) = c·θ the estimate points along c (large population)', () => {
    const n = 12;
    const c = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1) * (i % 3 === 0 ? 3 : 1));
    const theta = Float64Array.from({ length: n }, (_, i) => 0.1 * i);
    const f = (x: Float64Array) => x.reduce((a, v, i) => a + (c[i] as number) * v, 0);
    const g = esGradient(antitheticLosses(f, theta, 0.1, 400, 5, 3), settings(400), 5, 3, n);
    expect(cosine(g, c)).toBeGreaterThan(0.95);
  });

  it('for a quadratic loss the estimate points along the true gradient at θ', () => {
    const n = 10;
    const theta = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i));
    const f = (x: Float64Array) => x.reduce((a, v, i) => a + (i + 1) * (v - 0.5) ** 2, 0);
    const grad = theta.map((t, i) => 2 * (i + 1) * (t - 0.5));
    const g = esGradient(antitheticLosses(f, theta, 0.05, 400, 11, 0), settings(400, 0.05), 11, 0, n);
    expect(cosine(g, grad)).toBeGreaterThan(0.95);
  });

  it('with a small population the estimate is still positively aligned on average over generations', () => {
    const n = 8;
    const c = Float64Array.from({ length: n }, (_, i) => i - 3.5);
    const f = (x: Float64Array) => x.reduce((a, v, i) => a + (c[i] as number) * v, 0);
    const theta = new Float64Array(n);
    const sum = new Float64Array(n);
    for (let gen = 0; gen < 40; gen++) {
      const g = esGradient(antitheticLosses(f, theta, 0.1, 4, 1, gen), settings(4), 1, gen, n);
      g.forEach((x, k) => (sum[k] = (sum[k] as number) + x));
    }
    expect(cosine(sum, c)).toBeGreaterThan(0.9);
  });

  it('the antithetic layout [+, −] matters: swapping the signs of every pair negates the estimate exactly', () => {
    const n = 9;
    const f = (x: Float64Array) => x.reduce((a, v, i) => a + Math.sin(v * (i + 1)), 0);
    const theta = Float64Array.from({ length: n }, (_, i) => i / 9);
    const losses = antitheticLosses(f, theta, 0.1, 30, 2, 4);
    const swapped = losses.map((_, j) => losses[j % 2 === 0 ? j + 1 : j - 1] as number);
    const g = esGradient(losses, settings(30), 2, 4, n);
    const h = esGradient(swapped, settings(30), 2, 4, n);
    expect(Array.from(h)).toEqual(Array.from(g, (x) => -x));
    expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(0);
  });

  it('uses the generation it is told: the same losses with another generation give another estimate', () => {
    const losses = [3, 1, 0, 2, 5, 4];
    expect(Array.from(esGradient(losses, settings(3), 1, 0, 5))).not.toEqual(Array.from(esGradient(losses, settings(3), 1, 1, 5)));
  });

  it('a non-finite loss counts as the worst of the generation', () => {
    const asWorst = esGradient([1, Number.NaN, 2, 3], settings(2), 4, 1, 5);
    const explicit = esGradient([1, 100, 2, 3], settings(2), 4, 1, 5);
    expect(Array.from(asWorst)).toEqual(Array.from(explicit));
    expect(Array.from(esGradient([Number.POSITIVE_INFINITY, 0, 2, 3], settings(2), 4, 1, 5))).toEqual(
      Array.from(esGradient([100, 0, 2, 3], settings(2), 4, 1, 5)),
    );
    expect(asWorst.every(Number.isFinite)).toBe(true);
  });

  it('refuses a loss count other than 2·population', () => {
    expect(() => esGradient([1, 2, 3], settings(2), 1, 1, 4)).toThrow(RangeError);
    expect(() => esGradient([1, 2, 3, 4, 5, 6], settings(2), 1, 1, 4)).toThrow(RangeError);
  });
});

// ---- on a real circuit ----

const STRINGS: DataString[] = [
  { text: 'aba.', cycles: 50 },
  { text: 'b..', cycles: 40 },
];

function smallCircuit(seed = 6, scale = 0.3): Circuit {
  return circuitFromSpec(
    generateArchitecture({ layers: 1, copies: 1, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale, seed }),
  );
}

const objectiveOf = (c: Circuit, curriculum?: { startCycles: number; steps: number }) =>
  new SetObjective(c, STRINGS, alphabetOf([STRINGS]), 'exact', curriculum, new TargetCache());

describe('SetObjective (the loss every estimator trains)', () => {
  it('is the sum of the per-string losses plus λ1·Σ|w| + λ2·Σw², and its gradient matches central differences', () => {
    const c = smallCircuit();
    const o = objectiveOf(c);
    const w = Float64Array.from(c.weights);
    const reg = { l1: 0.01, l2: 0.02 };
    const grad = new Float64Array(w.length);
    const fit = o.evaluate(w, reg, 1, grad);
    const parts = STRINGS.map((_, i) => o.fitOne(w, i, 1).preregLoss);
    expect(fit.preregLoss).toBeCloseTo(parts[0]! + parts[1]!, 10);
    // timer and input rows are not regularised; a generated machine has no soft links into them
    const l1 = w.reduce((a, x) => a + Math.abs(x), 0);
    const l2 = w.reduce((a, x) => a + x * x, 0);
    expectClose(fit.loss, fit.preregLoss + 0.01 * l1 + 0.02 * l2, 'loss', 1e-12);
    expect(fit.preregLoss).toBeGreaterThan(0);

    const f = () => o.evaluate(w, reg, 1).loss;
    for (let i = 0; i < w.length; i += 3) {
      expectClose(grad[i] as number, centralDifference(f, w, i, 1e-6), `dLoss/dw[${i}]`, 1e-5, 1e-7);
    }
  });

  it('a curriculum shortens the windows early on: the loss at step 1 is that of the short windows', () => {
    const c = smallCircuit();
    const o = objectiveOf(c, { startCycles: 15, steps: 100 });
    const full = objectiveOf(c);
    const w = c.weights;
    expect(o.evaluate(w, { l1: 0, l2: 0 }, 1000).preregLoss).toBe(full.evaluate(w, { l1: 0, l2: 0 }, 1).preregLoss);
    const short = new SetObjective(
      c,
      STRINGS.map((s) => ({ ...s, cycles: 15 })),
      alphabetOf([STRINGS]),
      'exact',
      undefined,
      new TargetCache(),
    );
    expect(o.evaluate(w, { l1: 0, l2: 0 }, 1).preregLoss).toBe(short.evaluate(w, { l1: 0, l2: 0 }, 1).preregLoss);
  });
});

describe('ES on a real circuit', () => {
  it("the estimate from the real loss points along the engine's exact gradient", () => {
    const c = smallCircuit();
    const o = objectiveOf(c);
    const w = Float64Array.from(c.weights);
    const exact = new Float64Array(w.length);
    o.evaluate(w, { l1: 0, l2: 0 }, 1, exact);
    const sigma = 1e-3;
    const pairs = 300;
    const losses = antitheticLosses((x) => o.evaluate(x, { l1: 0, l2: 0 }, 1).preregLoss, w, sigma, pairs, 17, 1);
    const g = esGradient(losses, { sigma, population: pairs, weightDecay: 0 }, 17, 1, w.length);
    expect(cosine(g, exact)).toBeGreaterThan(0.8);
  });

  it("EsTrainer with the local evaluator: returns the fit before the update, then takes Adam's first step along the estimate", async () => {
    const c = smallCircuit();
    const o = objectiveOf(c);
    const settings: EsSettings = { sigma: 0.01, population: 6, weightDecay: 0.5 };
    const seed = 9;
    const step = 4;
    const reg = { l1: 0.02, l2: 0 };
    const w0 = Float64Array.from(c.weights);

    // expected, from the definitions: losses at θ ± σε, the rank estimate, weight decay, λ1·sign(w), Adam step 1
    const losses = antitheticLosses(
      (x) => o.evaluate(x, { l1: 0, l2: 0 }, step).preregLoss,
      w0,
      settings.sigma,
      settings.population,
      seed,
      step,
    );
    const g = esGradient(losses, settings, seed, step, w0.length).map(
      (x, k) => x + 0.5 * (w0[k] as number) + 0.02 * Math.sign(w0[k] as number),
    );
    const lr = 0.01;
    const expected = w0.map((x, k) => x - (lr * (g[k] as number)) / (Math.abs(g[k] as number) + 1e-8));
    const expectedFit = o.evaluate(w0, reg, step);

    const trainer = new EsTrainer(settings, seed, new LocalEvaluator(settings, seed));
    const w = Float64Array.from(w0);
    const adam = new Adam(w.length, { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    await trainer.sync(c, adam);
    const fit = await trainer.step({ objective: o, w, adam, reg, step });
    expect(fit.preregLoss).toBe(expectedFit.preregLoss);
    expect(fit.loss).toBe(expectedFit.loss);
    w.forEach((x, k) => expectClose(x, expected[k] as number, `w[${k}]`, 1e-12, 1e-15));
    // every weight moved by about lr (Adam's first step is lr·sign(g) when |g| ≫ ε)
    w.forEach((x, k) => expect(Math.abs(x - (w0[k] as number))).toBeCloseTo(lr, 6));
    await trainer.close();
  });

  it('a few ES steps on a real circuit lower the training loss', async () => {
    const c = smallCircuit(6, 0.3);
    const o = objectiveOf(c);
    const settings: EsSettings = { sigma: 0.02, population: 24, weightDecay: 0 };
    const trainer = new EsTrainer(settings, 1, new LocalEvaluator(settings, 1));
    const w = Float64Array.from(c.weights);
    const adam = new Adam(w.length, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    await trainer.sync(c, adam);
    const start = o.fitFull(w).preregLoss;
    for (let step = 1; step <= 30; step++) await trainer.step({ objective: o, w, adam, reg: { l1: 0, l2: 0 }, step });
    expect(o.fitFull(w).preregLoss).toBeLessThan(0.9 * start);
    await trainer.close();
  });
});
