/**
 * Export and import of runs: a run as one self-contained document (run-export.ts) with its
 * metrics, events and snapshots, and a batch of such documents imported in one transaction
 * with their lineage re-linked to the new ids. (What comes from outside — the API's
 * runs.import, the CLI's runs import — is checked first by run-export-check.ts.)
 */
import { formatIssues, ApiError } from '../../src-shared/api/dispatch';
import { RUN_EXPORT_FORMAT, type RunExport } from '../../src-shared/api/run-export';
import { ScheduleSchema } from '../../src-shared/synthesis/schedule';
import type { Events } from './events';
import type { Metrics } from './metrics';
import { finiteOrNull } from './rows';
import { checkKnownStatus, RUN_STATUS_RULES } from './run-status';
import type { Runs } from './runs';
import type { Snapshots } from './snapshots';
import type { RefTable, StoreContext } from './store-context';

export class Transfer {
  constructor(
    private readonly ctx: StoreContext,
    private readonly parts: { runs: Runs; metrics: Metrics; events: Events; snapshots: Snapshots },
  ) {}

  /** The run as one self-contained document (throws if its schedule is corrupted). */
  exportRun(id: number): RunExport {
    const { runs, metrics, events, snapshots } = this.parts;
    const run = runs.get(id);
    return {
      format: RUN_EXPORT_FORMAT,
      version: 1,
      run,
      metrics: metrics.all(id),
      events: events.list(id),
      snapshots: snapshots.list(id).map((s) => snapshots.get(s.id)),
    };
  }

  /**
   * Imports exported runs in one transaction; returns their new ids in order. Parent links
   * to a run or snapshot of the same batch follow it to its new id; other references are
   * kept when such a row exists here (a parent snapshot only if it belongs to the parent
   * run) and cleared otherwise — an export does not say which store its ids come from. A
   * run exported while queued, running or paused arrives as run-status.ts says
   * ('interrupted'). Imported runs are live (not in the trash).
   */
  importRuns(exports: readonly RunExport[]): number[] {
    const { ctx } = this;
    const { runs, metrics, events, snapshots } = this.parts;
    return ctx.tx(() => {
      const runIds = new Map<number, number>();
      const snapshotIds = new Map<number, number>();
      const newIds: number[] = [];
      for (const e of exports) {
        if (e.format !== RUN_EXPORT_FORMAT || e.version !== 1)
          throw new ApiError('bad-request', `not a ${RUN_EXPORT_FORMAT} version 1 document`);
        const r = e.run;
        runs.checkProblem(r.problem, `run "${r.name}": `);
        const parsed = ScheduleSchema.safeParse(r.schedule);
        if (!parsed.success) throw new ApiError('bad-request', `run "${r.name}": invalid schedule: ${formatIssues(parsed.error.issues)}`);
        checkKnownStatus(r.status, `run "${r.name}": `);
        const status = RUN_STATUS_RULES[r.status].imported;
        const keep = (id: number | null, table: RefTable): number | null => (id !== null && ctx.exists(table, id) ? id : null);
        const id = ctx
          .sql(
            `INSERT INTO runs (name, problem, status, status_reason, estimator, seed, architecture_id, hyper_set_id, parent_run_id,
             parent_snapshot_id, schedule, notes, created_at, started_at, ended_at, steps, step_budget, soft_links,
             final_loss, best_loss, test_loss, test_worst)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          )
          .pluck()
          .get(
            r.name,
            r.problem,
            status,
            status !== r.status ? `exported while ${r.status}${r.statusReason ? ` (${r.statusReason})` : ''}` : r.statusReason,
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
        // the version it names when this store has it, otherwise the problem's latest
        const version = r.problemVersion !== null && runs.hasProblemVersion(r.problem, r.problemVersion) ? r.problemVersion : undefined;
        ctx.sql('UPDATE runs SET problem_version = ? WHERE id = ?').run(runs.problemVersionId(r.problem, version), id);
        runIds.set(r.id, id);
        newIds.push(id);
        runs.writeTags(id, r.tags);
        metrics.insert(id, e.metrics);
        for (const ev of e.events) events.insertExported(id, ev);
        for (const s of e.snapshots) {
          const info = snapshots.insert(
            id,
            { step: s.step, reason: s.reason, preregLoss: s.preregLoss ?? Number.NaN, links: s.weights.links, weights: s.weights.weights },
            s.createdAt,
          );
          snapshotIds.set(s.id, info.id);
        }
      }
      this.relinkParents(exports, newIds, runIds, snapshotIds);
      return newIds;
    });
  }

  /**
   * Lineage: a parent in the batch follows it to its new id; otherwise it is kept only if
   * such a row exists here (and a parent snapshot only if it belongs to the parent run).
   */
  private relinkParents(
    exports: readonly RunExport[],
    newIds: readonly number[],
    runIds: ReadonlyMap<number, number>,
    snapshotIds: ReadonlyMap<number, number>,
  ): void {
    const { ctx } = this;
    const setParents = ctx.sql('UPDATE runs SET parent_run_id = ?, parent_snapshot_id = ? WHERE id = ?');
    const snapshotRun = ctx.sql('SELECT run_id FROM snapshots WHERE id = ?').pluck();
    const imported = new Set(newIds);
    exports.forEach((e, i) => {
      const { parentRunId, parentSnapshotId } = e.run;
      let pr: number | null = null;
      if (parentRunId !== null) {
        pr = runIds.get(parentRunId) ?? (!imported.has(parentRunId) && ctx.exists('runs', parentRunId) ? parentRunId : null);
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
  }
}
