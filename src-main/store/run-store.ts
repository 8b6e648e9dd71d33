/**
 * The run store: every run with its metrics, events and snapshots, the architectures, the
 * hyperparameter sets and the problems, in one SQLite file (better-sqlite3, synchronous).
 * It returns exactly the records of src-shared/api/records.ts and fails with ApiError
 * codes the transports pass on: `not-found` (unknown id), `bad-request` (a reference to
 * nothing, an invalid schedule or query), `conflict` (leaving a final status), `internal`
 * (stored data that is corrupted — the message names the row).
 *
 * One process writes (the main process); others may read. Every multi-statement write is
 * one transaction. See migrations.ts for the schema and how NaN is stored.
 */
import type { Statement, Transaction } from 'better-sqlite3';
import type { z } from 'zod';
import { formatIssues, ApiError } from '../../src-shared/api/dispatch';
import {
  ArchitectureGraphSchema,
  FINAL_STATUSES,
  RUN_STATUSES,
  SNAPSHOT_REASONS,
  isFinalStatus,
  ViewSettingsSchema,
  type SavedView,
  type Architecture,
  type ArchitectureGraph,
  type ArchitectureInfo,
  type EventRecord,
  type HyperSet,
  type Metric,
  type Problem,
  type RunDetail,
  type RunStatus,
  type RunSummary,
  type Snapshot,
  type SnapshotInfo,
} from '../../src-shared/api/records';
import type { RunQuery } from '../../src-shared/api/contract';
import { RUN_EXPORT_FORMAT, type RunExport } from '../../src-shared/api/run-export';
import { ScheduleSchema, type LinkSchema, type Schedule } from '../../src-shared/synthesis/schedule';
import { openDatabase, type Db, type OpenOptions } from './database';
import { downsample } from './downsample';
import {
  advanceRawRows,
  checkFactor,
  emaSmooth,
  METRIC_SMOOTHING_START,
  smoothMetrics,
  SmoothingCache,
  type MetricSmoothingState,
} from './smoothing';
import { ComparisonStore } from './comparisons';
import { migrate } from './migrations';
import {
  finiteOrNull,
  METRIC_COLUMNS,
  SNAPSHOT_INFO_COLUMNS,
  SUMMARY_COLUMNS,
  toEvent,
  toMetric,
  toSnapshotInfo,
  toSummary,
  type EventRow,
  type MetricRow,
  type SnapshotInfoRow,
  type SummaryRow,
} from './rows';
import { queryRuns, registerSqlFunctions } from './run-query';
import { packKeys, packWeights, resolveKeys, SnapshotCorruptError, unpackKeys, unpackSnapshot } from './snapshot-codec';

export type Link = z.infer<typeof LinkSchema>;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

export interface RunStoreOptions {
  /** Milliseconds since the epoch (default Date.now); injectable for tests. */
  readonly clock?: () => number;
}

export interface CreateRunInput {
  /** Default `run <id>`. */
  readonly name?: string;
  /** Default 'duplicates'. */
  readonly problem?: string;
  /** Validated again here (defaults applied); stored as JSON. */
  readonly schedule: Schedule;
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

export interface NewEvent {
  readonly step: number;
  readonly kind: string;
  readonly data?: Record<string, unknown>;
}

export interface NewSnapshot {
  readonly step: number;
  readonly reason: SnapshotReason;
  readonly preregLoss: number;
  readonly links: readonly Link[];
  readonly weights: Float64Array | readonly number[];
}

export interface MetricsPage {
  /** Points after `afterStep` before downsampling. */
  readonly total: number;
  /** The last step after `afterStep` (or `afterStep`, 0 by default, when there is none): the next `afterStep` to poll with. */
  readonly lastStep: number;
  readonly points: Metric[];
}

/** Tables whose name is spliced into SQL: only these literals. */
type RefTable = 'runs' | 'snapshots' | 'architectures' | 'hyper_sets';

const STATUSES = new Set<string>(RUN_STATUSES);
const REASONS = new Set<string>(SNAPSHOT_REASONS);
/** Rows per metrics INSERT statement (9 parameters each). */
const METRIC_ROWS = 64;
const ACTIVE_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused'];

interface DetailRow extends SummaryRow {
  schedule: string;
  notes: string;
}

interface ArchitectureRow {
  id: number;
  name: string;
  version: number;
  description: string;
  graph: string;
  soft_links: number;
  created_at: number;
}

interface HyperSetRow {
  id: number;
  name: string;
  description: string;
  schedule: string;
  created_at: number;
}

interface LinkKeyRow {
  id: number;
  to_neuron: string;
  to_port: string;
  from_neuron: string;
  from_port: string;
}

const notFound = (what: string, id: number): ApiError => new ApiError('not-found', `${what} ${id} does not exist`);
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Numeric leaves of a matrix given as nested JSON objects. */
export function countLeaves(x: unknown): number {
  if (typeof x === 'number') return 1;
  if (typeof x !== 'object' || x === null) return 0;
  let n = 0;
  for (const v of Object.values(x)) n += countLeaves(v);
  return n;
}

export class RunStore {
  private readonly clock: () => number;
  private readonly statements = new Map<string, Statement>();
  /** Metric INSERT statements by row count. */
  private readonly metricInserts: (Statement | undefined)[] = [];
  /** Smoothing states of the last metrics fetches (see smoothing.ts). */
  private readonly smoothingCache = new SmoothingCache();
  /** link_keys id → link. Ids are AUTOINCREMENT and never reused or edited, so this cannot go stale (cleared on purge anyway). */
  private readonly linkCache = new Map<number, Link>();
  private readonly transaction: Transaction<(fn: () => unknown) => unknown>;
  /** Saved circuit comparisons (comparisons.ts). */
  readonly comparisons: ComparisonStore;

  constructor(
    readonly db: Db,
    options: RunStoreOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    if (!db.inTransaction) db.pragma('foreign_keys = ON');
    migrate(db);
    registerSqlFunctions(db);
    this.transaction = db.transaction((fn: () => unknown) => fn());
    this.comparisons = new ComparisonStore(db, this.clock);
  }

  static open(file: string, options: RunStoreOptions & OpenOptions = {}): RunStore {
    return new RunStore(openDatabase(file, options), options);
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  /** A prepared statement, cached by its SQL (returning whole rows: call .pluck() for the first column). */
  private sql(source: string): Statement {
    let s = this.statements.get(source);
    if (s === undefined) {
      s = this.db.prepare(source);
      this.statements.set(source, s);
    }
    return s.reader ? s.pluck(false) : s;
  }

  /** Runs `fn` in an IMMEDIATE transaction (a savepoint when nested). */
  private tx<T>(fn: () => T): T {
    return this.transaction.immediate(fn) as T;
  }

  // ---------------------------------------------------------------- problems

  listProblems(): Problem[] {
    return this.sql('SELECT id, name, description FROM problems ORDER BY id').all() as Problem[];
  }

  // ---------------------------------------------------------------- runs

  createRun(input: CreateRunInput): RunSummary {
    const parsed = ScheduleSchema.safeParse(input.schedule);
    if (!parsed.success) throw new ApiError('bad-request', `invalid schedule: ${formatIssues(parsed.error.issues)}`);
    const schedule = parsed.data;
    const status = input.status ?? 'queued';
    if (!STATUSES.has(status)) throw new ApiError('bad-request', `unknown status ${JSON.stringify(status)}`);
    const problem = input.problem ?? 'duplicates';
    const estimator = input.estimator ?? schedule.estimator.kind;
    const seed = input.seed ?? schedule.seed;
    if (!Number.isSafeInteger(seed)) throw new ApiError('bad-request', `seed must be an integer, got ${seed}`);
    return this.tx(() => {
      this.checkReferences(problem, input);
      const now = this.clock();
      const id = this.sql(
        `INSERT INTO runs (name, problem, status, estimator, seed, architecture_id, hyper_set_id, parent_run_id, parent_snapshot_id,
           schedule, notes, created_at, started_at, ended_at, step_budget)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
        .pluck()
        .get(
          input.name ?? '',
          problem,
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
          schedule.stop.stepBudget,
        ) as number;
      if (input.name === undefined || input.name === '') this.sql('UPDATE runs SET name = ? WHERE id = ?').run(`run ${id}`, id);
      if (input.tags !== undefined) this.writeTags(id, input.tags);
      return this.summary(id);
    });
  }

  private checkReferences(
    problem: string,
    r: Pick<CreateRunInput, 'architectureId' | 'hyperSetId' | 'parentRunId' | 'parentSnapshotId'>,
  ): void {
    if (this.sql('SELECT 1 FROM problems WHERE id = ?').get(problem) === undefined) {
      throw new ApiError('bad-request', `unknown problem ${JSON.stringify(problem)}`);
    }
    const refs: [number | null | undefined, RefTable, string][] = [
      [r.architectureId, 'architectures', 'architecture'],
      [r.hyperSetId, 'hyper_sets', 'hyperparameter set'],
      [r.parentRunId, 'runs', 'parent run'],
      [r.parentSnapshotId, 'snapshots', 'parent snapshot'],
    ];
    for (const [id, table, what] of refs) {
      if (id !== undefined && id !== null && !this.exists(table, id)) throw new ApiError('bad-request', `${what} ${id} does not exist`);
    }
  }

  private exists(table: RefTable, id: number): boolean {
    return this.sql(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
  }

  private requireRun(id: number): void {
    if (!this.exists('runs', id)) throw notFound('run', id);
  }

  private writeTags(runId: number, tags: readonly string[]): void {
    this.sql('DELETE FROM run_tags WHERE run_id = ?').run(runId);
    const insert = this.sql('INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)');
    for (const t of tags) {
      const tag = t.trim();
      if (tag !== '') insert.run(runId, tag);
    }
  }

  private summary(id: number): RunSummary {
    const row = this.sql(`SELECT ${SUMMARY_COLUMNS} FROM runs r WHERE r.id = ?`).get(id) as SummaryRow | undefined;
    if (row === undefined) throw notFound('run', id);
    return toSummary(row);
  }

  /** The run's summary (no schedule parsing). */
  getRunSummary(id: number): RunSummary {
    return this.summary(id);
  }

  getRun(id: number): RunDetail {
    const row = this.sql(`SELECT ${SUMMARY_COLUMNS}, r.schedule, r.notes FROM runs r WHERE r.id = ?`).get(id) as DetailRow | undefined;
    if (row === undefined) throw notFound('run', id);
    return { ...toSummary(row), schedule: this.parseStoredSchedule(row.id, row.schedule), notes: row.notes };
  }

  private parseStoredSchedule(runId: number, text: string): Schedule {
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

  listRuns(query: RunQuery = {}): { total: number; runs: RunSummary[] } {
    return queryRuns(this.db, query);
  }

  updateRun(id: number, edit: RunEdit): RunSummary {
    return this.tx(() => {
      this.requireRun(id);
      if (edit.name !== undefined) this.sql('UPDATE runs SET name = ? WHERE id = ?').run(edit.name, id);
      if (edit.notes !== undefined) this.sql('UPDATE runs SET notes = ? WHERE id = ?').run(edit.notes, id);
      if (edit.tags !== undefined) this.writeTags(id, edit.tags);
      return this.summary(id);
    });
  }

  /**
   * Moves a run to `status`. A run in a final status never changes (ApiError 'conflict';
   * setting the status it already has is a no-op). Entering 'running' sets startedAt (once);
   * entering a final status sets endedAt; `extra` overrides both. The reason is replaced
   * (empty when not given).
   */
  setStatus(id: number, status: RunStatus, reason?: string, extra: { startedAt?: number; endedAt?: number } = {}): RunSummary {
    if (!STATUSES.has(status)) throw new ApiError('bad-request', `unknown status ${JSON.stringify(status)}`);
    return this.tx(() => {
      const row = this.sql('SELECT status, started_at, ended_at FROM runs WHERE id = ?').get(id) as
        { status: RunStatus; started_at: number | null; ended_at: number | null } | undefined;
      if (row === undefined) throw notFound('run', id);
      if (isFinalStatus(row.status)) {
        if (row.status === status) return this.summary(id);
        throw new ApiError(
          'conflict',
          `run ${id} is ${row.status}: a run in a final status (${FINAL_STATUSES.join(', ')}) cannot become ${status}`,
        );
      }
      const now = this.clock();
      const startedAt = extra.startedAt ?? (status === 'running' && row.started_at === null ? now : row.started_at);
      const endedAt = extra.endedAt ?? (isFinalStatus(status) ? now : row.ended_at);
      this.sql('UPDATE runs SET status = ?, status_reason = ?, started_at = ?, ended_at = ? WHERE id = ?').run(
        status,
        reason ?? '',
        startedAt,
        endedAt,
        id,
      );
      return this.summary(id);
    });
  }

  /**
   * Continues an ended run from one of its own snapshots: metrics and snapshots after the
   * snapshot's step are dropped (the continuation replaces them; the event log keeps its
   * history), and the run is queued again, resuming from that snapshot. Refused while the
   * run is going, or when a later snapshot is the starting point of another run.
   */
  reopenRun(id: number, snapshotId: number): RunSummary {
    return this.tx(() => {
      const run = this.sql('SELECT status FROM runs WHERE id = ?').get(id) as { status: RunStatus } | undefined;
      if (run === undefined) throw notFound('run', id);
      if (!isFinalStatus(run.status)) throw new ApiError('conflict', `run ${id} is ${run.status}: only a run that has ended can continue`);
      const snap = this.sql('SELECT run_id, step FROM snapshots WHERE id = ?').get(snapshotId) as
        { run_id: number; step: number } | undefined;
      if (snap === undefined) throw notFound('snapshot', snapshotId);
      if (snap.run_id !== id)
        throw new ApiError(
          'bad-request',
          `snapshot ${snapshotId} belongs to run ${snap.run_id}, not to run ${id}: start a new run from it instead`,
        );
      const used = this.sql(
        'SELECT r.id AS run, s.id AS snapshot FROM runs r JOIN snapshots s ON r.parent_snapshot_id = s.id WHERE s.run_id = ? AND s.step > ? AND r.id <> ? LIMIT 1',
      ).get(id, snap.step, id) as { run: number; snapshot: number } | undefined;
      if (used)
        throw new ApiError(
          'conflict',
          `snapshot ${used.snapshot} of run ${id}, after step ${snap.step}, is where run ${used.run} started: continue in a new run instead`,
        );
      this.sql('DELETE FROM metrics WHERE run_id = ? AND step > ?').run(id, snap.step);
      this.sql('DELETE FROM snapshots WHERE run_id = ? AND step > ?').run(id, snap.step);
      const last = this.sql('SELECT prereg_loss FROM metrics WHERE run_id = ? AND step = ?').get(id, snap.step) as
        { prereg_loss: number | null } | undefined;
      const best = this.sql('SELECT min(prereg_loss) AS best FROM metrics WHERE run_id = ?').get(id) as { best: number | null };
      this.sql(
        `UPDATE runs SET status = 'queued', status_reason = '', ended_at = NULL, steps = ?, final_loss = ?, best_loss = ?,
           test_loss = NULL, test_worst = NULL, parent_snapshot_id = ? WHERE id = ?`,
      ).run(snap.step, last?.prereg_loss ?? null, best.best, snapshotId, id);
      return this.summary(id);
    });
  }

  updateRunFigures(id: number, f: RunFigures): RunSummary {
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
    return this.tx(() => {
      this.requireRun(id);
      if (sets.length > 0) this.sql(`UPDATE runs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      return this.summary(id);
    });
  }

  /** Live (not trashed) queued runs, oldest first: the supervisor's queue. */
  queuedRunIds(): number[] {
    return this.sql("SELECT id FROM runs WHERE status = 'queued' AND deleted_at IS NULL ORDER BY id").pluck().all() as number[];
  }

  /**
   * Every run left running or paused (by a main process that died) becomes 'interrupted'
   * with `reason`; returns their ids. Queued runs stay queued.
   */
  markInterrupted(reason: string): number[] {
    return this.tx(() => {
      const ids = this.sql("SELECT id FROM runs WHERE status IN ('running', 'paused') ORDER BY id").pluck().all() as number[];
      if (ids.length > 0) {
        this.sql(
          "UPDATE runs SET status = 'interrupted', status_reason = ?, ended_at = coalesce(ended_at, ?) WHERE status IN ('running', 'paused')",
        ).run(reason, this.clock());
      }
      return ids;
    });
  }

  // ---------------------------------------------------------------- metrics

  /**
   * Stores a batch of metrics (a step already stored is replaced) in one transaction and
   * updates the run's figures: steps, finalLoss and softLinks from the batch's last step
   * (when it is not behind the run), bestLoss as the lowest finite preregLoss so far.
   */
  appendMetrics(runId: number, metrics: readonly Metric[]): void {
    if (metrics.length === 0) return;
    for (const m of metrics) {
      if (!Number.isSafeInteger(m.step)) throw new ApiError('bad-request', `run ${runId}: metric step must be an integer, got ${m.step}`);
    }
    const read = this.sql('SELECT steps, best_loss FROM runs WHERE id = ?');
    const update = this.sql('UPDATE runs SET steps = ?, final_loss = ?, soft_links = ?, best_loss = ? WHERE id = ?');
    const updateBest = this.sql('UPDATE runs SET best_loss = ? WHERE id = ?');
    this.tx(() => {
      const run = read.get(runId) as { steps: number; best_loss: number | null } | undefined;
      if (run === undefined) throw notFound('run', runId);
      this.insertMetrics(runId, metrics);
      let last = metrics[0] as Metric;
      let best = run.best_loss;
      for (const m of metrics) {
        if (m.step >= last.step) last = m;
        if (m.preregLoss !== null && Number.isFinite(m.preregLoss) && (best === null || m.preregLoss < best)) best = m.preregLoss;
      }
      if (last.step >= run.steps) update.run(last.step, finiteOrNull(last.preregLoss), Math.trunc(last.softLinks), best, runId);
      else if (best !== run.best_loss) updateBest.run(best, runId);
    });
  }

  /** Multi-row INSERT OR REPLACE, up to METRIC_ROWS rows per statement (twice as fast as one row per statement). */
  private insertMetrics(runId: number, metrics: readonly Metric[]): void {
    const nan = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : x); // not finite → NULL
    for (let at = 0; at < metrics.length; at += METRIC_ROWS) {
      const chunk = metrics.slice(at, at + METRIC_ROWS);
      const values: unknown[] = [];
      for (const m of chunk) {
        values.push(
          runId,
          m.step,
          m.phase,
          nan(m.preregLoss),
          nan(m.loss),
          nan(m.l1),
          nan(m.lambda1),
          Math.trunc(m.softLinks),
          nan(m.wallMs),
        );
      }
      let insert = this.metricInserts[chunk.length];
      if (insert === undefined) {
        const rows = Array.from({ length: chunk.length }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
        insert = this.db.prepare(`INSERT OR REPLACE INTO metrics (run_id, ${METRIC_COLUMNS}) VALUES ${rows}`);
        this.metricInserts[chunk.length] = insert;
      }
      insert.run(...values);
    }
  }

  /**
   * Metrics after `afterStep` in step order, downsampled to at most `maxPoints` (extremes of
   * preregLoss kept). With `smoothing` α in (0, 1), `loss` and `preregLoss` are the debiased
   * EMA of the full series (smoothing.ts) — the points up to `afterStep` included — computed
   * before downsampling, so incremental fetches continue the same curve exactly.
   */
  metrics(runId: number, options: { afterStep?: number; maxPoints?: number; smoothing?: number } = {}): MetricsPage {
    this.requireRun(runId);
    const after = options.afterStep ?? 0;
    const factor = options.smoothing ?? 0;
    try {
      checkFactor(factor);
    } catch (e) {
      throw new ApiError('bad-request', (e as Error).message);
    }
    const maxPoints = options.maxPoints;
    // the smoothing state after `after`: from the cache when a screen polls on from its last fetch
    const smoothingState = (): MetricSmoothingState => {
      if (after <= 0) return METRIC_SMOOTHING_START;
      const cached = this.smoothingCache.lookup(runId, factor, after, (step) => {
        const r = this.sql('SELECT loss, prereg_loss FROM metrics WHERE run_id = ? AND step = ?').get(runId, step) as
          { loss: number | null; prereg_loss: number | null } | undefined;
        return r && { loss: finiteOrNull(r.loss), preregLoss: finiteOrNull(r.prereg_loss) };
      });
      if (cached) return cached;
      const prefix = this.sql('SELECT loss, prereg_loss FROM metrics WHERE run_id = ? AND step <= ? ORDER BY step')
        .raw(true)
        .all(runId, after) as [number | null, number | null][];
      return advanceRawRows(METRIC_SMOOTHING_START, prefix, factor);
    };
    if (maxPoints !== undefined) {
      const count = this.sql('SELECT count(*) FROM metrics WHERE run_id = ? AND step > ?').pluck().get(runId, after) as number;
      if (count > Math.max(2, Math.floor(maxPoints))) return this.downsampledMetrics(runId, after, maxPoints, factor, smoothingState);
    }
    const rows = this.sql(`SELECT ${METRIC_COLUMNS} FROM metrics WHERE run_id = ? AND step > ? ORDER BY step`).all(
      runId,
      after,
    ) as MetricRow[];
    let all = rows.map(toMetric);
    if (factor > 0 && all.length > 0) {
      const smoothed = smoothMetrics(all, factor, smoothingState());
      const last = all[all.length - 1] as Metric;
      this.smoothingCache.remember(runId, factor, last.step, smoothed.state, { loss: last.loss, preregLoss: last.preregLoss });
      all = smoothed.points;
    }
    const lastStep = all.length > 0 ? (all[all.length - 1] as Metric).step : after;
    const points = options.maxPoints === undefined ? all : downsample(all, options.maxPoints);
    return { total: all.length, lastStep, points };
  }

  /**
   * metrics() of a series longer than `maxPoints`, in two passes: (step, loss, preregLoss)
   * of every point — all that smoothing and downsampling look at — then the whole rows of
   * the points kept only (a long run's whole rows cost several times more to read). Same
   * result as smoothing and downsampling the whole rows.
   */
  private downsampledMetrics(
    runId: number,
    after: number,
    maxPoints: number,
    factor: number,
    state: () => MetricSmoothingState,
  ): MetricsPage {
    const light = this.sql('SELECT step, loss, prereg_loss FROM metrics WHERE run_id = ? AND step > ? ORDER BY step')
      .raw(true)
      .all(runId, after) as [number, number | null, number | null][];
    let loss = light.map((r) => finiteOrNull(r[1]));
    let prereg = light.map((r) => finiteOrNull(r[2]));
    if (factor > 0 && light.length > 0) {
      const s = state();
      const l = emaSmooth(loss, factor, s.loss);
      const p = emaSmooth(prereg, factor, s.preregLoss);
      const last = light.length - 1;
      this.smoothingCache.remember(
        runId,
        factor,
        (light[last] as [number, number | null, number | null])[0],
        { loss: l.state, preregLoss: p.state },
        {
          loss: loss[last] ?? null,
          preregLoss: prereg[last] ?? null,
        },
      );
      loss = l.values;
      prereg = p.values;
    }
    const kept = downsample(
      prereg.map((p, i) => ({ i, preregLoss: p })),
      maxPoints,
    ).map((p) => p.i);
    const rows = this.sql(
      `SELECT ${METRIC_COLUMNS} FROM metrics WHERE run_id = ? AND step IN (SELECT value FROM json_each(?)) ORDER BY step`,
    ).all(runId, JSON.stringify(kept.map((i) => (light[i] as [number, number | null, number | null])[0]))) as MetricRow[];
    const points = rows.map((r, k) => {
      const m = toMetric(r);
      if (factor === 0) return m;
      const i = kept[k] as number;
      return { ...m, loss: loss[i] ?? null, preregLoss: prereg[i] ?? null };
    });
    const last = light[light.length - 1];
    return { total: light.length, lastStep: last === undefined ? after : last[0], points };
  }

  // ---------------------------------------------------------------- events

  appendEvent(runId: number, event: NewEvent): EventRecord {
    if (!Number.isSafeInteger(event.step))
      throw new ApiError('bad-request', `run ${runId}: event step must be an integer, got ${event.step}`);
    const data = JSON.stringify(event.data ?? {});
    return this.tx(() => {
      this.requireRun(runId);
      const row = this.sql('INSERT INTO events (run_id, step, kind, at, data) VALUES (?, ?, ?, ?, ?) RETURNING *').get(
        runId,
        event.step,
        event.kind,
        this.clock(),
        data,
      ) as EventRow;
      return toEvent(row);
    });
  }

  /** Events of a run with id > afterId, oldest first. */
  listEvents(runId: number, afterId = 0, limit?: number): EventRecord[] {
    this.requireRun(runId);
    const rows = this.sql('SELECT id, run_id, step, kind, at, data FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?').all(
      runId,
      afterId,
      limit ?? -1,
    ) as EventRow[];
    return rows.map(toEvent);
  }

  // ---------------------------------------------------------------- snapshots

  /** Stores a trainable matrix exactly (links interned in link_keys, weights as packed float64). */
  saveSnapshot(runId: number, s: NewSnapshot): SnapshotInfo {
    return this.tx(() => {
      this.requireRun(runId);
      return this.insertSnapshot(runId, s, this.clock());
    });
  }

  private insertSnapshot(runId: number, s: NewSnapshot, createdAt: number): SnapshotInfo {
    if (!REASONS.has(s.reason)) throw new ApiError('bad-request', `unknown snapshot reason ${JSON.stringify(s.reason)}`);
    if (s.links.length !== s.weights.length) {
      throw new ApiError('bad-request', `snapshot of run ${runId}: ${s.links.length} links but ${s.weights.length} weights`);
    }
    const weights = s.weights instanceof Float64Array ? s.weights : Float64Array.from(s.weights);
    const keys = this.internLinks(s.links);
    const row = this.sql(
      `INSERT INTO snapshots (run_id, step, reason, soft_links, prereg_loss, created_at, keys, weights)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${SNAPSHOT_INFO_COLUMNS}`,
    ).get(
      runId,
      Math.trunc(s.step),
      s.reason,
      s.links.length,
      s.preregLoss === null || !Number.isFinite(s.preregLoss) ? null : s.preregLoss,
      createdAt,
      packKeys(keys),
      packWeights(weights),
    ) as SnapshotInfoRow;
    return toSnapshotInfo(row);
  }

  private internLinks(links: readonly Link[]): Uint32Array {
    const find = this.sql('SELECT id FROM link_keys WHERE to_neuron = ? AND to_port = ? AND from_neuron = ? AND from_port = ?').pluck();
    const insert = this.sql('INSERT INTO link_keys (to_neuron, to_port, from_neuron, from_port) VALUES (?, ?, ?, ?) RETURNING id').pluck();
    const keys = new Uint32Array(links.length);
    links.forEach((l, i) => {
      for (const part of [l.to, l.toPort, l.from, l.fromPort]) {
        if (typeof part !== 'string' || part === '') throw new ApiError('bad-request', `link ${i}: every end must be a non-empty name`);
      }
      const id = (find.get(l.to, l.toPort, l.from, l.fromPort) ?? insert.get(l.to, l.toPort, l.from, l.fromPort)) as number;
      if (id > 0xffff_ffff) throw new ApiError('internal', `link key id ${id} does not fit 32 bits`);
      keys[i] = id;
    });
    return keys;
  }

  listSnapshots(runId: number): SnapshotInfo[] {
    this.requireRun(runId);
    return (
      this.sql(`SELECT ${SNAPSHOT_INFO_COLUMNS} FROM snapshots WHERE run_id = ? ORDER BY step, id`).all(runId) as SnapshotInfoRow[]
    ).map(toSnapshotInfo);
  }

  /** The snapshot's links and weights, bit for bit as saved. */
  getSnapshotWeights(id: number): { links: Link[]; weights: Float64Array } {
    const row = this.sql('SELECT keys, weights FROM snapshots WHERE id = ?').get(id) as { keys: unknown; weights: unknown } | undefined;
    if (row === undefined) throw notFound('snapshot', id);
    const { keys, weights } = unpackSnapshot(row.keys, row.weights, id);
    this.loadLinkKeys(keys);
    const links = resolveKeys(keys, (k) => this.linkCache.get(k), id);
    return { links, weights };
  }

  getSnapshot(id: number): Snapshot {
    const info = this.sql(`SELECT ${SNAPSHOT_INFO_COLUMNS} FROM snapshots WHERE id = ?`).get(id) as SnapshotInfoRow | undefined;
    if (info === undefined) throw notFound('snapshot', id);
    const { links, weights } = this.getSnapshotWeights(id);
    return { ...toSnapshotInfo(info), weights: { links, weights: Array.from(weights) } };
  }

  private loadLinkKeys(keys: Uint32Array): void {
    const missing = new Set<number>();
    for (const k of keys) if (!this.linkCache.has(k)) missing.add(k);
    if (missing.size === 0) return;
    const rows = this.sql(
      'SELECT id, to_neuron, to_port, from_neuron, from_port FROM link_keys WHERE id IN (SELECT value FROM json_each(?))',
    ).all(JSON.stringify([...missing])) as LinkKeyRow[];
    for (const r of rows) this.linkCache.set(r.id, { to: r.to_neuron, toPort: r.to_port, from: r.from_neuron, fromPort: r.from_port });
  }

  // ---------------------------------------------------------------- trash

  /** Moves live runs to the trash; returns how many moved. */
  trash(ids: readonly number[]): number {
    return this.sql('UPDATE runs SET deleted_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL').run(
      this.clock(),
      JSON.stringify(ids),
    ).changes;
  }

  /** Brings trashed runs back; returns how many came back. */
  restore(ids: readonly number[]): number {
    return this.sql('UPDATE runs SET deleted_at = NULL WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NOT NULL').run(
      JSON.stringify(ids),
    ).changes;
  }

  /**
   * Deletes trashed runs for good (ids of live or unknown runs are ignored) with their
   * metrics, events, snapshots and tags, then the link keys no snapshot uses any more, and
   * gives the space back to the file system (incremental vacuum, or VACUUM on a file made
   * without auto_vacuum, then a TRUNCATE checkpoint of the WAL). Returns how many were purged.
   */
  purge(ids: readonly number[]): number {
    const purged = this.tx(() => {
      const n = this.sql('DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NOT NULL').run(
        JSON.stringify(ids),
      ).changes;
      if (n > 0) this.deleteUnusedLinkKeys();
      return n;
    });
    if (purged > 0) {
      this.linkCache.clear();
      this.reclaimSpace();
    }
    return purged;
  }

  private deleteUnusedLinkKeys(): void {
    const used = new Set<number>();
    for (const blob of this.sql('SELECT keys FROM snapshots').pluck().iterate()) {
      if (!(blob instanceof Uint8Array)) continue;
      // lenient on purpose: whatever a damaged blob may still refer to is kept
      const whole = blob.byteLength - (blob.byteLength % 4);
      for (const k of unpackKeys(blob.subarray(0, whole))) used.add(k);
    }
    const del = this.sql('DELETE FROM link_keys WHERE id = ?');
    for (const id of this.sql('SELECT id FROM link_keys').pluck().all() as number[]) if (!used.has(id)) del.run(id);
  }

  private reclaimSpace(): void {
    const mode = this.db.pragma('auto_vacuum', { simple: true }) as number;
    if (mode === 2) this.db.pragma('incremental_vacuum');
    else if (mode === 0) this.db.exec('VACUUM');
    if (!this.db.memory) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  // ---------------------------------------------------------------- export / import

  /** The run as one self-contained document (throws if its schedule is corrupted). */
  exportRun(id: number): RunExport {
    const run = this.getRun(id);
    const metrics = (this.sql(`SELECT ${METRIC_COLUMNS} FROM metrics WHERE run_id = ? ORDER BY step`).all(id) as MetricRow[]).map(toMetric);
    const events = this.listEvents(id);
    const snapshots = this.listSnapshots(id).map((s) => this.getSnapshot(s.id));
    return { format: RUN_EXPORT_FORMAT, version: 1, run, metrics, events, snapshots };
  }

  /** Imports one exported run; returns its new id. */
  importRun(e: RunExport): number {
    return this.importRuns([e])[0] as number;
  }

  /**
   * Imports exported runs in one transaction; returns their new ids in order. Parent links
   * to a run or snapshot of the same batch follow it to its new id; other references are
   * kept when such a row exists here (a parent snapshot only if it belongs to the parent
   * run) and cleared otherwise — an export does not say which store its ids come from. A run exported while queued, running or paused
   * arrives 'interrupted'. Imported runs are live (not in the trash).
   */
  importRuns(exports: readonly RunExport[]): number[] {
    return this.tx(() => {
      const runIds = new Map<number, number>();
      const snapshotIds = new Map<number, number>();
      const newIds: number[] = [];
      for (const e of exports) {
        if (e.format !== RUN_EXPORT_FORMAT || e.version !== 1)
          throw new ApiError('bad-request', `not a ${RUN_EXPORT_FORMAT} version 1 document`);
        const r = e.run;
        if (this.sql('SELECT 1 FROM problems WHERE id = ?').get(r.problem) === undefined) {
          throw new ApiError('bad-request', `run "${r.name}": unknown problem ${JSON.stringify(r.problem)}`);
        }
        const parsed = ScheduleSchema.safeParse(r.schedule);
        if (!parsed.success) throw new ApiError('bad-request', `run "${r.name}": invalid schedule: ${formatIssues(parsed.error.issues)}`);
        if (!STATUSES.has(r.status)) throw new ApiError('bad-request', `run "${r.name}": unknown status ${JSON.stringify(r.status)}`);
        const active = ACTIVE_STATUSES.includes(r.status);
        const keep = (id: number | null, table: RefTable): number | null => (id !== null && this.exists(table, id) ? id : null);
        const id = this.sql(
          `INSERT INTO runs (name, problem, status, status_reason, estimator, seed, architecture_id, hyper_set_id, parent_run_id,
             parent_snapshot_id, schedule, notes, created_at, started_at, ended_at, steps, step_budget, soft_links,
             final_loss, best_loss, test_loss, test_worst)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        )
          .pluck()
          .get(
            r.name,
            r.problem,
            active ? 'interrupted' : r.status,
            active ? `exported while ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}` : r.statusReason,
            r.estimator,
            r.seed,
            keep(r.architectureId, 'architectures'),
            keep(r.hyperSetId, 'hyper_sets'),
            null,
            null,
            JSON.stringify(parsed.data),
            r.notes,
            r.createdAt,
            r.startedAt,
            r.endedAt,
            r.steps,
            r.stepBudget,
            r.softLinks,
            finiteOrNull(r.finalLoss),
            finiteOrNull(r.bestLoss),
            finiteOrNull(r.testLoss),
            finiteOrNull(r.testWorst),
          ) as number;
        runIds.set(r.id, id);
        newIds.push(id);
        this.writeTags(id, r.tags);
        this.insertMetrics(id, e.metrics);
        const insertEvent = this.sql('INSERT INTO events (run_id, step, kind, at, data) VALUES (?, ?, ?, ?, ?)');
        for (const ev of e.events) insertEvent.run(id, Math.trunc(ev.step), ev.kind, ev.at, JSON.stringify(ev.data ?? {}));
        for (const s of e.snapshots) {
          const info = this.insertSnapshot(
            id,
            { step: s.step, reason: s.reason, preregLoss: s.preregLoss ?? Number.NaN, links: s.weights.links, weights: s.weights.weights },
            s.createdAt,
          );
          snapshotIds.set(s.id, info.id);
        }
      }
      // lineage: a parent in the batch follows it to its new id; otherwise it is kept only if
      // such a row exists here (and a parent snapshot only if it belongs to the parent run)
      const setParents = this.sql('UPDATE runs SET parent_run_id = ?, parent_snapshot_id = ? WHERE id = ?');
      const snapshotRun = this.sql('SELECT run_id FROM snapshots WHERE id = ?').pluck();
      const imported = new Set(newIds);
      exports.forEach((e, i) => {
        const { parentRunId, parentSnapshotId } = e.run;
        let pr: number | null = null;
        if (parentRunId !== null) {
          pr = runIds.get(parentRunId) ?? (!imported.has(parentRunId) && this.exists('runs', parentRunId) ? parentRunId : null);
        }
        let ps: number | null = null;
        if (parentSnapshotId !== null) {
          const mapped = snapshotIds.get(parentSnapshotId);
          ps = mapped ?? parentSnapshotId;
          const owner = snapshotRun.get(ps) as number | undefined;
          if (owner === undefined || (mapped === undefined && imported.has(owner)) || (pr !== null && owner !== pr)) ps = null;
        }
        if (pr !== null || ps !== null) setParents.run(pr, ps, newIds[i]);
      });
      return newIds;
    });
  }

  // ---------------------------------------------------------------- architectures

  listArchitectures(): ArchitectureInfo[] {
    const rows = this.sql(
      'SELECT id, name, version, description, soft_links, created_at FROM architectures ORDER BY name, version',
    ).all() as Omit<ArchitectureRow, 'graph'>[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      version: r.version,
      description: r.description,
      softLinks: r.soft_links,
      createdAt: r.created_at,
    }));
  }

  getArchitecture(id: number): Architecture {
    const r = this.sql('SELECT * FROM architectures WHERE id = ?').get(id) as ArchitectureRow | undefined;
    if (r === undefined) throw notFound('architecture', id);
    return this.toArchitecture(r);
  }

  private toArchitecture(r: ArchitectureRow): Architecture {
    let data: unknown;
    try {
      data = JSON.parse(r.graph);
    } catch (e) {
      throw new ApiError('internal', `architecture ${r.id}: stored graph is corrupted: ${errorText(e)}`);
    }
    const g = ArchitectureGraphSchema.safeParse(data);
    if (!g.success) throw new ApiError('internal', `architecture ${r.id}: stored graph is corrupted: ${formatIssues(g.error.issues)}`);
    return { id: r.id, name: r.name, version: r.version, description: r.description, graph: g.data, createdAt: r.created_at };
  }

  /** Saves a new version of the named architecture (1 + the latest version of that name). */
  saveArchitecture(a: {
    name: string;
    description?: string;
    graph: ArchitectureGraph | z.input<typeof ArchitectureGraphSchema>;
  }): Architecture {
    const g = ArchitectureGraphSchema.safeParse(a.graph);
    if (!g.success) throw new ApiError('bad-request', `architecture "${a.name}": invalid graph: ${formatIssues(g.error.issues)}`);
    if (a.name.trim() === '') throw new ApiError('bad-request', 'an architecture needs a name');
    return this.tx(() => {
      const version = ((this.sql('SELECT max(version) FROM architectures WHERE name = ?').pluck().get(a.name) as number | null) ?? 0) + 1;
      const row = this.sql(
        'INSERT INTO architectures (name, version, description, graph, soft_links, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      ).get(a.name, version, a.description ?? '', JSON.stringify(g.data), countLeaves(g.data.matrix), this.clock()) as ArchitectureRow;
      return this.toArchitecture(row);
    });
  }

  /** Deletes an architecture version; runs made from it keep running, their architectureId becomes null. */
  deleteArchitecture(id: number): void {
    if (this.sql('DELETE FROM architectures WHERE id = ?').run(id).changes === 0) throw notFound('architecture', id);
  }

  // ---------------------------------------------------------------- hyperparameter sets

  listHyperSets(): HyperSet[] {
    return (this.sql('SELECT * FROM hyper_sets ORDER BY name').all() as HyperSetRow[]).map((r) => this.toHyperSet(r));
  }

  private toHyperSet(r: HyperSetRow): HyperSet {
    let schedule: unknown;
    try {
      schedule = JSON.parse(r.schedule);
    } catch (e) {
      throw new ApiError('internal', `hyperparameter set ${r.id} ("${r.name}"): stored schedule is corrupted: ${errorText(e)}`);
    }
    if (typeof schedule !== 'object' || schedule === null || Array.isArray(schedule)) {
      throw new ApiError('internal', `hyperparameter set ${r.id} ("${r.name}"): stored schedule is corrupted: not an object`);
    }
    return { id: r.id, name: r.name, description: r.description, schedule: schedule as Record<string, unknown>, createdAt: r.created_at };
  }

  getHyperSet(id: number): HyperSet {
    const r = this.sql('SELECT * FROM hyper_sets WHERE id = ?').get(id) as HyperSetRow | undefined;
    if (r === undefined) throw notFound('hyperparameter set', id);
    return this.toHyperSet(r);
  }

  /** Creates the named set, or replaces its description and schedule (keeping id and createdAt). */
  saveHyperSet(h: { name: string; description?: string; schedule: Record<string, unknown> }): HyperSet {
    if (h.name.trim() === '') throw new ApiError('bad-request', 'a hyperparameter set needs a name');
    if (typeof h.schedule !== 'object' || h.schedule === null || Array.isArray(h.schedule)) {
      throw new ApiError('bad-request', `hyperparameter set "${h.name}": the schedule must be an object`);
    }
    const row = this.sql(
      `INSERT INTO hyper_sets (name, description, schedule, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET description = excluded.description, schedule = excluded.schedule RETURNING *`,
    ).get(h.name, h.description ?? '', JSON.stringify(h.schedule), this.clock()) as HyperSetRow;
    return this.toHyperSet(row);
  }

  deleteHyperSet(id: number): void {
    if (this.sql('DELETE FROM hyper_sets WHERE id = ?').run(id).changes === 0) throw notFound('hyperparameter set', id);
  }

  // ---------------------------------------------------------------- saved views

  listViews(): SavedView[] {
    const rows = this.sql('SELECT * FROM saved_views ORDER BY name').all() as {
      id: number;
      name: string;
      view: string;
      updated_at: number;
    }[];
    const out: SavedView[] = [];
    for (const r of rows) {
      // a corrupted view is skipped, not fatal: the browser still opens
      const parsed = ViewSettingsSchema.safeParse(safeJson(r.view));
      if (parsed.success) out.push({ id: r.id, name: r.name, view: parsed.data, updatedAt: r.updated_at });
    }
    return out;
  }

  /** Creates the named view or replaces its settings. */
  saveView(v: { name: string; view: SavedView['view'] }): SavedView {
    const row = this.sql(
      `INSERT INTO saved_views (name, view, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET view = excluded.view, updated_at = excluded.updated_at RETURNING *`,
    ).get(v.name, JSON.stringify(v.view), this.clock()) as { id: number; name: string; view: string; updated_at: number };
    return { id: row.id, name: row.name, view: v.view, updatedAt: row.updated_at };
  }

  deleteView(id: number): void {
    if (this.sql('DELETE FROM saved_views WHERE id = ?').run(id).changes === 0) throw notFound('saved view', id);
  }

  // ---------------------------------------------------------------- health

  /**
   * Problems found, empty when healthy: `PRAGMA integrity_check`, `PRAGMA foreign_key_check`,
   * run schedules that are not JSON, and snapshots whose blobs do not decode or refer to
   * unknown link keys.
   */
  integrityCheck(): string[] {
    const problems: string[] = [];
    for (const v of this.db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]) {
      if (v.integrity_check !== 'ok') problems.push(`integrity_check: ${v.integrity_check}`);
    }
    for (const f of this.db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string; fkid: number }[]) {
      problems.push(`foreign_key_check: ${f.table} row ${f.rowid} refers to a missing ${f.parent} row (constraint ${f.fkid})`);
    }
    for (const id of this.sql('SELECT id FROM runs WHERE NOT json_valid(schedule) ORDER BY id').pluck().all() as number[]) {
      problems.push(`run ${id}: stored schedule is corrupted: not valid JSON`);
    }
    const keyIds = new Set(this.sql('SELECT id FROM link_keys').pluck().all() as number[]);
    const snaps = this.sql('SELECT id, soft_links, keys, weights FROM snapshots ORDER BY id').iterate() as IterableIterator<{
      id: number;
      soft_links: number;
      keys: unknown;
      weights: unknown;
    }>;
    for (const s of snaps) {
      try {
        const { keys } = unpackSnapshot(s.keys, s.weights, s.id);
        if (keys.length !== s.soft_links)
          throw new SnapshotCorruptError(s.id, `${keys.length} links stored but soft_links says ${s.soft_links}`);
        resolveKeys(keys, (k) => (keyIds.has(k) ? k : undefined), s.id);
      } catch (e) {
        problems.push(errorText(e));
      }
    }
    return problems;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
