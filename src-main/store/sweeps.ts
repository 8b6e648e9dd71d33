/**
 * The sweeps aggregate of the run store: a sweep and its runs created in one transaction
 * (nothing half-created), its summary (runs by status, passed runs, success rate, best run),
 * its detail (every run with its point), its state, and the queue's view of it (which queued
 * runs may start under each sweep's concurrency and state).
 */
import { ApiError } from '../../src-shared/api/dispatch';
import { FINAL_STATUSES, type RunStatus } from '../../src-shared/api/records';
import type { SweepDetail, SweepRun, SweepState, SweepSummary } from '../../src-shared/api/sweep-records';
import { pointLabel, type SweepPoint } from '../../src-shared/sweeps/sweep-spec';
import type { CreateRunInput, Runs } from './runs';
import { errorText, notFound, type StoreContext } from './store-context';

export interface CreateSweepInput {
  readonly name?: string;
  readonly problem: string;
  readonly problemVersion?: number;
  /** The definition as given (stored as JSON). */
  readonly spec: Record<string, unknown>;
  readonly concurrency: number;
  /** One run per point, in order (named after the sweep and the point). */
  readonly runs: readonly (Omit<CreateRunInput, 'name'> & { readonly point: SweepPoint })[];
}

/** The last verdict of a completed run passed (1), failed (0), or there is none (NULL). */
const PASSED_SQL = `CASE WHEN r.status = 'completed' THEN
    (SELECT json_extract(e.data, '$.passed') FROM events e WHERE e.run_id = r.id AND e.kind = 'verdict' ORDER BY e.id DESC LIMIT 1)
  END`;

const FINAL_SQL = FINAL_STATUSES.map((s) => `'${s}'`).join(', ');

interface SweepRow {
  id: number;
  name: string;
  problem: string;
  problem_version: number | null;
  spec: string;
  concurrency: number;
  state: SweepState;
  created_at: number;
  deleted_at: number | null;
}

/** A queued run and what its sweep allows. */
export interface QueuedRun {
  readonly id: number;
  readonly sweepId: number | null;
  /** Runs of its sweep allowed at once (null: not in a sweep). */
  readonly sweepConcurrency: number | null;
  /** Its sweep is paused or stopped: it waits. */
  readonly held: boolean;
}

export class Sweeps {
  constructor(
    private readonly ctx: StoreContext,
    private readonly runs: Runs,
  ) {}

  /** The sweep and all its runs (queued), in one transaction: on any error nothing is stored. */
  create(input: CreateSweepInput): SweepSummary {
    const { ctx } = this;
    return ctx.tx(() => {
      this.runs.checkProblem(input.problem);
      const versionId = this.runs.problemVersionId(input.problem, input.problemVersion);
      const id = ctx
        .sql(
          `INSERT INTO sweeps (name, problem, problem_version, spec, concurrency, state, created_at)
           VALUES (?, ?, ?, ?, ?, 'active', ?) RETURNING id`,
        )
        .pluck()
        .get(input.name ?? '', input.problem, versionId, JSON.stringify(input.spec), input.concurrency, ctx.clock()) as number;
      const name = input.name ?? `sweep ${id}`;
      if (input.name === undefined) ctx.sql('UPDATE sweeps SET name = ? WHERE id = ?').run(name, id);
      const link = ctx.sql('UPDATE runs SET sweep_id = ?, sweep_index = ?, sweep_point = ? WHERE id = ?');
      input.runs.forEach((r, index) => {
        let run;
        try {
          run = this.runs.create({ ...r, name: `${name} · ${pointLabel(r.point)}`.slice(0, 200) });
        } catch (e) {
          const where = `point ${index} (${Object.entries(r.point)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(' ')})`;
          if (e instanceof ApiError) throw new ApiError(e.code, `${where}: ${e.message}`);
          throw e;
        }
        link.run(id, index, JSON.stringify(r.point), run.id);
      });
      return this.summary(id);
    });
  }

  private row(id: number): SweepRow {
    const row = this.ctx.sql('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined;
    if (row === undefined) throw notFound('sweep', id);
    return row;
  }

  summary(id: number): SweepSummary {
    return this.toSummary(this.row(id));
  }

  private toSummary(row: SweepRow): SweepSummary {
    const { ctx } = this;
    const counts = ctx.sql('SELECT status, count(*) AS n FROM runs WHERE sweep_id = ? GROUP BY status').all(row.id) as {
      status: RunStatus;
      n: number;
    }[];
    const byStatus: Partial<Record<RunStatus, number>> = {};
    let runs = 0;
    let finished = 0;
    for (const c of counts) {
      byStatus[c.status] = c.n;
      runs += c.n;
      if (FINAL_STATUSES.includes(c.status)) finished += c.n;
    }
    const passedRows = ctx
      .sql(
        `SELECT r.id FROM runs r WHERE r.sweep_id = ? AND r.status = 'completed' AND (${PASSED_SQL}) = 1
         ORDER BY coalesce(r.soft_links, 1e18), coalesce(r.test_worst, 1e300), r.id`,
      )
      .pluck()
      .all(row.id) as number[];
    const version =
      row.problem_version === null
        ? null
        : ((ctx.sql('SELECT version FROM problem_versions WHERE id = ?').pluck().get(row.problem_version) as number | undefined) ?? null);
    return {
      id: row.id,
      name: row.name,
      problem: row.problem,
      problemVersion: version,
      state: row.state,
      concurrency: row.concurrency,
      createdAt: row.created_at,
      deletedAt: row.deleted_at,
      runs,
      byStatus,
      finished,
      passed: passedRows.length,
      successRate: finished === 0 ? null : passedRows.length / finished,
      bestRunId: passedRows[0] ?? null,
    };
  }

  /** Live sweeps (or the trashed ones), newest first. */
  list(trash = false): SweepSummary[] {
    const rows = this.ctx.sql(`SELECT * FROM sweeps WHERE deleted_at IS ${trash ? 'NOT ' : ''}NULL ORDER BY id DESC`).all() as SweepRow[];
    return rows.map((r) => this.toSummary(r));
  }

  get(id: number): SweepDetail {
    const row = this.row(id);
    let spec: Record<string, unknown>;
    try {
      spec = JSON.parse(row.spec) as Record<string, unknown>;
    } catch (e) {
      throw new ApiError('internal', `sweep ${id}: stored definition is corrupted: ${errorText(e)}`);
    }
    const members = this.ctx
      .sql(`SELECT r.id, r.sweep_index, r.sweep_point, ${PASSED_SQL} AS passed FROM runs r WHERE r.sweep_id = ? ORDER BY r.sweep_index`)
      .all(id) as { id: number; sweep_index: number; sweep_point: string; passed: number | null }[];
    const points: SweepRun[] = members.map((m) => {
      let point: Record<string, unknown>;
      try {
        point = JSON.parse(m.sweep_point) as Record<string, unknown>;
      } catch (e) {
        throw new ApiError('internal', `run ${m.id}: stored sweep point is corrupted: ${errorText(e)}`);
      }
      return { index: m.sweep_index, point, passed: m.passed === null ? null : m.passed === 1, run: this.runs.summary(m.id) };
    });
    return { ...this.toSummary(row), spec, points };
  }

  /** The ids of the sweep's runs, in point order. */
  runIds(id: number): number[] {
    this.row(id);
    return this.ctx.sql('SELECT id FROM runs WHERE sweep_id = ? ORDER BY sweep_index').pluck().all(id) as number[];
  }

  setState(id: number, state: SweepState): SweepSummary {
    this.row(id);
    this.ctx.sql('UPDATE sweeps SET state = ? WHERE id = ?').run(state, id);
    return this.summary(id);
  }

  /** Marks the sweep trashed (its runs are trashed by the caller in the same transaction). */
  setDeleted(id: number, deleted: boolean): void {
    this.row(id);
    this.ctx.sql('UPDATE sweeps SET deleted_at = ? WHERE id = ?').run(deleted ? this.ctx.clock() : null, id);
  }

  /** The supervisor's queue with each run's sweep limits, oldest first. */
  queued(): QueuedRun[] {
    const rows = this.ctx
      .sql(
        `SELECT r.id, r.sweep_id, s.concurrency, s.state FROM runs r LEFT JOIN sweeps s ON s.id = r.sweep_id
         WHERE r.status = 'queued' AND r.deleted_at IS NULL ORDER BY r.id`,
      )
      .all() as { id: number; sweep_id: number | null; concurrency: number | null; state: SweepState | null }[];
    return rows.map((r) => ({
      id: r.id,
      sweepId: r.sweep_id,
      sweepConcurrency: r.concurrency,
      held: r.state !== null && r.state !== 'active',
    }));
  }

  /** The sweep of a run (null: none). */
  sweepOf(runId: number): number | null {
    return (this.ctx.sql('SELECT sweep_id FROM runs WHERE id = ?').pluck().get(runId) as number | null | undefined) ?? null;
  }

  /** Runs of the sweep not yet in a final status. */
  unfinished(id: number): { id: number; status: RunStatus }[] {
    return this.ctx.sql(`SELECT id, status FROM runs WHERE sweep_id = ? AND status NOT IN (${FINAL_SQL}) ORDER BY sweep_index`).all(id) as {
      id: number;
      status: RunStatus;
    }[];
  }
}
