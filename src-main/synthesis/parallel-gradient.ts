/**
 * Exact gradients with the training strings shared between the calling thread and worker
 * threads. Per-string gradients are added up in string order, so the result is the same
 * bit for bit whatever the number of threads.
 */
import type { Adam } from '../../src-shared/optim/adam';
import { getDefaultEngine } from '../../src-shared/machine/engine-choice';
import type { Circuit } from '../../src-shared/synthesis/circuit';
import type { Fit, StringFit } from '../../src-shared/synthesis/objective';
import type { Problem } from '../../src-shared/problems/problem';
import type { Schedule } from '../../src-shared/synthesis/schedule';
import { clipToNorm, type StepContext, type Trainer } from '../../src-shared/synthesis/trainer';
import { WorkerPool } from './pool';

export class ParallelGradientTrainer implements Trainer {
  readonly kind = 'gradient';
  private readonly pool: WorkerPool;
  private grad = new Float64Array(0);

  constructor(workers: number, schedule: Schedule, problem?: Problem) {
    const gradients = schedule.estimator.kind === 'gradient' ? schedule.estimator.gradients : 'exact';
    this.pool = new WorkerPool(workers, {
      seed: schedule.seed,
      training: schedule.training,
      testSuite: schedule.testSuite,
      gradients,
      engine: getDefaultEngine(),
      ...(problem ? { problem } : {}),
    });
  }

  /** Which strings each thread takes: thread 0 is the caller; round robin. */
  private shares(count: number): number[][] {
    const threads = this.pool.workers.length + 1;
    const out: number[][] = Array.from({ length: threads }, () => []);
    for (let i = 0; i < count; i++) (out[i % threads] as number[]).push(i);
    return out;
  }

  async step({ objective, w, adam, reg, step, clipNorm }: StepContext): Promise<Fit> {
    const n = objective.strings.length;
    const [mine = [], ...theirs] = this.shares(n);
    const replies = theirs.map((strings, k) =>
      strings.length ? this.pool.request(k, { kind: 'grad', step, strings, weights: Float64Array.from(w) }) : Promise.resolve(undefined),
    );
    const fits: StringFit[] = new Array<StringFit>(n);
    const grads: Float64Array[] = new Array<Float64Array>(n);
    for (const i of mine) {
      const g = objective.scratch(i, w.length);
      fits[i] = objective.fitOne(w, i, step, g);
      grads[i] = g;
    }
    const answers = await Promise.all(replies);
    answers.forEach((r, k) => {
      if (!r) return;
      if (r.kind !== 'grads') throw new Error(`unexpected reply ${r.kind}`);
      (theirs[k] as number[]).forEach((i, j) => {
        fits[i] = r.fits[j] as StringFit;
        grads[i] = r.grads[j] as Float64Array;
      });
    });
    if (this.grad.length !== w.length) this.grad = new Float64Array(w.length);
    else this.grad.fill(0);
    const fit = objective.combine(w, reg, fits, grads, this.grad);
    if (clipNorm) clipToNorm(this.grad, clipNorm);
    adam.update(w, this.grad);
    return fit;
  }

  sync(circuit: Circuit, adam: Adam): Promise<void> {
    return this.pool.sync(circuit, adam);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
