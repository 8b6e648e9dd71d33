/**
 * The stability guards of the training loop, on the real loop, the real Adam and the real
 * gradient trainer with a one-weight loss that has a cliff: the spike guard undoes a step
 * whose loss jumps (weights and optimiser state back exactly), lowers the learning rate,
 * reports each undo and never reports the spiked loss as a step; gradient-norm clipping
 * bounds the gradient the optimiser sees.
 */
import { describe, expect, it } from 'vitest';
import { Adam } from '../../src-shared/optim/adam';
import type { Circuit } from '../../src-shared/synthesis/circuit';
import type { Fit, SetObjective } from '../../src-shared/synthesis/objective';
import { TrainLoop, type SpikeRecord } from '../../src-shared/synthesis/train-loop';
import { clipToNorm, GradientTrainer } from '../../src-shared/synthesis/trainer';
import type { StepMetrics } from '../../src-shared/synthesis/events';

/** f(w) = (w − 3)², plus 10⁶ on the narrow cliff |w − 1.2| < 0.1; its exact gradient. */
function cliff(): SetObjective {
  const evaluate = (w: Float64Array, _reg: unknown, _step: number, grad?: Float64Array): Fit => {
    const x = w[0] as number;
    const onCliff = Math.abs(x - 1.2) < 0.1;
    const loss = (x - 3) ** 2 + (onCliff ? 1e6 : 0);
    if (grad) grad[0] = 2 * (x - 3);
    return { preregLoss: loss, loss, l1: 0, l2: 0, worstError: loss };
  };
  return { evaluate } as unknown as SetObjective;
}

function state(w0: number): { circuit: Circuit; adam: Adam } {
  const circuit = { base: { neurons: [], fixed: {}, trainable: {} }, links: [], weights: Float64Array.of(w0) } as unknown as Circuit;
  return { circuit, adam: new Adam(1, { lr: 0.6, beta1: 0.9, beta2: 0.999, eps: 1e-8 }) };
}

async function run(spikeFactor: number) {
  const steps: StepMetrics[] = [];
  const spikes: SpikeRecord[] = [];
  const weightsAt = new Map<number, number>(); // weights each reported step started from
  const s = state(0);
  const loop = new TrainLoop(
    {
      onStep: (m) => {
        steps.push(m);
      },
    },
    new GradientTrainer(),
    10_000,
    () => {},
    { spikeFactor, spikeLrFactor: 0.5, clipNorm: 0 },
    (r) => spikes.push(r),
  );
  // record the weights before each step through the trainer
  const objective = cliff();
  const inner = objective.evaluate.bind(objective);
  (objective as { evaluate: SetObjective['evaluate'] }).evaluate = (w, reg, step, grad) => {
    weightsAt.set(step, w[0] as number);
    return inner(w, reg, step, grad);
  };
  const { fit } = await loop.train(s, objective, 40, 'dense', { lr: 0.6, l1: 0 });
  return { steps, spikes, weightsAt, fit, w: s.circuit.weights[0] as number };
}

describe('spike guard', () => {
  it('without it, a step lands on the cliff and its loss is reported', async () => {
    const r = await run(0);
    expect(r.spikes).toHaveLength(0);
    expect(Math.max(...r.steps.map((m) => m.loss))).toBeGreaterThan(1e5);
  });

  it('undoes the step that led onto the cliff, exactly, lowers the learning rate and reports it', async () => {
    const r = await run(10);
    expect(r.spikes.length).toBeGreaterThan(0);
    for (const sp of r.spikes) {
      expect(sp.loss).toBeGreaterThan(10 * sp.before);
      expect(sp.phase).toBe('dense');
    }
    // the learning rate halves with each undo
    r.spikes.forEach((sp, i) => expect(sp.lr).toBeCloseTo(0.6 * 0.5 ** (i + 1), 12));
    // no reported step carries the spiked loss, and each reported step is within the factor of the one before
    for (let i = 1; i < r.steps.length; i++) expect(r.steps[i]!.loss).toBeLessThanOrEqual(10 * r.steps[i - 1]!.loss);
    expect(Math.max(...r.steps.map((m) => m.loss))).toBeLessThan(1e5);
    // after the first undo the next step starts from exactly the weights of the last kept step
    const first = r.spikes[0]!;
    const lastKept = r.steps.filter((m) => m.step < first.step).at(-1)!;
    expect(r.weightsAt.get(first.step + 1)).toBe(r.weightsAt.get(lastKept.step));
    // and the run still makes progress towards the minimum past the cliff
    expect(r.fit?.loss).toBeLessThan(9);
  });
});

describe('gradient-norm clipping', () => {
  it('scales a long gradient to the bound and leaves a short one alone', () => {
    const g = Float64Array.of(3, 4);
    expect(clipToNorm(g, 1)).toBe(5);
    expect(g[0]).toBeCloseTo(0.6, 15);
    expect(g[1]).toBeCloseTo(0.8, 15);
    const h = Float64Array.of(0.3, 0.4);
    clipToNorm(h, 1);
    expect(Array.from(h)).toEqual([0.3, 0.4]);
  });

  it('in the loop, bounds every update of plain gradient steps', async () => {
    // Adam's first step moves by about lr whatever the gradient: use the clip on the gradient the trainer hands Adam
    const seen: number[] = [];
    const adam = new Adam(1, { lr: 0.1, beta1: 0, beta2: 0.999, eps: 1e-8 });
    const update = adam.update.bind(adam);
    adam.update = (w, g) => {
      seen.push(Math.abs(g[0] as number));
      update(w, g);
    };
    const circuit = state(100).circuit;
    const loop = new TrainLoop({}, new GradientTrainer(), 100, () => {}, { spikeFactor: 0, spikeLrFactor: 0.5, clipNorm: 2 });
    await loop.train({ circuit, adam }, cliff(), 5, 'dense', { lr: 0.1, l1: 0 });
    expect(seen).toHaveLength(5);
    for (const g of seen) expect(g).toBeCloseTo(2, 12); // |2(w − 3)| ≈ 194 clipped to 2
  });
});
