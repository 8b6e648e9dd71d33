/**
 * Rows as SQLite returns them and their conversion to the API records (camelCase, NULL
 * meaning NaN where a value is required — see migrations.ts).
 */
import { ApiError } from '../../src-shared/api/dispatch';
import {
  RUN_STATUSES,
  RUN_VERDICTS,
  type EventRecord,
  type Metric,
  type RunStatus,
  type RunVerdict,
  type RunSummary,
  type SnapshotInfo,
} from '../../src-shared/api/records';

/** The columns of a RunSummary, tags as a JSON array (sorted), from `runs r`. */
/** A short label of the run's starting point, read from its schedule (empty if the schedule is unreadable). */
const START_POINT_SQL = `CASE WHEN json_valid(r.schedule) THEN
    CASE json_extract(r.schedule, '$.start.kind')
      WHEN 'generate' THEN CASE WHEN json_extract(r.schedule, '$.start.topology') = 'recurrent'
        THEN 'recurrent K' || json_extract(r.schedule, '$.start.recurrent.copies') || ' ' || coalesce(json_extract(r.schedule, '$.start.recurrent.accumLoop'), 'hard') || ' loops'
        ELSE 'generated L' || json_extract(r.schedule, '$.start.architecture.layers') || ' K' || json_extract(r.schedule, '$.start.architecture.copies') END
      WHEN 'repair' THEN 'repair in L' || json_extract(r.schedule, '$.start.architecture.layers') || ' K' || json_extract(r.schedule, '$.start.architecture.copies')
      WHEN 'matrix' THEN 'matrix ' || coalesce(json_extract(r.schedule, '$.start.name'), '')
      ELSE '' END
  ELSE '' END`;

export const SUMMARY_COLUMNS = `r.id, r.name, r.problem,
  (SELECT version FROM problem_versions WHERE id = r.problem_version) AS problem_version, r.status, r.verdict, r.status_reason, r.estimator, r.seed,
  r.architecture_id, r.hyper_set_id, r.parent_run_id, r.parent_snapshot_id,
  r.created_at, r.started_at, r.ended_at, r.steps, r.step_budget, r.soft_links,
  r.final_loss, r.best_loss, r.test_loss, r.test_worst, r.deleted_at, r.sweep_id, r.ran_on,
  (SELECT json_group_array(tag ORDER BY tag) FROM run_tags WHERE run_id = r.id) AS tags,
  ${START_POINT_SQL} AS start_point`;

export interface SummaryRow {
  id: number;
  start_point: string | null;
  name: string;
  problem: string;
  problem_version: number | null;
  status: string;
  verdict: string;
  status_reason: string;
  estimator: string;
  seed: number;
  architecture_id: number | null;
  hyper_set_id: number | null;
  parent_run_id: number | null;
  parent_snapshot_id: number | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  steps: number;
  step_budget: number;
  soft_links: number | null;
  final_loss: number | null;
  best_loss: number | null;
  test_loss: number | null;
  test_worst: number | null;
  deleted_at: number | null;
  sweep_id: number | null;
  ran_on: string | null;
  tags: string;
}

const STATUSES = new Set<string>(RUN_STATUSES);
const VERDICTS = new Set<string>(RUN_VERDICTS);

export function toSummary(r: SummaryRow): RunSummary {
  if (!STATUSES.has(r.status)) throw new ApiError('internal', `run ${r.id}: stored status "${r.status}" is not a known status`);
  let tags: string[];
  try {
    tags = JSON.parse(r.tags) as string[];
  } catch {
    tags = [];
  }
  return {
    id: r.id,
    name: r.name,
    problem: r.problem,
    problemVersion: r.problem_version,
    status: r.status as RunStatus,
    verdict: VERDICTS.has(r.verdict) ? (r.verdict as RunVerdict) : 'none',
    statusReason: r.status_reason,
    estimator: r.estimator as RunSummary['estimator'],
    seed: r.seed,
    architectureId: r.architecture_id,
    hyperSetId: r.hyper_set_id,
    parentRunId: r.parent_run_id,
    parentSnapshotId: r.parent_snapshot_id,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    steps: r.steps,
    stepBudget: r.step_budget,
    softLinks: r.soft_links,
    finalLoss: r.final_loss,
    bestLoss: r.best_loss,
    testLoss: r.test_loss,
    testWorst: r.test_worst,
    tags,
    startPoint: r.start_point ?? '',
    deletedAt: r.deleted_at,
    sweepId: r.sweep_id ?? null,
    ranOn: r.ran_on ?? null,
  };
}

/** A run figure: finite, or NULL. */
export const finiteOrNull = (x: number | null | undefined): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : x;

export interface MetricRow {
  step: number;
  phase: string;
  prereg_loss: number | null;
  loss: number | null;
  l1: number | null;
  lambda1: number | null;
  soft_links: number;
  wall_ms: number | null;
}

export const METRIC_COLUMNS = 'step, phase, prereg_loss, loss, l1, lambda1, soft_links, wall_ms';

export function toMetric(r: MetricRow): Metric {
  return {
    step: r.step,
    phase: r.phase as Metric['phase'],
    preregLoss: finiteOrNull(r.prereg_loss),
    loss: finiteOrNull(r.loss),
    l1: finiteOrNull(r.l1),
    lambda1: finiteOrNull(r.lambda1),
    softLinks: r.soft_links,
    wallMs: finiteOrNull(r.wall_ms),
  };
}

export interface EventRow {
  id: number;
  run_id: number;
  step: number;
  kind: string;
  at: number;
  data: string;
}

export function toEvent(r: EventRow): EventRecord {
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(r.data);
    data =
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch (e) {
    // one bad event must not hide the others: keep it visible as what it is
    data = { corrupted: `event ${r.id}: stored data is not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  return { id: r.id, runId: r.run_id, step: r.step, kind: r.kind, at: r.at, data };
}

export interface SnapshotInfoRow {
  id: number;
  run_id: number;
  step: number;
  reason: string;
  soft_links: number;
  prereg_loss: number | null;
  created_at: number;
}

export const SNAPSHOT_INFO_COLUMNS = 'id, run_id, step, reason, soft_links, prereg_loss, created_at';

export function toSnapshotInfo(r: SnapshotInfoRow): SnapshotInfo {
  return {
    id: r.id,
    runId: r.run_id,
    step: r.step,
    reason: r.reason as SnapshotInfo['reason'],
    softLinks: r.soft_links,
    preregLoss: finiteOrNull(r.prereg_loss),
    createdAt: r.created_at,
  };
}
