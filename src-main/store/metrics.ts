/**
 * The metrics aggregate of the run store: one row per stored step, appended in batches
 * (the run's headline figures follow), read back incrementally, smoothed (smoothing.ts) and
 * downsampled (downsample.ts).
 */
import type { Statement } from 'better-sqlite3';
import { ApiError } from '../../src-shared/api/dispatch';
import type { Metric } from '../../src-shared/api/records';
import { downsample } from './downsample';
import { finiteOrNull, METRIC_COLUMNS, toMetric, type MetricRow } from './rows';
import {
  advanceRawRows,
  checkFactor,
  emaSmooth,
  METRIC_SMOOTHING_START,
  smoothMetrics,
  SmoothingCache,
  type MetricSmoothingState,
} from './smoothing';
import { notFound, type StoreContext } from './store-context';

export interface MetricsPage {
  /** Points after `afterStep` before downsampling. */
  readonly total: number;
  /** The last step after `afterStep` (or `afterStep`, 0 by default, when there is none): the next `afterStep` to poll with. */
  readonly lastStep: number;
  readonly points: Metric[];
}

export interface MetricsOptions {
  readonly afterStep?: number;
  readonly maxPoints?: number;
  readonly smoothing?: number;
}

/** Rows per metrics INSERT statement (9 parameters each). */
const METRIC_ROWS = 64;

type LightRow = [step: number, loss: number | null, preregLoss: number | null];

export class Metrics {
  /** Metric INSERT statements by row count. */
  private readonly inserts: (Statement | undefined)[] = [];
  /** Smoothing states of the last metrics fetches (see smoothing.ts). */
  private readonly smoothingCache = new SmoothingCache();

  constructor(private readonly ctx: StoreContext) {}

  /**
   * Stores a batch of metrics (a step already stored is replaced) in one transaction and
   * updates the run's figures: steps, finalLoss and softLinks from the batch's last step
   * (when it is not behind the run), bestLoss as the lowest finite preregLoss so far.
   */
  append(runId: number, metrics: readonly Metric[]): void {
    if (metrics.length === 0) return;
    for (const m of metrics) {
      if (!Number.isSafeInteger(m.step)) throw new ApiError('bad-request', `run ${runId}: metric step must be an integer, got ${m.step}`);
    }
    const { ctx } = this;
    const read = ctx.sql('SELECT steps, best_loss FROM runs WHERE id = ?');
    const update = ctx.sql('UPDATE runs SET steps = ?, final_loss = ?, soft_links = ?, best_loss = ? WHERE id = ?');
    const updateBest = ctx.sql('UPDATE runs SET best_loss = ? WHERE id = ?');
    ctx.tx(() => {
      const run = read.get(runId) as { steps: number; best_loss: number | null } | undefined;
      if (run === undefined) throw notFound('run', runId);
      this.insert(runId, metrics);
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
  insert(runId: number, metrics: readonly Metric[]): void {
    for (let at = 0; at < metrics.length; at += METRIC_ROWS) {
      const chunk = metrics.slice(at, at + METRIC_ROWS);
      const values: unknown[] = [];
      for (const m of chunk) {
        values.push(
          runId,
          m.step,
          m.phase,
          finiteOrNull(m.preregLoss),
          finiteOrNull(m.loss),
          finiteOrNull(m.l1),
          finiteOrNull(m.lambda1),
          Math.trunc(m.softLinks),
          finiteOrNull(m.wallMs),
        );
      }
      let insert = this.inserts[chunk.length];
      if (insert === undefined) {
        const rows = Array.from({ length: chunk.length }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
        insert = this.ctx.db.prepare(`INSERT OR REPLACE INTO metrics (run_id, ${METRIC_COLUMNS}) VALUES ${rows}`);
        this.inserts[chunk.length] = insert;
      }
      insert.run(...values);
    }
  }

  /** Every metric of the run in step order, as stored. */
  all(runId: number): Metric[] {
    return (this.ctx.sql(`SELECT ${METRIC_COLUMNS} FROM metrics WHERE run_id = ? ORDER BY step`).all(runId) as MetricRow[]).map(toMetric);
  }

  /**
   * Metrics after `afterStep` in step order, downsampled to at most `maxPoints` (extremes of
   * preregLoss kept). With `smoothing` α in (0, 1), `loss` and `preregLoss` are the debiased
   * EMA of the full series (smoothing.ts) — the points up to `afterStep` included — computed
   * before downsampling, so incremental fetches continue the same curve exactly.
   */
  page(runId: number, options: MetricsOptions = {}): MetricsPage {
    const { ctx } = this;
    ctx.requireRun(runId);
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
        const r = ctx.sql('SELECT loss, prereg_loss FROM metrics WHERE run_id = ? AND step = ?').get(runId, step) as
          { loss: number | null; prereg_loss: number | null } | undefined;
        return r && { loss: finiteOrNull(r.loss), preregLoss: finiteOrNull(r.prereg_loss) };
      });
      if (cached) return cached;
      const prefix = ctx
        .sql('SELECT loss, prereg_loss FROM metrics WHERE run_id = ? AND step <= ? ORDER BY step')
        .raw(true)
        .all(runId, after) as [number | null, number | null][];
      return advanceRawRows(METRIC_SMOOTHING_START, prefix, factor);
    };
    if (maxPoints !== undefined) {
      const count = ctx.sql('SELECT count(*) FROM metrics WHERE run_id = ? AND step > ?').pluck().get(runId, after) as number;
      if (count > Math.max(2, Math.floor(maxPoints))) return this.downsampled(runId, after, maxPoints, factor, smoothingState);
    }
    const rows = ctx
      .sql(`SELECT ${METRIC_COLUMNS} FROM metrics WHERE run_id = ? AND step > ? ORDER BY step`)
      .all(runId, after) as MetricRow[];
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
   * page() of a series longer than `maxPoints`, in two passes: (step, loss, preregLoss) of
   * every point — all that smoothing and downsampling look at — then the whole rows of the
   * points kept only (a long run's whole rows cost several times more to read). Same result
   * as smoothing and downsampling the whole rows.
   */
  private downsampled(runId: number, after: number, maxPoints: number, factor: number, state: () => MetricSmoothingState): MetricsPage {
    const light = this.ctx
      .sql('SELECT step, loss, prereg_loss FROM metrics WHERE run_id = ? AND step > ? ORDER BY step')
      .raw(true)
      .all(runId, after) as LightRow[];
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
        (light[last] as LightRow)[0],
        { loss: l.state, preregLoss: p.state },
        { loss: loss[last] ?? null, preregLoss: prereg[last] ?? null },
      );
      loss = l.values;
      prereg = p.values;
    }
    const kept = downsample(
      prereg.map((p, i) => ({ i, preregLoss: p })),
      maxPoints,
    ).map((p) => p.i);
    const rows = this.ctx
      .sql(`SELECT ${METRIC_COLUMNS} FROM metrics WHERE run_id = ? AND step IN (SELECT value FROM json_each(?)) ORDER BY step`)
      .all(runId, JSON.stringify(kept.map((i) => (light[i] as LightRow)[0]))) as MetricRow[];
    const points = rows.map((r, k) => {
      const m = toMetric(r);
      if (factor === 0) return m;
      const i = kept[k] as number;
      return { ...m, loss: loss[i] ?? null, preregLoss: prereg[i] ?? null };
    });
    const last = light[light.length - 1];
    return { total: light.length, lastStep: last === undefined ? after : last[0], points };
  }
}
