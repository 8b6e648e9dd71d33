/**
 * Sweeps on a real SQLite file with the real supervisor and run processes: a sweep's runs
 * train under its concurrency and end with their points, passed runs and best run as the
 * stored verdicts say; pause, resume, stop and trash act on its runs; bad definitions are
 * refused naming the field, with nothing created.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-shared/api/dispatch';
import type { RunStatus } from '../../src-shared/api/records';
import { openLab, type Lab } from '../../src-main/lab/lab';
import { longSchedule, tempDir, tinySchedule, waitFor } from '../helpers/lab';

let lab: Lab;
const tmp = tempDir();
/** Most runs of each sweep seen going (running or paused) at once. */
const peak = new Map<number, number>();

beforeAll(() => {
  lab = openLab({ db: join(tmp.dir, 'lab.sqlite'), concurrency: 4, snapshotEvery: 50 });
  lab.hub.subscribe((e) => {
    if (e.name !== 'run.changed' || e.data.sweepId === null) return;
    const going = lab.store.sweeps.get(e.data.sweepId).points.filter((p) => p.run.status === 'running' || p.run.status === 'paused').length;
    peak.set(e.data.sweepId, Math.max(peak.get(e.data.sweepId) ?? 0, going));
  });
});
afterAll(async () => {
  await lab.close();
  tmp.cleanup();
});

const create = (params: Record<string, unknown>) => dispatch(lab.service.handlers, 'sweeps.create', params);
const status = (id: number): RunStatus => lab.store.getRunSummary(id).status;
const counts = () => ({
  sweeps: lab.store.db.prepare('SELECT count(*) FROM sweeps').pluck().get() as number,
  runs: lab.store.db.prepare('SELECT count(*) FROM runs').pluck().get() as number,
});

/** Whether the last verdict event of a run passed (read from its events, not from the sweep summary). */
function lastVerdictPassed(runId: number): boolean {
  const verdicts = lab.store.listEvents(runId).filter((e) => e.kind === 'verdict');
  return verdicts.length > 0 && (verdicts[verdicts.length - 1]!.data as { passed: boolean }).passed === true;
}

describe('sweeps with the real supervisor', () => {
  it('runs a grid under its concurrency; points, verdicts, success rate and best run as stored', async () => {
    const reply = await create({
      name: 'grid',
      schedule: tinySchedule(1),
      axes: [
        { kind: 'range', path: 'seed', from: 1, to: 3 },
        { kind: 'values', path: 'optimizer.lr', values: [0.02, 0.05] },
      ],
      concurrency: 2,
    });
    expect(reply.ok).toBe(true);
    const sweep = (reply as { result: { id: number; runs: number } }).result;
    expect(sweep.runs).toBe(6);
    await waitFor('the sweep to finish', () => lab.store.sweeps.summary(sweep.id).finished === 6, 180_000);
    const d = lab.store.sweeps.get(sweep.id);
    expect(peak.get(sweep.id)).toBeLessThanOrEqual(2);
    expect(peak.get(sweep.id)).toBeGreaterThanOrEqual(1);
    expect(d.points.map((p) => p.point)).toEqual([
      { seed: 1, 'optimizer.lr': 0.02 },
      { seed: 1, 'optimizer.lr': 0.05 },
      { seed: 2, 'optimizer.lr': 0.02 },
      { seed: 2, 'optimizer.lr': 0.05 },
      { seed: 3, 'optimizer.lr': 0.02 },
      { seed: 3, 'optimizer.lr': 0.05 },
    ]);
    for (const p of d.points) {
      const run = lab.store.getRun(p.run.id);
      expect(run.status).toBe('completed');
      expect(run.sweepId).toBe(sweep.id);
      // trained by this machine's own supervisor
      expect(run.ranOn).toBe('local');
      expect(run.schedule.seed).toBe(p.point['seed']);
      expect(run.schedule.optimizer.lr).toBe(p.point['optimizer.lr']);
      // the base schedule applies to every point
      expect(run.schedule.dense.steps).toBe(20);
      expect(p.passed).toBe(lastVerdictPassed(p.run.id));
    }
    const passed = d.points.filter((p) => lastVerdictPassed(p.run.id));
    expect(d.passed).toBe(passed.length);
    expect(d.successRate).toBe(passed.length / 6);
    if (passed.length === 0) expect(d.bestRunId).toBeNull();
    else {
      const fewest = Math.min(...passed.map((p) => p.run.softLinks ?? Infinity));
      const best = lab.store.getRunSummary(d.bestRunId!);
      expect(best.softLinks).toBe(fewest);
    }
    // the run list knows each run's sweep
    expect(lab.store.listRuns({}).runs.filter((r) => r.sweepId === sweep.id)).toHaveLength(6);
  });

  it('pause holds its queued runs and pauses the running one; resume and stop act on every run; trash takes them all', async () => {
    const reply = await create({ schedule: longSchedule(1), axes: [{ kind: 'range', path: 'seed', from: 1, to: 3 }], concurrency: 1 });
    expect(reply.ok).toBe(true);
    const id = (reply as { result: { id: number } }).result.id;
    const runs = lab.store.sweeps.runIds(id);
    expect(lab.store.sweeps.summary(id).name).toBe(`sweep ${id}`);
    await waitFor('the first run to train', () => lab.store.metrics(runs[0]!).total > 10);
    expect(status(runs[1]!)).toBe('queued');

    // trashing a sweep whose run trains is refused, and nothing moves
    const early = await dispatch(lab.service.handlers, 'sweeps.control', { id, command: 'trash' });
    expect(early.ok).toBe(false);
    expect(JSON.stringify(early)).toContain(`run ${runs[0]} running`);
    expect(lab.store.getRunSummary(runs[0]!).deletedAt).toBeNull();

    lab.service.handlers['sweeps.control']({ id, command: 'pause' });
    await waitFor('the running run to pause', () => status(runs[0]!) === 'paused');
    lab.supervisor.pump();
    expect(status(runs[1]!)).toBe('queued');
    expect(lab.supervisor.activeRunIds).not.toContain(runs[1]);

    lab.service.handlers['sweeps.control']({ id, command: 'resume' });
    await waitFor('the run to go on', () => status(runs[0]!) === 'running');

    lab.service.handlers['sweeps.control']({ id, command: 'stop' });
    await waitFor('every run to be stopped', () => runs.every((r) => status(r) === 'stopped'), 60_000);
    expect(lab.store.getRunSummary(runs[2]!).statusReason).toBe('stopped before it started');
    expect(lab.store.sweeps.summary(id).state).toBe('stopped');

    const trashed = lab.service.handlers['sweeps.control']({ id, command: 'trash' }) as { deletedAt: number | null };
    expect(trashed.deletedAt).not.toBeNull();
    for (const r of runs) expect(lab.store.getRunSummary(r).deletedAt).not.toBeNull();
    expect(lab.store.sweeps.list().map((s) => s.id)).not.toContain(id);
    expect(lab.store.sweeps.list(true).map((s) => s.id)).toContain(id);
    lab.service.handlers['sweeps.control']({ id, command: 'restore' });
    for (const r of runs) expect(lab.store.getRunSummary(r).deletedAt).toBeNull();
  });

  it('refuses bad definitions naming the field, and creates nothing', async () => {
    const before = counts();
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { axes: [{ kind: 'values', path: 'optimizer.lrr', values: [0.1] }], concurrency: 1 },
        /axes\[0\]\.path: unknown schedule field optimizer\.lrr: optimizer has no field "lrr"/,
      ],
      [
        { axes: [{ kind: 'values', path: 'optimizer.lr', values: [0.01, -1] }], concurrency: 1 },
        /axes: point 1 \(optimizer\.lr=-1\): invalid schedule: optimizer\.lr: must be > 0/,
      ],
      [{ axes: [{ kind: 'range', path: 'seed', from: 1, to: 3 }], concurrency: 0 }, /concurrency/],
      [
        {
          axes: [
            { kind: 'range', path: 'seed', from: 1, to: 101 },
            { kind: 'range', path: 'dense.steps', from: 1, to: 100 },
          ],
          concurrency: 1,
        },
        /confirm: the sweep would make 10100 runs/,
      ],
      [{ problem: 'nope', axes: [{ kind: 'range', path: 'seed', from: 1, to: 2 }], concurrency: 1 }, /nope/],
      [{ axes: [{ kind: 'range', path: 'seed', from: 1, to: 2 }], concurrency: 1, extra: 1 }, /extra/],
    ];
    for (const [params, message] of cases) {
      const r = await create(params);
      expect(r.ok, JSON.stringify(params)).toBe(false);
      expect((r as { error: { message: string } }).error.message).toMatch(message);
      expect(counts()).toEqual(before);
    }
  });
});
