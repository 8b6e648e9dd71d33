/**
 * Evolution-strategies population evaluation on worker threads: each worker keeps a replica
 * of θ and the optimiser and applies the previous generation's update from its scalar
 * losses before evaluating its share of the new generation.
 */
import type { Adam } from '../../src-shared/optim/adam';
import { getDefaultEngine } from '../../src-shared/machine/engine-choice';
import type { Circuit } from '../../src-shared/synthesis/circuit';
import type { EsSettings, EsUpdate, PopulationEvaluator } from '../../src-shared/synthesis/es';
import type { Problem } from '../../src-shared/problems/problem';
import type { Schedule } from '../../src-shared/synthesis/schedule';
import { WorkerPool } from './pool';

export class WorkerPoolEvaluator implements PopulationEvaluator {
  private readonly pool: WorkerPool;

  constructor(
    count: number,
    private readonly settings: EsSettings,
    seed: number,
    schedule: Pick<Schedule, 'training' | 'testSuite'>,
    problem?: Problem,
  ) {
    this.pool = new WorkerPool(count, {
      seed,
      training: schedule.training,
      testSuite: schedule.testSuite,
      gradients: 'exact',
      engine: getDefaultEngine(),
      es: settings,
      ...(problem ? { problem } : {}),
    });
  }

  sync(circuit: Circuit, adam: Adam): Promise<void> {
    return this.pool.sync(circuit, adam);
  }

  async evaluate(generation: number, step: number, pending: EsUpdate | undefined): Promise<number[]> {
    const n = this.settings.population;
    const count = this.pool.workers.length;
    const per = Math.ceil(n / count);
    const parts = await Promise.all(
      this.pool.workers.map((_, i) => {
        const from = Math.min(n, i * per);
        const to = Math.min(n, from + per);
        return this.pool.request(i, { kind: 'es', generation, step, from, to, pending });
      }),
    );
    return parts.flatMap((r) => (r.kind === 'losses' ? r.losses : []));
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
