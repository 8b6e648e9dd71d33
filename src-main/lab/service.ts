/**
 * The lab's back end: every API operation, implemented on the store and the supervisor.
 * Transports (Electron IPC, the browser host, in-process for the CLI and tests) validate
 * parameters against the contract and call these handlers.
 */
import type { ApiHandlers, ApiMethod, ApiParsedParams } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/api/dispatch';
import { isFinalStatus, type RunSummary } from '../../src-shared/api/records';
import type { Problem } from '../../src-shared/problems/problem';
import { scheduleForProblem } from '../../src-shared/problems/problem-schedule';
import { defaultProblem } from '../../src-shared/synthesis/start';
import { mergeOverrides, ScheduleError, type Schedule, type ScheduleOverrides } from '../../src-shared/synthesis/schedule';
import type { Supervisor } from '../runs/supervisor';
import type { RunStore } from '../store/run-store';
import { checkRunExport } from '../../src-shared/api/run-export-check';
import { cannotWriteReason } from '../store/write-errors';
import type { EventHub } from './event-hub';
import { LabHealth } from './lab-health';
import { readHandlers } from './read-handlers';
import { sweepHandlers } from './sweep-service';
import { ClusterSettings } from './cluster-settings';

/** A schedule (or overrides) merged over another, as everywhere else. */
const mergeObjects = (base: ScheduleOverrides, over: ScheduleOverrides) => mergeOverrides(base, over) as ScheduleOverrides;

/** A run's schedule: the problem's defaults (default: the duplicate detector's), then `overrides`, validated (ApiError 'bad-request' naming each bad field). */
export function validSchedule(overrides: ScheduleOverrides, problem: Problem = defaultProblem()): Schedule {
  try {
    const seed = overrides['seed'];
    return scheduleForProblem(problem, overrides, typeof seed === 'number' ? seed : undefined);
  } catch (e) {
    if (e instanceof ScheduleError) throw new ApiError('bad-request', e.message);
    throw e;
  }
}

/** What each write needs: `write` adds to the database (refused unless read-write), `free` frees space or ends work (refused only read-only). */
const WRITES: Partial<Record<ApiMethod, { need: 'write' | 'free'; what: string }>> = {
  'runs.start': { need: 'write', what: 'start a run' },
  'runs.resumeFrom': { need: 'write', what: 'start a run' },
  'runs.control': { need: 'free', what: 'control a run' },
  'runs.update': { need: 'write', what: 'edit a run' },
  'runs.trash': { need: 'free', what: 'move runs to the trash' },
  'runs.restore': { need: 'free', what: 'restore runs' },
  'runs.purge': { need: 'free', what: 'purge runs' },
  'runs.import': { need: 'write', what: 'import runs' },
  'sweeps.create': { need: 'write', what: 'start a sweep' },
  'sweeps.control': { need: 'free', what: 'control a sweep' },
  'architectures.save': { need: 'write', what: 'save an architecture' },
  'architectures.delete': { need: 'free', what: 'delete an architecture' },
  'hyperSets.save': { need: 'write', what: 'save a hyperparameter set' },
  'hyperSets.delete': { need: 'free', what: 'delete a hyperparameter set' },
  'views.save': { need: 'write', what: 'save a view' },
  'views.delete': { need: 'free', what: 'delete a view' },
  'comparisons.save': { need: 'write', what: 'save a comparison' },
  'comparisons.delete': { need: 'free', what: 'delete a comparison' },
};

export interface LabServiceOptions {
  /** Whether the lab can write (default: always read-write). */
  readonly health?: LabHealth;
  /** A handler found the database cannot be written (disk full…). */
  readonly onCannotWrite?: (reason: string, error: unknown) => void;
  /** The lab's data folder (the Cluster settings live there; default: the database's folder is not known, so none are kept). */
  readonly dataDir?: string;
}

export class LabService {
  readonly health: LabHealth;

  constructor(
    readonly store: RunStore,
    readonly supervisor: Supervisor,
    readonly hub: EventHub,
    private readonly opts: LabServiceOptions = {},
  ) {
    this.health = opts.health ?? new LabHealth(hub.emit);
    this.handlers = this.guarded(this.table());
  }

  /**
   * Every handler checked against the lab's health first; a write that fails because the
   * database cannot be written is told to the lab and answered with a clear conflict.
   */
  private guarded(table: ApiHandlers): ApiHandlers {
    const out: Record<string, (p: never) => unknown> = {};
    for (const [name, handler] of Object.entries(table) as [ApiMethod, (p: never) => unknown][]) {
      const w = WRITES[name];
      out[name] = (p: never) => {
        if (w?.need === 'write') this.health.requireWritable(w.what);
        if (w?.need === 'free') this.health.requireNotReadOnly(w.what);
        try {
          return handler(p);
        } catch (e) {
          const why = cannotWriteReason(e);
          if (!why) throw e;
          this.opts.onCannotWrite?.(why, e);
          throw new ApiError('conflict', `cannot ${w?.what ?? 'do that'}: ${why}`);
        }
      };
    }
    return out as unknown as ApiHandlers;
  }

  private clusterSettings(): ClusterSettings {
    if (this.opts.dataDir === undefined) throw new ApiError('conflict', 'this lab has no data folder to keep cluster settings in');
    return new ClusterSettings(this.opts.dataDir);
  }

  private changed(run: RunSummary): RunSummary {
    this.hub.emit({ name: 'run.changed', data: run });
    return run;
  }

  /** The schedule a new run gets: the problem's defaults, the hyperparameter set, the request, then an architecture as its start. */
  private scheduleFor(
    p: {
      schedule: ScheduleOverrides;
      hyperSetId?: number | undefined;
      architectureId?: number | undefined;
    },
    problem: Problem,
  ): Schedule {
    let overrides = p.schedule;
    if (p.hyperSetId !== undefined) overrides = mergeObjects(this.store.getHyperSet(p.hyperSetId).schedule, overrides);
    if (p.architectureId !== undefined) {
      const a = this.store.getArchitecture(p.architectureId);
      overrides = { ...overrides, start: { kind: 'matrix', name: `${a.name} v${a.version}`, matrix: a.graph.matrix } };
    }
    return validSchedule(overrides, problem);
  }

  /** A problem version for a new run ('bad-request' when there is none: the request named it). */
  private problemOf(id: string, version?: number): ReturnType<RunStore['problemDefinition']> {
    try {
      return this.store.problemDefinition(id, version);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'not-found') throw new ApiError('bad-request', e.message);
      throw e;
    }
  }

  private startRun(p: ApiParsedParams<'runs.start'>, lineage: { parentRunId?: number; parentSnapshotId?: number } = {}): RunSummary {
    const { problem, version } = this.problemOf(p.problem, p.problemVersion);
    const schedule = this.scheduleFor(p, problem);
    const run = this.store.createRun({
      ...(p.name !== undefined ? { name: p.name } : {}),
      problem: p.problem,
      problemVersion: version,
      schedule,
      estimator: schedule.estimator.kind,
      seed: schedule.seed,
      ...(p.architectureId !== undefined ? { architectureId: p.architectureId } : {}),
      ...(p.hyperSetId !== undefined ? { hyperSetId: p.hyperSetId } : {}),
      ...lineage,
      ...(p.tags ? { tags: p.tags } : {}),
    });
    this.changed(run);
    this.supervisor.pump();
    return this.store.getRunSummary(run.id);
  }

  readonly handlers: ApiHandlers;

  private table(): ApiHandlers {
    return {
      ...readHandlers(this.store),
      ...sweepHandlers({
        store: this.store,
        supervisor: this.supervisor,
        emit: this.hub.emit,
        problemOf: (id, version) => this.problemOf(id, version),
        validSchedule,
      }),
      'lab.status': () => this.health.status,
      'settings.cluster': () => this.clusterSettings().view(),
      'settings.saveCluster': (p) => this.clusterSettings().save(p),
      'problems.save': ({ definition }) => this.store.saveProblem(definition),
      'runs.start': (p) => this.startRun(p),
      'runs.resumeFrom': ({ snapshotId, name, schedule, continue: sameRun }) => {
        const snap = this.store.getSnapshot(snapshotId);
        if (sameRun) {
          if (schedule)
            throw new ApiError('bad-request', 'a run that continues keeps its schedule: start a new run from the snapshot to change it');
          const before = this.store.getRunSummary(snap.runId);
          const run = this.store.reopenRun(snap.runId, snapshotId);
          this.store.appendEvent(run.id, {
            step: snap.step,
            kind: 'continue',
            data: {
              kind: 'continue',
              snapshotId,
              fromStep: snap.step,
              previousStatus: before.status,
              previousParentSnapshotId: before.parentSnapshotId,
            },
          });
          this.changed(run);
          this.supervisor.pump();
          return this.store.getRunSummary(run.id);
        }
        const parent = this.store.getRun(snap.runId);
        const merged = schedule ? mergeObjects(parent.schedule, schedule) : parent.schedule;
        return this.startRun(
          {
            name: name ?? `${parent.name} from step ${snap.step}`,
            problem: parent.problem,
            ...(parent.problemVersion !== null ? { problemVersion: parent.problemVersion } : {}),
            schedule: merged,
            tags: parent.tags,
          },
          { parentRunId: parent.id, parentSnapshotId: snap.id },
        );
      },
      'runs.control': ({ id, command }) => {
        this.supervisor.control(id, command);
        return { ok: true as const };
      },
      'runs.update': ({ id, ...changes }) => this.changed(this.store.updateRun(id, changes)),
      'runs.trash': ({ ids }) => {
        for (const id of ids) {
          const r = this.store.getRunSummary(id);
          if (!isFinalStatus(r.status) && r.status !== 'queued')
            throw new ApiError('conflict', `run ${id} is ${r.status}: stop it before deleting it`);
        }
        for (const id of ids) if (this.store.getRunSummary(id).status === 'queued') this.supervisor.control(id, { kind: 'stop' });
        const count = this.store.trash(ids);
        for (const id of ids) this.changed(this.store.getRunSummary(id));
        return { count };
      },
      'runs.restore': ({ ids }) => {
        const count = this.store.restore(ids);
        for (const id of ids) this.changed(this.store.getRunSummary(id));
        return { count };
      },
      'runs.purge': ({ ids }) => {
        const count = this.store.purge(ids);
        for (const id of ids) this.hub.emit({ name: 'run.removed', data: { id } });
        return { count };
      },
      'runs.import': ({ runs }) => {
        for (const r of runs) checkRunExport(r); // ranges, order, snapshots that reproduce their loss
        const ids = runs.map((r) => this.store.importRun(r));
        for (const id of ids) this.changed(this.store.getRunSummary(id));
        return { ids };
      },
      'architectures.save': (p) => this.store.saveArchitecture(p),
      'architectures.delete': ({ id }) => {
        this.store.deleteArchitecture(id);
        return { ok: true as const };
      },
      'hyperSets.save': (p) => {
        validSchedule(p.schedule); // refuse a set no run could use
        return this.store.saveHyperSet(p);
      },
      'hyperSets.delete': ({ id }) => {
        this.store.deleteHyperSet(id);
        return { ok: true as const };
      },
      'views.save': (p) => this.store.saveView(p),
      'views.delete': ({ id }) => {
        this.store.deleteView(id);
        return { ok: true as const };
      },
      'comparisons.save': (p) => this.store.comparisons.save(p),
      'comparisons.delete': ({ id }) => {
        this.store.comparisons.delete(id);
        return { ok: true as const };
      },
    };
  }
}
