/**
 * The runs aggregate of the run store: creating a run (its schedule validated, its
 * references checked), reading and editing it, moving it between statuses (the rules are
 * run-status.ts's table), continuing an ended run from one of its snapshots, its headline
 * figures, and the supervisor's queue.
 */
import { formatIssues, ApiError } from '../../src-shared/api/dispatch';
import { isFinalStatus, type RunDetail, type RunStatus, type RunSummary } from '../../src-shared/api/records';
import type { RunQuery } from '../../src-shared/api/contract';
import { ScheduleSchema, type Schedule } from '../../src-shared/synthesis/schedule';
import { stepCeiling } from '../../src-shared/synthesis/attempts';
import { finiteOrNull, SUMMARY_COLUMNS, toSummary, type SummaryRow } from './rows';
import { queryRuns } from './run-query';
import { checkKnownStatus, checkReopen, checkTransition, CRASH_INTERRUPTED_SQL } from './run-status';
import { errorText, notFound, type RefTable, type StoreContext } from './store-context';

export interface CreateRunInput {
  /** Default `run <id>`. */
  readonly name?: string;
  /** Default 'duplicates'. */
  readonly problem?: string;
  /** The problem version (number) the run uses; default: the problem's latest. */
  readonly problemVersion?: number;
  /**
   * A whole schedule (a Schedule, or what the lab service merged over the default one):
   * validated here, the one check before it is stored (ApiError 'bad-request' naming each
   * bad field), and stored as JSON with its defaults applied.
   */
  readonly schedule: unknown;
  /** Default: the schedule's estimator kind. */
  readonly estimator?: RunSummary['estimator'];
  /** Default: the schedule's seed. */
  readonly seed?: number;
  readonly architectureId?: number | null;
  readonly hyperSetId?: number | null;
  readonly parentRunId?: number | null;
  readonly parentSnapshotId?: number | null;
  readonly tags?: readonly string[];
  readonly notes?: string;
  /** Default 'queued'. */
  readonly status?: RunStatus;
}

export interface RunEdit {
  readonly name?: string;
  /** Replaces the run's tags. */
  readonly tags?: readonly string[];
  readonly notes?: string;
}

export interface RunFigures {
  readonly steps?: number;
  readonly softLinks?: number | null;
  /** Non-finite values are stored as NULL. */
  readonly finalLoss?: number | null;
  readonly bestLoss?: number | null;
  readonly testLoss?: number | null;
  readonly testWorst?: number | null;
}

interface DetailRow extends SummaryRow {
  schedule: string;
  notes: string;
}

export class Runs {
  constructor(private readonly ctx: StoreContext) {}

  create(input: CreateRunInput): RunSummary {
    const { ctx } = this;
    const parsed = ScheduleSchema.safeParse(input.schedule);
    if (!parsed.success) throw new ApiError('bad-request', `invalid schedule: ${formatIssues(parsed.error.issues)}`);
    const schedule = parsed.data;
    const status = input.status ?? 'queued';
    checkKnownStatus(status);
    const problem = input.problem ?? 'duplicates';
    const estimator = input.estimator ?? schedule.estimator.kind;
    const seed = input.seed ?? schedule.seed;
    if (!Number.isSafeInteger(seed)) throw new ApiError('bad-request', `seed must be an integer, got ${seed}`);
    return ctx.tx(() => {
      this.checkReferences(problem, input);
      const versionId = this.problemVersionId(problem, input.problemVersion);
      const now = ctx.clock();
      const id = ctx
        .sql(
          `INSERT INTO runs (name, problem, problem_version, status, estimator, seed, architecture_id, hyper_set_id, parent_run_id,
           parent_snapshot_id, schedule, notes, created_at, started_at, ended_at, step_budget)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        )
        .pluck()
        .get(
          input.name ?? '',
          problem,
          versionId,
          status,
          estimator,
          seed,
          input.architectureId ?? null,
          input.hyperSetId ?? null,
          input.parentRunId ?? null,
          input.parentSnapshotId ?? null,
          JSON.stringify(schedule),
          input.notes ?? '',
          now,
          status === 'running' ? now : null,
          isFinalStatus(status) ? now : null,
          stepCeiling(schedule, input.parentSnapshotId !== undefined && input.parentSnapshotId !== null),
        ) as number;
      if (input.name === undefined || input.name === '') ctx.sql('UPDATE runs SET name = ? WHERE id = ?').run(`run ${id}`, id);
      if (input.tags !== undefined) this.writeTags(id, input.tags);
      return this.summary(id);
    });
  }

  /** The row id of a problem's version (default: its latest); 'bad-request' when there is no such version. */
  problemVersionId(problem: string, version?: number): number | null {
    const id = this.ctx
      .sql(
        version === undefined
          ? 'SELECT id FROM problem_versions WHERE problem = ? ORDER BY version DESC LIMIT 1'
          : 'SELECT id FROM problem_versions WHERE problem = ? AND version = ?',
      )
      .pluck()
      .get(...(version === undefined ? [problem] : [problem, version])) as number | undefined;
    if (id === undefined && version !== undefined) throw new ApiError('bad-request', `problem ${problem} has no version ${version}`);
    return id ?? null;
  }

  hasProblemVersion(problem: string, version: number): boolean {
    return this.ctx.sql('SELECT 1 FROM problem_versions WHERE problem = ? AND version = ?').get(problem, version) !== undefined;
  }

  /** Throws 'bad-request' naming the problem or referenced row that does not exist. */
  checkProblem(problem: string, prefix = ''): void {
    if (this.ctx.sql('SELECT 1 FROM problems WHERE id = ?').get(problem) === undefined) {
      throw new ApiError('bad-request', `${prefix}unknown problem ${JSON.stringify(problem)}`);
    }
  }

  private checkReferences(
    problem: string,
    r: Pick<CreateRunInput, 'architectureId' | 'hyperSetId' | 'parentRunId' | 'parentSnapshotId'>,
  ): void {
    this.checkProblem(problem);
    const refs: [number | null | undefined, RefTable, string][] = [
      [r.architectureId, 'architectures', 'architecture'],
      [r.hyperSetId, 'hyper_sets', 'hyperparameter set'],
      [r.parentRunId, 'runs', 'parent run'],
      [r.parentSnapshotId, 'snapshots', 'parent snapshot'],
    ];
    for (const [id, table, what] of refs) {
      if (id !== undefined && id !== null && !this.ctx.exists(table, id)) throw new ApiError('bad-request', `${what} ${id} does not exist`);
    }
  }

  /** Replaces the run's tags (trimmed; empty ones dropped). */
  writeTags(runId: number, tags: readonly string[]): void {
    this.ctx.sql('DELETE FROM run_tags WHERE run_id = ?').run(runId);
    const insert = this.ctx.sql('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)');
    for (const t of tags) {
      const tag = t.trim();
      if (tag !== '') insert.run(runId, tag);
    }
  }

  /** The run's summary (no schedule parsing). */
  summary(id: number): RunSummary {
    const row = this.ctx.sql(`SELECT ${SUMMARY_COLUMNS} FROM runs r WHERE r.id = ?`).get(id) as SummaryRow | undefined;
    if (row === undefined) throw notFound('run', id);
    return toSummary(row);
  }

  get(id: number): RunDetail {
    const row = this.ctx.sql(`SELECT ${SUMMARY_COLUMNS}, r.schedule, r.notes FROM runs r WHERE r.id = ?`).get(id) as DetailRow | undefined;
    if (row === undefined) throw notFound('run', id);
    return { ...toSummary(row), schedule: parseStoredSchedule(row.id, row.schedule), notes: row.notes };
  }

  list(query: RunQuery = {}): { total: number; runs: RunSummary[] } {
    return queryRuns(this.ctx.db, query);
  }

  update(id: number, edit: RunEdit): RunSummary {
    const { ctx } = this;
    return ctx.tx(() => {
      ctx.requireRun(id);
      if (edit.name !== undefined) ctx.sql('UPDATE runs SET name = ? WHERE id = ?').run(edit.name, id);
      if (edit.notes !== undefined) ctx.sql('UPDATE runs SET notes = ? WHERE id = ?').run(edit.notes, id);
      if (edit.tags !== undefined) this.writeTags(id, edit.tags);
      return this.summary(id);
    });
  }

  /**
   * Moves a run to `status` as run-status.ts allows (a run in a final status never changes:
   * ApiError 'conflict'; setting the status it already has is a no-op). Entering 'running'
   * sets startedAt (once); entering a final status sets endedAt; `extra` overrides both. The
   * reason is replaced (empty when not given).
   */
  setStatus(id: number, status: RunStatus, reason?: string, extra: { startedAt?: number; endedAt?: number } = {}): RunSummary {
    checkKnownStatus(status);
    const { ctx } = this;
    return ctx.tx(() => {
      const row = ctx.sql('SELECT status, started_at, ended_at FROM runs WHERE id = ?').get(id) as
        { status: RunStatus; started_at: number | null; ended_at: number | null } | undefined;
      if (row === undefined) throw notFound('run', id);
      if (!checkTransition(id, row.status, status)) return this.summary(id);
      const now = ctx.clock();
      const startedAt = extra.startedAt ?? (status === 'running' && row.started_at === null ? now : row.started_at);
      const endedAt = extra.endedAt ?? (isFinalStatus(status) ? now : row.ended_at);
      ctx
        .sql('UPDATE runs SET status = ?, status_reason = ?, started_at = ?, ended_at = ? WHERE id = ?')
        .run(status, reason ?? '', startedAt, endedAt, id);
      return this.summary(id);
    });
  }

  /** Records where the run's process runs (`local` or a cluster worker's host name). */
  setRanOn(id: number, where: string): void {
    this.ctx.sql('UPDATE runs SET ran_on = ? WHERE id = ?').run(where.slice(0, 255), id);
  }

  /**
   * Continues an ended run from one of its own snapshots: metrics and snapshots after the
   * snapshot's step are dropped (the continuation replaces them; the event log keeps its
   * history), and the run is queued again, resuming from that snapshot. Refused while the
   * run is going, or when a later snapshot is the starting point of another run.
   */
  reopen(id: number, snapshotId: number): RunSummary {
    const { ctx } = this;
    return ctx.tx(() => {
      const run = ctx.sql('SELECT status FROM runs WHERE id = ?').get(id) as { status: RunStatus } | undefined;
      if (run === undefined) throw notFound('run', id);
      checkReopen(id, run.status);
      const snap = ctx.sql('SELECT run_id, step FROM snapshots WHERE id = ?').get(snapshotId) as
        { run_id: number; step: number } | undefined;
      if (snap === undefined) throw notFound('snapshot', snapshotId);
      if (snap.run_id !== id)
        throw new ApiError(
          'bad-request',
          `snapshot ${snapshotId} belongs to run ${snap.run_id}, not to run ${id}: start a new run from it instead`,
        );
      const used = ctx
        .sql(
          'SELECT r.id AS run, s.id AS snapshot FROM runs r JOIN snapshots s ON r.parent_snapshot_id = s.id WHERE s.run_id = ? AND s.step > ? AND r.id <> ? LIMIT 1',
        )
        .get(id, snap.step, id) as { run: number; snapshot: number } | undefined;
      if (used)
        throw new ApiError(
          'conflict',
          `snapshot ${used.snapshot} of run ${id}, after step ${snap.step}, is where run ${used.run} started: continue in a new run instead`,
        );
      ctx.sql('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(id, snap.step);
      ctx.sql('DELETE FROM snapshots WHERE run_id = ? AND step > ?').run(id, snap.step);
      const last = ctx.sql('SELECT prereg_loss FROM metrics WHERE run_id = ? AND step = ?').get(id, snap.step) as
        { prereg_loss: number | null } | undefined;
      const best = ctx.sql('SELECT min(prereg_loss) AS best FROM metrics WHERE run_id = ?').get(id) as { best: number | null };
      ctx
        .sql(
          `UPDATE runs SET status = 'queued', status_reason = '', verdict = 'none', ended_at = NULL, steps = ?, final_loss = ?, best_loss = ?,
           test_loss = NULL, test_worst = NULL, parent_snapshot_id = ?, step_budget = ? WHERE id = ?`,
        )
        .run(snap.step, last?.prereg_loss ?? null, best.best, snapshotId, snap.step + stepCeiling(this.get(id).schedule, true), id);
      return this.summary(id);
    });
  }

  updateFigures(id: number, f: RunFigures): RunSummary {
    const sets: string[] = [];
    const values: unknown[] = [];
    const put = (column: string, value: unknown): void => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (f.steps !== undefined) {
      if (!Number.isSafeInteger(f.steps) || f.steps < 0)
        throw new ApiError('bad-request', `steps must be a non-negative integer, got ${f.steps}`);
      put('steps', f.steps);
    }
    if (f.softLinks !== undefined) put('soft_links', f.softLinks === null ? null : Math.trunc(f.softLinks));
    if (f.finalLoss !== undefined) put('final_loss', finiteOrNull(f.finalLoss));
    if (f.bestLoss !== undefined) put('best_loss', finiteOrNull(f.bestLoss));
    if (f.testLoss !== undefined) put('test_loss', finiteOrNull(f.testLoss));
    if (f.testWorst !== undefined) put('test_worst', finiteOrNull(f.testWorst));
    return this.ctx.tx(() => {
      this.ctx.requireRun(id);
      if (sets.length > 0) this.ctx.sql(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      return this.summary(id);
    });
  }

  /** Live (not trashed) queued runs, oldest first: the supervisor's queue. */
  queuedIds(): number[] {
    return this.ctx.sql("SELECT id FROM runs WHERE status = 'queued' AND deleted_at IS NULL ORDER BY id").pluck().all() as number[];
  }

  /**
   * Every run left running or paused (by a main process that died) becomes 'interrupted'
   * with `reason`; returns their ids. Queued runs stay queued.
   */
  markInterrupted(reason: string): number[] {
    const { ctx } = this;
    return ctx.tx(() => {
      const ids = ctx.sql(`SELECT id FROM runs WHERE status IN (${CRASH_INTERRUPTED_SQL}) ORDER BY id`).pluck().all() as number[];
      if (ids.length > 0) {
        ctx
          .sql(
            `UPDATE runs SET status = 'interrupted', status_reason = ?, ended_at = coalesce(ended_at, ?) WHERE status IN (${CRASH_INTERRUPTED_SQL})`,
          )
          .run(reason, ctx.clock());
      }
      return ids;
    });
  }
}

function parseStoredSchedule(runId: number, text: string): Schedule {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ApiError('internal', `run ${runId}: stored schedule is corrupted: ${errorText(e)}`);
  }
  const parsed = ScheduleSchema.safeParse(data);
  if (!parsed.success) throw new ApiError('internal', `run ${runId}: stored schedule is corrupted: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}
