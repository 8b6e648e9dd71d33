/**
 * The run-status rules in one table: which status a run may move to, what becomes of it
 * when the lab finds it left behind by a main process that died, what an exported run in
 * that status becomes when imported, and whether it may continue from one of its own
 * snapshots. A final status (records.ts: FINAL_STATUSES) never changes through setStatus:
 * asking for the status it already has is a no-op, anything else is a conflict.
 */
import { ApiError } from '../../src-shared/api/dispatch';
import { FINAL_STATUSES, RUN_STATUSES, type RunStatus } from '../../src-shared/api/records';

export interface StatusRule {
  /** A run that has ended: its figures and status are what it did. */
  readonly final: boolean;
  /** Statuses setStatus may move a run in this status to. */
  readonly next: readonly RunStatus[];
  /** What the run becomes when the lab opens the store and finds it left by a dead main process. */
  readonly afterCrash: RunStatus;
  /** What a run exported in this status becomes when imported (a copy is never live). */
  readonly imported: RunStatus;
  /** Whether the run may continue from one of its own snapshots (reopenRun: back to 'queued'). */
  readonly reopen: boolean;
}

const going = (afterCrash: RunStatus): StatusRule => ({
  final: false,
  next: RUN_STATUSES,
  afterCrash,
  imported: 'interrupted',
  reopen: false,
});
const ended = (s: RunStatus): StatusRule => ({ final: true, next: [], afterCrash: s, imported: s, reopen: true });

export const RUN_STATUS_RULES: Readonly<Record<RunStatus, StatusRule>> = {
  queued: going('queued'),
  running: going('interrupted'),
  paused: going('interrupted'),
  completed: ended('completed'),
  failed: ended('failed'),
  interrupted: ended('interrupted'),
  diverged: ended('diverged'),
  stopped: ended('stopped'),
};

const KNOWN = new Set<string>(RUN_STATUSES);

export function checkKnownStatus(status: string, prefix = ''): asserts status is RunStatus {
  if (!KNOWN.has(status)) throw new ApiError('bad-request', `${prefix}unknown status ${JSON.stringify(status)}`);
}

/**
 * Whether setStatus moving run `id` from `from` to `to` changes anything: false for the
 * no-op (a final status asked again); throws 'conflict' for a move the table forbids.
 */
export function checkTransition(id: number, from: RunStatus, to: RunStatus): boolean {
  const rule = RUN_STATUS_RULES[from];
  if (rule.final && from === to) return false;
  if (rule.next.includes(to)) return true;
  if (rule.final) {
    throw new ApiError('conflict', `run ${id} is ${from}: a run in a final status (${FINAL_STATUSES.join(', ')}) cannot become ${to}`);
  }
  throw new ApiError('conflict', `run ${id} is ${from}: it cannot become ${to}`);
}

/** Throws 'conflict' unless a run in `status` may continue from one of its snapshots. */
export function checkReopen(id: number, status: RunStatus): void {
  if (!RUN_STATUS_RULES[status].reopen) throw new ApiError('conflict', `run ${id} is ${status}: only a run that has ended can continue`);
}

/** Statuses that a dead main process leaves behind as 'interrupted', as an SQL list of literals. */
export const CRASH_INTERRUPTED_SQL = RUN_STATUSES.filter((s) => RUN_STATUS_RULES[s].afterCrash === 'interrupted' && s !== 'interrupted')
  .map((s) => `'${s}'`)
  .join(', ');
