/**
 * The run store: every run with its metrics, events and snapshots, the architectures, the
 * hyperparameter sets and the problems, in one SQLite file (better-sqlite3, synchronous).
 * It returns exactly the records of src-shared/api/records.ts and fails with ApiError
 * codes the transports pass on: `not-found` (unknown id), `bad-request` (a reference to
 * nothing, an invalid schedule or query), `conflict` (a status change run-status.ts forbids),
 * `internal` (stored data that is corrupted — the message names the row).
 *
 * This class is the facade: each aggregate lives in its own module sharing one
 * StoreContext (statement cache, transactions, clock) — runs.ts (with the status rules in
 * run-status.ts), metrics.ts, events.ts, snapshots.ts, trash.ts, transfer.ts (export and
 * import), problems.ts (problems and their versions, the built-ins written at open),
 * library.ts (architectures, hyperparameter sets, saved views),
 * integrity.ts, comparisons.ts and sweeps.ts.
 *
 * One process writes (the main process); others may read. Every multi-statement write is
 * one transaction. See migrations.ts for the schema and how NaN is stored.
 */
import type { z } from 'zod';
import type {
  Architecture,
  ArchitectureGraph,
  ArchitectureGraphSchema,
  ArchitectureInfo,
  EventRecord,
  HyperSet,
  Metric,
  ProblemInfo,
  ProblemVersion,
  RunDetail,
  RunStatus,
  RunSummary,
  SavedView,
  Snapshot,
  SnapshotInfo,
} from '../../src-shared/api/records';
import type { RunQuery } from '../../src-shared/api/contract';
import type { RunExport } from '../../src-shared/api/run-export';
import { ComparisonStore } from './comparisons';
import { openDatabase, type Db, type OpenOptions } from './database';
import { Events, type NewEvent } from './events';
import { integrityProblems } from './integrity';
import { Library } from './library';
import { Metrics, type MetricsOptions, type MetricsPage } from './metrics';
import { migrate } from './migrations';
import { Problems } from './problems';
import { registerSqlFunctions } from './run-query';
import { Runs, type CreateRunInput, type RunEdit, type RunFigures } from './runs';
import { Snapshots, type Link, type NewSnapshot } from './snapshots';
import { Sweeps } from './sweeps';
import { notFound, StoreContext } from './store-context';

const notFoundRun = (id: number) => notFound('run', id);
import { Transfer } from './transfer';
import { Trash } from './trash';

export { countLeaves } from './library';
export type { CreateRunInput, RunEdit, RunFigures } from './runs';
export type { MetricsPage, MetricsOptions } from './metrics';
export type { NewEvent } from './events';
export type { Link, NewSnapshot, SnapshotReason } from './snapshots';

export interface RunStoreOptions {
  /** Milliseconds since the epoch (default Date.now); injectable for tests. */
  readonly clock?: () => number;
}

export class RunStore {
  private readonly ctx: StoreContext;
  private readonly runs: Runs;
  private readonly metricRows: Metrics;
  private readonly events: Events;
  private readonly snapshots: Snapshots;
  private readonly trashCan: Trash;
  private readonly transfer: Transfer;
  private readonly library: Library;
  private readonly problems: Problems;
  /** Saved circuit comparisons (comparisons.ts). */
  readonly comparisons: ComparisonStore;
  /** Sweeps and their runs (sweeps.ts). */
  readonly sweeps: Sweeps;

  constructor(
    readonly db: Db,
    options: RunStoreOptions = {},
  ) {
    const clock = options.clock ?? Date.now;
    if (!db.inTransaction) db.pragma('foreign_keys = ON');
    migrate(db);
    registerSqlFunctions(db);
    this.ctx = new StoreContext(db, clock);
    this.runs = new Runs(this.ctx);
    this.metricRows = new Metrics(this.ctx);
    this.events = new Events(this.ctx);
    this.snapshots = new Snapshots(this.ctx);
    this.trashCan = new Trash(this.ctx, this.snapshots);
    this.transfer = new Transfer(this.ctx, { runs: this.runs, metrics: this.metricRows, events: this.events, snapshots: this.snapshots });
    this.library = new Library(this.ctx);
    this.problems = new Problems(this.ctx);
    this.problems.ensureBuiltins();
    this.comparisons = new ComparisonStore(db, clock);
    this.sweeps = new Sweeps(this.ctx, this.runs);
  }

  static open(file: string, options: RunStoreOptions & OpenOptions = {}): RunStore {
    const db = openDatabase(file, options);
    try {
      return new RunStore(db, options);
    } catch (e) {
      db.close(); // a connection left open would keep its locks
      throw e;
    }
  }

  close(): void {
    this.ctx.clearStatements();
    if (this.db.open) this.db.close();
  }

  // ---------------------------------------------------------------- runs (runs.ts)

  createRun(input: CreateRunInput): RunSummary {
    return this.runs.create(input);
  }
  /** The run's summary (no schedule parsing). */
  getRunSummary(id: number): RunSummary {
    return this.runs.summary(id);
  }
  getRun(id: number): RunDetail {
    return this.runs.get(id);
  }
  listRuns(query: RunQuery = {}): { total: number; runs: RunSummary[] } {
    return this.runs.list(query);
  }
  updateRun(id: number, edit: RunEdit): RunSummary {
    return this.runs.update(id, edit);
  }
  /** Moves a run to `status` as run-status.ts allows (see Runs.setStatus). */
  setStatus(id: number, status: RunStatus, reason?: string, extra: { startedAt?: number; endedAt?: number } = {}): RunSummary {
    return this.runs.setStatus(id, status, reason, extra);
  }
  /** Records where the run's process runs (see Runs.setRanOn). */
  setRanOn(id: number, where: string): void {
    this.runs.setRanOn(id, where);
  }
  /** Continues an ended run from one of its own snapshots (see Runs.reopen). */
  reopenRun(id: number, snapshotId: number): RunSummary {
    return this.runs.reopen(id, snapshotId);
  }
  updateRunFigures(id: number, f: RunFigures): RunSummary {
    return this.runs.updateFigures(id, f);
  }
  /** Live (not trashed) queued runs, oldest first: the supervisor's queue. */
  queuedRunIds(): number[] {
    return this.runs.queuedIds();
  }
  /** Every run left running or paused by a main process that died becomes 'interrupted'; returns their ids. */
  markInterrupted(reason: string): number[] {
    return this.runs.markInterrupted(reason);
  }

  // ---------------------------------------------------------------- metrics (metrics.ts)

  /** Stores a batch of metrics and updates the run's figures (see Metrics.append). */
  appendMetrics(runId: number, metrics: readonly Metric[]): void {
    this.metricRows.append(runId, metrics);
  }
  /** At most `limit` stored metrics after `afterStep`, raw, in step order (for paged exports). */
  metricSlice(runId: number, afterStep: number, limit: number): Metric[] {
    return this.metricRows.slice(runId, afterStep, limit);
  }
  /** Metrics after `afterStep`, smoothed and downsampled on request (see Metrics.page). */
  metrics(runId: number, options: MetricsOptions = {}): MetricsPage {
    return this.metricRows.page(runId, options);
  }

  // ---------------------------------------------------------------- events (events.ts)

  appendEvent(runId: number, event: NewEvent): EventRecord {
    return this.events.append(runId, event);
  }
  /** Events of a run with id > afterId, oldest first. */
  listEvents(runId: number, afterId = 0, limit?: number): EventRecord[] {
    return this.events.list(runId, afterId, limit);
  }

  // ---------------------------------------------------------------- snapshots (snapshots.ts)

  /** Stores a trainable matrix exactly (links interned in link_keys, weights as packed float64). */
  saveSnapshot(runId: number, s: NewSnapshot): SnapshotInfo {
    return this.snapshots.save(runId, s);
  }
  listSnapshots(runId: number): SnapshotInfo[] {
    return this.snapshots.list(runId);
  }
  /** The snapshot's links and weights, bit for bit as saved. */
  getSnapshotWeights(id: number): { links: Link[]; weights: Float64Array } {
    return this.snapshots.weights(id);
  }
  getSnapshot(id: number): Snapshot {
    return this.snapshots.get(id);
  }

  // ---------------------------------------------------------------- trash (trash.ts)

  /** Moves live runs to the trash; returns how many moved. */
  trash(ids: readonly number[]): number {
    return this.trashCan.trash(ids);
  }
  /** Brings trashed runs back; returns how many came back. */
  restore(ids: readonly number[]): number {
    return this.trashCan.restore(ids);
  }
  /** Deletes trashed runs for good and gives the space back (see Trash.purge); returns how many were purged. */
  purge(ids: readonly number[]): number {
    return this.trashCan.purge(ids);
  }

  // ---------------------------------------------------------------- export / import (transfer.ts)

  /** The run as one self-contained document (throws if its schedule is corrupted). */
  exportRun(id: number): RunExport {
    return this.transfer.exportRun(id);
  }
  /** Imports one exported run; returns its new id. */
  importRun(e: RunExport): number {
    return this.transfer.importRuns([e])[0] as number;
  }
  /** Imports exported runs in one transaction; returns their new ids in order (see Transfer.importRuns). */
  importRuns(exports: readonly RunExport[]): number[] {
    return this.transfer.importRuns(exports);
  }

  // ---------------------------------------------------------------- library (library.ts)

  // ---------------------------------------------------------------- problems (problems.ts)

  /** The latest version of every problem. */
  listProblems(): ProblemInfo[] {
    return this.problems.list();
  }
  /** One version of a problem (default: the latest) with its definition and version list. */
  getProblem(id: string, version?: number): ProblemVersion {
    return this.problems.get(id, version);
  }
  /** The validated definition of a problem version (default: the latest) and the version's row id. */
  problemDefinition(id: string, version?: number): ReturnType<Problems['definition']> {
    return this.problems.definition(id, version);
  }
  /** The definition a run uses: its recorded version (or, for a run without one, its problem's latest). */
  runProblem(runId: number): ReturnType<Problems['definition']> {
    const r = this.ctx.sql('SELECT problem, problem_version FROM runs WHERE id = ?').get(runId) as
      { problem: string; problem_version: number | null } | undefined;
    if (!r) throw notFoundRun(runId);
    if (r.problem_version === null) return this.problems.definition(r.problem);
    const problem = this.problems.definitionById(r.problem_version);
    return { problem, versionId: r.problem_version, version: this.problems.versionNumber(r.problem_version) };
  }
  /** Validates a definition and stores it as its problem's next version (see Problems.save). */
  saveProblem(definition: unknown): ProblemInfo {
    return this.problems.save(definition);
  }

  // ---------------------------------------------------------------- library (library.ts)

  listArchitectures(): ArchitectureInfo[] {
    return this.library.listArchitectures();
  }
  getArchitecture(id: number): Architecture {
    return this.library.getArchitecture(id);
  }
  /** Saves a new version of the named architecture (1 + the latest version of that name). */
  saveArchitecture(a: {
    name: string;
    description?: string;
    graph: ArchitectureGraph | z.input<typeof ArchitectureGraphSchema>;
  }): Architecture {
    return this.library.saveArchitecture(a);
  }
  /** Deletes an architecture version; runs made from it keep running, their architectureId becomes null. */
  deleteArchitecture(id: number): void {
    this.library.deleteArchitecture(id);
  }
  listHyperSets(): HyperSet[] {
    return this.library.listHyperSets();
  }
  getHyperSet(id: number): HyperSet {
    return this.library.getHyperSet(id);
  }
  /** Creates the named set, or replaces its description and schedule (keeping id and createdAt). */
  saveHyperSet(h: { name: string; description?: string; schedule: Record<string, unknown> }): HyperSet {
    return this.library.saveHyperSet(h);
  }
  deleteHyperSet(id: number): void {
    this.library.deleteHyperSet(id);
  }
  listViews(): SavedView[] {
    return this.library.listViews();
  }
  /** Creates the named view or replaces its settings. */
  saveView(v: { name: string; view: SavedView['view'] }): SavedView {
    return this.library.saveView(v);
  }
  deleteView(id: number): void {
    this.library.deleteView(id);
  }

  // ---------------------------------------------------------------- health (integrity.ts)

  /** Problems found, empty when healthy (see integrity.ts). */
  integrityCheck(): string[] {
    return integrityProblems(this.ctx);
  }
}
