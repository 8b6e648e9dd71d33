/**
 * Why a synthesis run ended, in words a researcher reads in the run list and on the run
 * page: what happened (the stop rule that fired) together with whether its circuit passed
 * the final check. A stop rule is not a verdict: "stalled" on a run that passed means the
 * sparsification could not cut further and the circuit was good, not that something failed.
 */
import type { StopReason } from './hooks';

const FINISHED: Readonly<Record<StopReason, string>> = {
  target: 'reached the target size',
  stalled: 'no further cut held',
  budget: 'used its step budget',
  cancelled: 'cancelled',
};

/** "finished: no further cut held" / "verdict failed (training loss 2.86e+3 > 0.001); stopped: reached the target size". */
export function endReason(stopReason: StopReason, passed: boolean, failures: string): string {
  if (passed) return `finished: ${FINISHED[stopReason]}`;
  return `verdict failed (${failures || 'outside the schedule bounds'}); stopped: ${FINISHED[stopReason]}`;
}
