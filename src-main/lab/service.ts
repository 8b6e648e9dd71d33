/**
 * The lab's back end: every API operation, implemented on the store and the supervisor.
 * Transports (Electron IPC, the browser host, in-process for the CLI and tests) validate
 * parameters against the contract and call these handlers.
 */
import type { ApiHandlers, ApiParsedParams } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/api/dispatch';
import { isFinalStatus, type RunSummary } from '../../src-shared/api/records';
import type { Problem } from '../../src-shared/problems/problem';
import { scheduleForProblem } from '../../src-shared/problems/problem-schedule';
import { defaultProblem } from '../../src-shared/synthesis/start';
import { mergeOverrides, ScheduleError, type Schedule } from '../../src-shared/synthesis/schedule';
import type { Supervisor } from '../runs/supervisor';
import type { RunStore } from '../store/run-store';
import type { EventHub } from './event-hub';

/** A schedule (or overrides) merged over another, as everywhere else. */
const mergeObjects = (base: Record<string, unknown>, over: Record<string, unknown>) =>
  mergeOverrides(base, over) as Record<string, unknown>;

/** A run's schedule: the problem's defaults (default: the duplicate detector's), then `overrides`. */
export function validSchedule(overrides: Record<string, unknown>, problem: Problem = defaultProblem()): Schedule {
  try {
    const seed = overrides['seed'];
    return scheduleForProblem(problem, overrides, typeof seed === 'number' ? seed : undefined);
  } catch (e) {
    if (e instanceof ScheduleError) throw new ApiError('bad-request', e.message);
    throw e;
  }
}

export class LabService {
  constructor(
    readonly store: RunStore,
    readonly supervisor: Supervisor,
    readonly hub: EventHub,
  ) {}

  private changed(run: RunSummary): RunSummary {
    this.hub.emit({ name: 'run.changed', data: run });
    return run;
  }

  /** The schedule a new run gets: the problem's defaults, the hyperparameter set, the request, then an architecture as its start. */
  private scheduleFor(
    p: {
      schedule: Record<string, unknown>;
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

  readonly handlers: ApiHandlers = {
    'problems.list': () => this.store.listProblems(),
    'problems.get': ({ id, version }) => this.store.getProblem(id, version),
    'problems.save': ({ definition }) => this.store.saveProblem(definition),
    'runs.list': (q) => this.store.listRuns(q),
    'runs.get': ({ id }) => this.store.getRun(id),
    'runs.metrics': ({ id, afterStep, maxPoints, smoothing }) => {
      return this.store.metrics(id, {
        ...(afterStep !== undefined ? { afterStep } : {}),
        ...(maxPoints !== undefined ? { maxPoints } : {}),
        ...(smoothing !== undefined ? { smoothing } : {}),
      });
    },
    'runs.events': ({ id, afterId, limit }) => this.store.listEvents(id, afterId, limit),
    'runs.snapshots': ({ id }) => this.store.listSnapshots(id),
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
      const merged = schedule ? mergeObjects(parent.schedule, schedule) : (parent.schedule as unknown as Record<string, unknown>);
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
    'runs.export': ({ ids }) => ids.map((id) => this.store.exportRun(id)),
    'runs.import': ({ runs }) => {
      const ids = runs.map((r) => this.store.importRun(r));
      for (const id of ids) this.changed(this.store.getRunSummary(id));
      return { ids };
    },
    'snapshots.get': ({ id }) => this.store.getSnapshot(id),
    'architectures.list': () => this.store.listArchitectures(),
    'architectures.get': ({ id }) => this.store.getArchitecture(id),
    'architectures.save': (p) => this.store.saveArchitecture(p),
    'architectures.delete': ({ id }) => {
      this.store.deleteArchitecture(id);
      return { ok: true as const };
    },
    'hyperSets.list': () => this.store.listHyperSets(),
    'hyperSets.save': (p) => {
      validSchedule(p.schedule); // refuse a set no run could use
      return this.store.saveHyperSet(p);
    },
    'hyperSets.delete': ({ id }) => {
      this.store.deleteHyperSet(id);
      return { ok: true as const };
    },
    'views.list': () => this.store.listViews(),
    'views.save': (p) => this.store.saveView(p),
    'views.delete': ({ id }) => {
      this.store.deleteView(id);
      return { ok: true as const };
    },
    'comparisons.list': () => this.store.comparisons.list(),
    'comparisons.get': ({ id }) => this.store.comparisons.get(id),
    'comparisons.save': (p) => this.store.comparisons.save(p),
    'comparisons.delete': ({ id }) => {
      this.store.comparisons.delete(id);
      return { ok: true as const };
    },
  };
}
