/**
 * Names shared by the desktop and the workers: the BullMQ queue of runs and, per launch of a
 * run (its session), a Redis stream of the run's messages (worker → desktop) and one of what
 * the desktop sends back (acknowledgements, commands).
 */
export const RUN_QUEUE = 'dmm-lab-runs';

/** The failure BullMQ gives a job whose worker stopped renewing its lock (killed, lost). */
export const STALLED_REASON = 'job stalled more than allowable limit';

export function jobIdOf(runId: number, session: string): string {
  return `run-${runId}-${session}`;
}

export function streamKeys(runId: number, session: string): { out: string; in: string } {
  const base = `dmm-lab:run:${runId}:${session}`;
  return { out: `${base}:out`, in: `${base}:in` };
}
