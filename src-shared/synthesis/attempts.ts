/**
 * Attempts and restarts: an attempt is one training of a starting circuit to its end; its
 * verdict checks the result against the schedule's restart bounds (training loss,
 * validation worst error, size), and when it fails a new attempt starts from a fresh
 * random initialisation (seed stream `restart`), up to `restarts.max` times. The best
 * attempt — fewest failures, then the validation error, then the size — is the result.
 */
import { Rng } from '../util/rng';
import { copyCircuit, type Circuit } from './circuit';
import type { MachineSpec } from '../machine/spec';
import type { Problem } from '../problems/problem';
import type { StopReason } from './hooks';
import type { Fit } from './objective';
import type { Schedule } from './schedule';
import { startCircuit, STREAM } from './start';
import type { TestReport } from './test-suite';

export interface Attempt {
  readonly circuit: Circuit;
  readonly spec: MachineSpec;
  readonly train: Fit;
  readonly validation: TestReport;
  readonly stopReason: StopReason;
  readonly passed: boolean;
  /** The failures in words, empty when passed. */
  readonly verdict: string;
  /** Lower is better. */
  readonly rank: number;
}

/** How many attempts the schedule allows: restarts need a start point that can be drawn afresh. */
export function attemptCount(schedule: Schedule, resumed: boolean): number {
  const canRestart = !resumed && schedule.start.kind !== 'matrix';
  return canRestart ? schedule.restarts.max + 1 : 1;
}

/**
 * The most optimiser steps a run of this schedule can take: each attempt trains up to
 * `stop.stepBudget` steps, and each of its polishes (one, plus one per regrow) adds
 * `polish.steps` that the budget does not count. The progress a run shows is measured
 * against this figure, so its counter can never pass it.
 */
export function stepCeiling(schedule: Schedule, resumed: boolean): number {
  const polishes = schedule.regrow.max + 1;
  return attemptCount(schedule, resumed) * (schedule.stop.stepBudget + polishes * schedule.polish.steps);
}

/** The starting circuit of attempt `attempt` (0: the schedule's seed; later ones: a seed drawn from the restart stream). */
export function startingCircuit(schedule: Schedule, attempt: number, resumeFrom: Circuit | undefined, problem: Problem): Circuit {
  if (resumeFrom) return copyCircuit(resumeFrom);
  const seed = attempt === 0 ? schedule.seed : new Rng(schedule.seed, STREAM.restart, attempt).nextUint32() >>> 1;
  return startCircuit(schedule.start, seed, problem);
}

/** The failures of an attempt against the restart bounds, in words (empty: passed). */
export function attemptFailures(r: Schedule['restarts'], train: Fit, validation: TestReport, softLinks: number): string[] {
  return [
    // written as !(x <= bound) so that NaN fails
    !(train.preregLoss <= r.trainLoss) ? `training loss ${train.preregLoss.toPrecision(3)} > ${r.trainLoss}` : '',
    !(validation.worst <= r.validationWorst) ? `validation worst ${validation.worst.toPrecision(3)} > ${r.validationWorst}` : '',
    softLinks > r.links ? `${softLinks} soft links > ${r.links}` : '',
  ].filter(Boolean);
}

export function judgeAttempt(
  circuit: Circuit,
  spec: MachineSpec,
  train: Fit,
  validation: TestReport,
  stopReason: StopReason,
  failures: readonly string[],
): Attempt {
  const links = circuit.weights.length;
  return {
    circuit: copyCircuit(circuit),
    spec,
    train,
    validation,
    stopReason,
    passed: failures.length === 0,
    verdict: failures.join(', '),
    // fewer failures first, then the validation error, then the size
    rank: failures.length * 1e9 + (Number.isNaN(validation.worst) ? 1e9 : Math.min(validation.worst, 1e6) * 1e3) + links,
  };
}

/** Whether `a` is better than the best so far. */
export const betterAttempt = (a: Attempt, best: Attempt | undefined): boolean => !best || a.rank < best.rank;
