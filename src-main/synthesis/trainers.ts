/** The Trainer a schedule asks for, using worker threads where they help. */
import { availableParallelism } from 'node:os';
import { getDefaultEngine, type EngineName } from '../../src-shared/machine/engine-choice';
import { EsTrainer, LocalEvaluator } from '../../src-shared/synthesis/es';
import type { Problem } from '../../src-shared/problems/problem';
import type { Schedule } from '../../src-shared/synthesis/schedule';
import { GradientTrainer, type Trainer } from '../../src-shared/synthesis/trainer';
import { WorkerPoolEvaluator } from './es-pool';
import { ParallelGradientTrainer } from './parallel-gradient';

/**
 * Worker threads for gradients: one fewer than the cores, at most one fewer than the
 * strings — with the compiled engine. The fast engine computes a string's gradient in less
 * time than a round trip to a worker takes, so it runs on the calling thread (0).
 */
export function gradientWorkers(schedule: Schedule, cores = availableParallelism(), engine: EngineName = getDefaultEngine()): number {
  if (engine !== 'compiled') return 0;
  return Math.max(0, Math.min(cores - 1, schedule.training.strings.length - 1, 7));
}

export function makeTrainer(schedule: Schedule, threads?: number, problem?: Problem): Trainer {
  const e = schedule.estimator;
  if (e.kind === 'gradient') {
    const workers = threads ?? gradientWorkers(schedule);
    return workers > 0 ? new ParallelGradientTrainer(workers, schedule, problem) : new GradientTrainer();
  }
  const settings = { sigma: e.sigma, population: e.population, weightDecay: e.weightDecay };
  const evaluator =
    e.workers > 0
      ? new WorkerPoolEvaluator(e.workers, settings, schedule.seed, schedule, problem)
      : new LocalEvaluator(settings, schedule.seed);
  return new EsTrainer(settings, schedule.seed, evaluator);
}
