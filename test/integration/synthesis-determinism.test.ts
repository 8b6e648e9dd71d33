/**
 * Determinism of synthesis across runs and threads (src-main/synthesis): the same schedule
 * and seed give the same circuit bit for bit; exact gradients computed on worker threads
 * (ParallelGradientTrainer) and evolution strategies evaluated on worker threads
 * (WorkerPoolEvaluator) give the same weights, bit for bit, as the single-threaded
 * trainers; another seed gives another circuit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Adam } from '../../src-shared/optim/adam';
import { generateArchitecture } from '../../src-shared/problems/duplicates/architecture';
import { TargetCache } from '../../src-shared/problems/duplicates/loss';
import { circuitFromSpec } from '../../src-shared/synthesis/circuit';
import { alphabetOf } from '../../src-shared/synthesis/dataset';
import type { StepMetrics, SynthesisEvent } from '../../src-shared/synthesis/events';
import { EsTrainer } from '../../src-shared/synthesis/es';
import { SetObjective } from '../../src-shared/synthesis/objective';
import { scheduleFromOverrides, type Schedule } from '../../src-shared/synthesis/schedule';
import { synthesize, type SynthesisResult } from '../../src-shared/synthesis/synthesize';
import { GradientTrainer, type Trainer } from '../../src-shared/synthesis/trainer';
import { ParallelGradientTrainer } from '../../src-main/synthesis/parallel-gradient';
import { gradientWorkers, makeTrainer } from '../../src-main/synthesis/trainers';

const TYPES = ['accum', 'norm', 'compare', 'dot'];

/** A tiny schedule (92 soft links, three short strings so that two workers both get work). */
function tiny(seed: number, extra: Record<string, unknown> = {}): Schedule {
  return scheduleFromOverrides(
    {
      start: { kind: 'generate', architecture: { layers: 2, copies: 1, types: TYPES, skip: true, scale: 0.01 } },
      training: {
        strings: [
          { text: 'aba.', cycles: 50 },
          { text: 'b..', cycles: 40 },
          { text: 'cc.a', cycles: 50 },
        ],
      },
      testSuite: [{ text: 'ab.', cycles: 40 }],
      dense: { steps: 40 },
      rounds: { retrain: { chunk: 10, budget: 20, fineBudget: 10 }, fineTries: 2, fineBelow: 10 },
      stop: { targetLinks: 4, stepBudget: 150 },
      polish: { steps: 10 },
      regrow: { max: 0 },
      restarts: { max: 0, validation: [{ text: 'aab.', cycles: 50 }] },
      ...extra,
    },
    seed,
  );
}

const es = (workers: number, population = 5) => ({ kind: 'es', sigma: 0.02, population, weightDecay: 0.001, workers });

interface Run {
  result: SynthesisResult;
  steps: StepMetrics[];
  events: SynthesisEvent[];
}

const open: Trainer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function run(schedule: Schedule, trainer: Trainer): Promise<Run> {
  open.push(trainer);
  const steps: StepMetrics[] = [];
  const events: SynthesisEvent[] = [];
  const result = await synthesize(schedule, { trainer, onStep: (m) => steps.push(m), onEvent: (e) => events.push(e) });
  return { result, steps, events };
}

const bytes = (w: Float64Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength);

function expectSameRun(a: Run, b: Run): void {
  expect(b.result.circuit.links).toEqual(a.result.circuit.links);
  expect(bytes(b.result.circuit.weights).equals(bytes(a.result.circuit.weights))).toBe(true);
  // every step's figures, bit for bit (toEqual would accept 0 for -0; the losses are compared with Object.is)
  expect(b.steps.length).toBe(a.steps.length);
  b.steps.forEach((m, i) => {
    const n = a.steps[i] as StepMetrics;
    expect(Object.is(m.preregLoss, n.preregLoss), `step ${i + 1}: ${m.preregLoss} vs ${n.preregLoss}`).toBe(true);
    expect(Object.is(m.loss, n.loss)).toBe(true);
  });
  expect(b.events).toEqual(a.events);
  expect(b.result.train).toEqual(a.result.train);
  expect(b.result.test).toEqual(a.result.test);
}

describe('makeTrainer', () => {
  it('picks the trainer the schedule asks for', async () => {
    const g = makeTrainer(tiny(1), 0);
    expect(g).toBeInstanceOf(GradientTrainer);
    const p = makeTrainer(tiny(1), 1);
    open.push(p);
    expect(p).toBeInstanceOf(ParallelGradientTrainer);
    expect(p.kind).toBe('gradient');
    const e = makeTrainer(tiny(1, { estimator: es(0) }));
    expect(e).toBeInstanceOf(EsTrainer);
    expect(e.kind).toBe('es');
  });

  it('uses at most one worker fewer than the cores and one fewer than the strings (compiled engine), none with the fast engine', () => {
    const s = tiny(1);
    expect(gradientWorkers(s, 1, 'compiled')).toBe(0);
    expect(gradientWorkers(s, 2, 'compiled')).toBe(1);
    expect(gradientWorkers(s, 8, 'compiled')).toBe(2);
    const one = tiny(1, { training: { strings: [{ text: 'ab', cycles: 30 }] } });
    expect(gradientWorkers(one, 8, 'compiled')).toBe(0);
    expect(gradientWorkers(s, 8, 'fast')).toBe(0);
    expect(gradientWorkers(s, 8, 'fast-ts')).toBe(0);
  });
});

describe('exact gradients', () => {
  it('the same schedule and seed give bit-identical weights, steps and events twice', async () => {
    const a = await run(tiny(5), makeTrainer(tiny(5), 0));
    const b = await run(tiny(5), makeTrainer(tiny(5), 0));
    expect(a.events.some((e) => e.kind === 'cut')).toBe(true);
    expectSameRun(a, b);
  });

  it('worker threads (1 and 2) give bit-identical weights to the single-threaded trainer', async () => {
    const s = tiny(5);
    const single = await run(s, makeTrainer(s, 0));
    for (const threads of [1, 2]) {
      const parallel = await run(s, makeTrainer(s, threads));
      expectSameRun(single, parallel);
    }
  });

  it('another seed gives another circuit', async () => {
    const a = await run(tiny(5), makeTrainer(tiny(5), 0));
    const b = await run(tiny(6), makeTrainer(tiny(6), 0));
    expect(a.steps[0]?.preregLoss).not.toBe(b.steps[0]?.preregLoss);
    const same =
      a.result.circuit.weights.length === b.result.circuit.weights.length &&
      bytes(a.result.circuit.weights).equals(bytes(b.result.circuit.weights));
    expect(same).toBe(false);
  });

  it('the parallel trainer computes one step exactly like the plain one, at any weights', async () => {
    const s = tiny(2);
    const c = circuitFromSpec(generateArchitecture({ layers: 2, copies: 1, types: TYPES, skip: true, scale: 0.3, seed: 2 }));
    const objective = new SetObjective(
      c,
      s.training.strings,
      alphabetOf([s.training.strings, s.testSuite]),
      'exact',
      undefined,
      new TargetCache(),
    );
    const plain = new GradientTrainer();
    const parallel = new ParallelGradientTrainer(2, s);
    open.push(parallel);
    const w1 = Float64Array.from(c.weights);
    const w2 = Float64Array.from(c.weights);
    const a1 = new Adam(w1.length, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const a2 = new Adam(w2.length, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    await parallel.sync(c, a2);
    for (let step = 1; step <= 3; step++) {
      const reg = { l1: 0.01, l2: 0.001 };
      const f1 = await plain.step({ objective, w: w1, adam: a1, reg, step });
      const f2 = await parallel.step({ objective, w: w2, adam: a2, reg, step });
      expect(f2).toEqual(f1);
      expect(bytes(w2).equals(bytes(w1)), `weights after step ${step}`).toBe(true);
    }
    expect(bytes(w1).equals(bytes(c.weights))).toBe(false);
  });

  it('a closed worker pool refuses further work instead of hanging', async () => {
    const s = tiny(2);
    const c = circuitFromSpec(generateArchitecture({ layers: 2, copies: 1, types: TYPES, skip: true, scale: 0.3, seed: 2 }));
    const objective = new SetObjective(
      c,
      s.training.strings,
      alphabetOf([s.training.strings, s.testSuite]),
      'exact',
      undefined,
      new TargetCache(),
    );
    const parallel = new ParallelGradientTrainer(1, s);
    const adam = new Adam(c.weights.length);
    await parallel.sync(c, adam);
    await parallel.close();
    await expect(parallel.step({ objective, w: Float64Array.from(c.weights), adam, reg: { l1: 0, l2: 0 }, step: 1 })).rejects.toThrow(
      /closed/,
    );
  });
});

describe('evolution strategies', () => {
  it('worker threads (WorkerPoolEvaluator, 2 workers, uneven shares) give bit-identical runs to the local evaluator', async () => {
    const local = tiny(4, { estimator: es(0) });
    const pooled = tiny(4, { estimator: es(2) });
    const a = await run(local, makeTrainer(local));
    const b = await run(pooled, makeTrainer(pooled));
    // the run did cut and retrain (so the replicas were re-synchronised along the way)
    expect(a.events.some((e) => e.kind === 'cut')).toBe(true);
    expect(a.steps.length).toBeGreaterThan(40);
    expectSameRun(a, b);
  });

  it('ES runs are deterministic per seed, and depend on it', async () => {
    const s = tiny(4, { estimator: es(0), dense: { steps: 15 }, stop: { targetLinks: 1000 } });
    const a = await run(s, makeTrainer(s));
    const b = await run(s, makeTrainer(s));
    expectSameRun(a, b);
    const t = tiny(8, { estimator: es(0), dense: { steps: 15 }, stop: { targetLinks: 1000 } });
    const c = await run(t, makeTrainer(t));
    expect(bytes(c.result.circuit.weights).equals(bytes(a.result.circuit.weights))).toBe(false);
  });

  it('ES training lowers the training loss of the dense phase', async () => {
    const s = tiny(4, {
      estimator: es(0, 16),
      dense: { steps: 40, lrDecay: false },
      optimizer: { lr: 0.01 },
      stop: { targetLinks: 1000 },
      polish: { steps: 0 },
    });
    const { steps } = await run(s, makeTrainer(s));
    const dense = steps.filter((m) => m.phase === 'dense');
    expect(dense).toHaveLength(40);
    expect((dense.at(-1) as StepMetrics).preregLoss).toBeLessThan(0.95 * (dense[0] as StepMetrics).preregLoss);
  });
});
