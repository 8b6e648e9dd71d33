/**
 * The lab's sweep writes: creating a sweep (every point's schedule validated before
 * anything is stored, then the sweep and its runs in one transaction) and acting on a
 * sweep's runs (pause, resume, stop, trash, restore). Reading sweeps is in read-handlers.ts.
 */
import type { ApiEvent, ApiHandlers, SweepCommand } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/api/dispatch';
import type { SweepSummary } from '../../src-shared/api/sweep-records';
import type { Problem } from '../../src-shared/problems/problem';
import { problemScheduleBase } from '../../src-shared/problems/problem-schedule';
import { mergeOverrides, type Schedule, type ScheduleOverrides } from '../../src-shared/synthesis/schedule';
import {
  checkSweepSize,
  missingField,
  pointLabel,
  setPath,
  sweepPoints,
  SweepSpecError,
  type SweepPoint,
  type SweepSpec,
} from '../../src-shared/sweeps/sweep-spec';
import type { Supervisor } from '../runs/supervisor';
import type { RunStore } from '../store/run-store';

export interface SweepServiceDeps {
  readonly store: RunStore;
  readonly supervisor: Supervisor;
  readonly emit: (e: ApiEvent) => void;
  /** A problem version for a new run or sweep ('bad-request' when there is none). */
  problemOf(id: string, version?: number): { problem: Problem; version: number };
  /** A run's whole schedule from overrides over the problem's defaults ('bad-request' naming the field). */
  validSchedule(overrides: ScheduleOverrides, problem: Problem): Schedule;
}

type SweepHandlers = Pick<ApiHandlers, 'sweeps.create' | 'sweeps.control'>;

const badRequest = (e: unknown): unknown => (e instanceof SweepSpecError ? new ApiError('bad-request', e.message) : e);

/** The schedule of every point, validated; throws (naming the axis or the point and the field) before anything is stored. */
export function pointSchedules(
  spec: SweepSpec,
  problem: Problem,
  validSchedule: SweepServiceDeps['validSchedule'],
): { point: SweepPoint; schedule: Schedule }[] {
  try {
    checkSweepSize(spec);
  } catch (e) {
    throw badRequest(e);
  }
  // an axis must name a field the schedule has (with the base applied: a field of the start kind it chose)
  const base = mergeOverrides(problemScheduleBase(problem), spec.schedule);
  spec.axes.forEach((a, i) => {
    const missing = missingField(base, a.path);
    if (missing) throw new ApiError('bad-request', `axes[${i}].path: unknown schedule field ${a.path}: ${missing}`);
  });
  return sweepPoints(spec).map((point, index) => {
    let overrides: Record<string, unknown> = { ...spec.schedule };
    for (const [path, value] of Object.entries(point)) overrides = setPath(overrides, path, value);
    try {
      return { point, schedule: validSchedule(overrides, problem) };
    } catch (e) {
      if (e instanceof ApiError) throw new ApiError('bad-request', `axes: point ${index} (${pointLabel(point)}): ${e.message}`);
      throw e;
    }
  });
}

export function sweepHandlers(d: SweepServiceDeps): SweepHandlers {
  const changed = (s: SweepSummary): SweepSummary => {
    d.emit({ name: 'sweep.changed', data: s });
    return s;
  };
  const runChanged = (id: number): void => d.emit({ name: 'run.changed', data: d.store.getRunSummary(id) });

  /** Sends `command` to a run, unless it cannot take it now (it ended meanwhile, it is not paused…). */
  const tell = (id: number, command: Parameters<Supervisor['control']>[1]): void => {
    try {
      d.supervisor.control(id, command);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'conflict')) throw e;
    }
  };

  const control = (id: number, command: SweepCommand): SweepSummary => {
    const { store } = d;
    const sweep = store.sweeps.summary(id);
    const open = store.sweeps.unfinished(id);
    switch (command) {
      case 'pause':
        if (sweep.state === 'stopped') throw new ApiError('conflict', `sweep ${id} is stopped: it cannot be paused`);
        store.sweeps.setState(id, 'paused');
        for (const r of open) if (r.status === 'running') tell(r.id, { kind: 'pause' });
        break;
      case 'resume':
        if (sweep.state !== 'paused') throw new ApiError('conflict', `sweep ${id} is ${sweep.state}, not paused`);
        store.sweeps.setState(id, 'active');
        for (const r of open) if (r.status === 'paused') tell(r.id, { kind: 'resume' });
        d.supervisor.pump();
        break;
      case 'stop':
        store.sweeps.setState(id, 'stopped');
        for (const r of open) tell(r.id, { kind: 'stop' });
        break;
      case 'trash': {
        const training = open.filter((r) => r.status !== 'queued');
        if (training.length > 0)
          throw new ApiError(
            'conflict',
            `sweep ${id} has runs still going (${training.map((r) => `run ${r.id} ${r.status}`).join(', ')}): stop the sweep before moving it to the trash`,
          );
        store.sweeps.setState(id, 'stopped');
        for (const r of open) tell(r.id, { kind: 'stop' });
        const ids = store.sweeps.runIds(id);
        store.db.transaction(() => {
          if (ids.length > 0) store.trash(ids);
          store.sweeps.setDeleted(id, true);
        })();
        for (const r of ids) runChanged(r);
        break;
      }
      case 'restore': {
        const ids = store.sweeps.runIds(id);
        store.db.transaction(() => {
          if (ids.length > 0) store.restore(ids);
          store.sweeps.setDeleted(id, false);
        })();
        for (const r of ids) runChanged(r);
        break;
      }
    }
    return changed(store.sweeps.summary(id));
  };

  return {
    'sweeps.create': (spec) => {
      const { problem, version } = d.problemOf(spec.problem, spec.problemVersion);
      const points = pointSchedules(spec, problem, d.validSchedule);
      const sweep = d.store.sweeps.create({
        ...(spec.name !== undefined ? { name: spec.name } : {}),
        problem: spec.problem,
        problemVersion: version,
        spec: spec,
        concurrency: spec.concurrency,
        runs: points.map(({ point, schedule }) => ({
          point,
          problem: spec.problem,
          problemVersion: version,
          schedule,
          estimator: schedule.estimator.kind,
          seed: schedule.seed,
          tags: spec.tags ?? [],
        })),
      });
      for (const r of d.store.sweeps.runIds(sweep.id)) runChanged(r);
      changed(sweep);
      d.supervisor.pump();
      return d.store.sweeps.summary(sweep.id);
    },
    'sweeps.control': ({ id, command }) => control(id, command),
  };
}
