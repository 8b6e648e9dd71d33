/**
 * The supervisor on a real SQLite file with real child processes: four runs at once, stop,
 * pause/resume, kill -9 of a worker, divergence, a snapshot restored exactly, resume from a
 * snapshot with lineage — and afterwards every stored metric and snapshot intact.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src-shared/api/records';
import { TargetCache } from '../../src-shared/problems/duplicates/loss';
import { alphabetOf } from '../../src-shared/synthesis/dataset';
import { SetObjective } from '../../src-shared/synthesis/objective';
import { parseSchedule } from '../../src-shared/synthesis/schedule';
import { startCircuit } from '../../src-shared/synthesis/start';
import { openLab, type Lab } from '../../src-main/lab/lab';
import { isAlive, longSchedule, shortSchedule, tempDir, waitFor } from '../helpers/lab';

let lab: Lab;
const tmp = tempDir();

beforeAll(() => {
  lab = openLab({ db: join(tmp.dir, 'lab.sqlite'), concurrency: 4, snapshotEvery: 200 });
});
afterAll(async () => {
  await lab.close();
  tmp.cleanup();
});

const status = (id: number) => lab.store.getRunSummary(id).status;
const waitStatus = (id: number, s: RunStatus, ms = 60_000) =>
  waitFor(`run ${id} to be ${s} (is ${status(id)})`, () => status(id) === s, ms);
const metricCount = (id: number) => lab.store.metrics(id).total;

/** Every stored metric of a run: steps 1..n with no gap, and the run's step count agrees. */
function expectContiguousMetrics(id: number): number {
  const { points, total } = lab.store.metrics(id);
  points.forEach((p, i) => expect(p.step).toBe(i + 1));
  expect(lab.store.getRunSummary(id).steps).toBe(total);
  return total;
}

describe('supervisor with real processes', () => {
  it('runs four at once; stop, pause/resume and kill -9 each end as they should; the queue goes on', async () => {
    const start = (seed: number, name: string) =>
      lab.service.handlers['runs.start']({ name, problem: 'duplicates', schedule: longSchedule(seed) }) as ReturnType<
        typeof lab.store.getRunSummary
      >;
    const runs = [start(1, 'to stop'), start(2, 'to pause'), start(3, 'to kill'), start(4, 'to finish')];
    const queued = start(5, 'queued fifth');
    const [stopRun, pauseRun, killRun, finishRun] = runs.map((r) => r.id) as [number, number, number, number];
    for (const r of runs) await waitFor(`run ${r.id} to report metrics`, () => metricCount(r.id) > 20);
    expect(lab.supervisor.activeRunIds.sort()).toEqual(runs.map((r) => r.id).sort());
    expect(status(queued.id)).toBe('queued');

    // stop
    lab.service.handlers['runs.control']({ id: stopRun, command: { kind: 'stop' } });
    await waitStatus(stopRun, 'stopped');

    // pause: no progress while paused; resume: progress again
    lab.service.handlers['runs.control']({ id: pauseRun, command: { kind: 'pause' } });
    await waitStatus(pauseRun, 'paused');
    const held = metricCount(pauseRun);
    // nothing to poll for: a paused run must stay put over a while (0.6 s: tens of steps of this run)
    await new Promise((r) => setTimeout(r, 600));
    expect(metricCount(pauseRun)).toBe(held);
    expect(() => lab.service.handlers['runs.control']({ id: pauseRun, command: { kind: 'pause' } })).toThrow(/already paused/);
    lab.service.handlers['runs.control']({ id: pauseRun, command: { kind: 'resume' } });
    await waitStatus(pauseRun, 'running');
    await waitFor('the resumed run to go on', () => metricCount(pauseRun) > held + 20);

    // attended controls are recorded as events and take effect
    lab.service.handlers['runs.control']({ id: pauseRun, command: { kind: 'set', lambda1: 0.0123 } });
    await waitFor('λ1 to change', () => lab.store.metrics(pauseRun).points.some((p) => p.lambda1 === 0.0123));
    const kinds = lab.store.listEvents(pauseRun).map((e) => e.kind);
    expect(kinds).toContain('command');
    expect(kinds).toContain('control');

    // the fifth run starts as soon as a slot is free (the stopped one freed it)
    await waitFor('the queued run to start', () => status(queued.id) === 'running');

    await waitFor('the fifth run to report metrics', () => metricCount(queued.id) > 20);

    // kill -9 a worker mid-run
    const pid = lab.supervisor.pidOf(killRun) as number;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await waitStatus(killRun, 'interrupted');
    expect(lab.store.getRunSummary(killRun).statusReason).toMatch(/killed \(SIGKILL\)/);

    // the others still run; stop them all
    for (const id of [pauseRun, finishRun, queued.id]) lab.service.handlers['runs.control']({ id, command: { kind: 'stop' } });
    for (const id of [pauseRun, finishRun, queued.id]) await waitStatus(id, 'stopped');

    for (const id of [...runs.map((r) => r.id), queued.id]) {
      expect(expectContiguousMetrics(id)).toBeGreaterThan(20);
      for (const s of lab.store.listSnapshots(id)) expect(lab.store.getSnapshotWeights(s.id).weights.length).toBe(s.softLinks);
    }
    expect(lab.store.integrityCheck()).toEqual([]);
  }, 120_000);

  it('a completed run has its figures, events and a final snapshot that reproduces its loss exactly', async () => {
    const run = lab.service.handlers['runs.start']({ problem: 'duplicates', schedule: shortSchedule(7) }) as ReturnType<
      typeof lab.store.getRunSummary
    >;
    await waitStatus(run.id, 'completed');
    const done = lab.store.getRun(run.id);
    expect(done.softLinks).toBeGreaterThan(0);
    expect(done.testWorst).not.toBeNull();
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt as number);
    const kinds = new Set(lab.store.listEvents(run.id).map((e) => e.kind));
    for (const k of ['phase', 'cut', 'verdict', 'stop']) expect(kinds).toContain(k);
    const snaps = lab.store.listSnapshots(run.id);
    expect(snaps.map((s) => s.reason)).toContain('start');
    expect(snaps.map((s) => s.reason)).toContain('final');
    expect(snaps.map((s) => s.reason)).toContain('accept');
    expect(snaps.map((s) => s.reason)).toContain('interval');
    expectContiguousMetrics(run.id);

    // restore each snapshot from the store and evaluate it afresh: the same loss, bit for bit
    const schedule = parseSchedule(done.schedule);
    const base = startCircuit(schedule.start, schedule.seed).base;
    for (const s of snaps) {
      const { links, weights } = lab.store.getSnapshotWeights(s.id);
      const objective = new SetObjective(
        { base, links, weights },
        schedule.training.strings,
        alphabetOf([schedule.training.strings, schedule.testSuite]),
        'exact',
        undefined,
        new TargetCache(),
      );
      expect(objective.evaluate(weights, { l1: 0, l2: 0 }, s.step + 1).preregLoss).toBe(s.preregLoss);
    }
  }, 60_000);

  it('resuming from a snapshot starts a new run with lineage, from exactly those weights', async () => {
    const parent = lab.store.listRuns({ status: ['completed'] }).runs[0]!;
    const snap = lab.store.listSnapshots(parent.id).find((s) => s.reason === 'final')!;
    const child = lab.service.handlers['runs.resumeFrom']({
      snapshotId: snap.id,
      schedule: { dense: { steps: 5 }, stop: { stepBudget: 40 } },
    }) as ReturnType<typeof lab.store.getRunSummary>;
    expect(child.parentRunId).toBe(parent.id);
    expect(child.parentSnapshotId).toBe(snap.id);
    await waitFor(`run ${child.id} to end`, () => ['completed', 'failed'].includes(status(child.id)) && status(child.id));
    expect(lab.store.getRunSummary(child.id).statusReason).not.toMatch(/cannot/);
    const first = lab.store.listSnapshots(child.id).find((s) => s.reason === 'start')!;
    // the child's starting snapshot is the parent's final circuit (after the drop of nothing dead)
    const a = lab.store.getSnapshotWeights(snap.id);
    const b = lab.store.getSnapshotWeights(first.id);
    expect(b.links).toEqual(a.links);
    expect(Buffer.from(b.weights.buffer)).toEqual(Buffer.from(a.weights.buffer));
  }, 60_000);

  it('a stopped run continues from one of its own snapshots, numbering its steps on from there', async () => {
    const run = lab.service.handlers['runs.start']({ problem: 'duplicates', schedule: longSchedule(13) }) as ReturnType<
      typeof lab.store.getRunSummary
    >;
    await waitFor('an interval snapshot', () => lab.store.listSnapshots(run.id).some((s) => s.reason === 'interval' && s.step >= 200));
    lab.service.handlers['runs.control']({ id: run.id, command: { kind: 'stop' } });
    await waitStatus(run.id, 'stopped');
    const stoppedAt = lab.store.getRunSummary(run.id).steps;
    const snap = lab.store.listSnapshots(run.id).find((s) => s.reason === 'interval' && s.step === 200)!;
    expect(stoppedAt).toBeGreaterThan(200);

    // not while a new run started from a later snapshot would lose its origin, and not with a changed schedule
    expect(() => lab.service.handlers['runs.resumeFrom']({ snapshotId: snap.id, continue: true, schedule: { seed: 2 } })).toThrow(
      /keeps its schedule/,
    );

    const again = lab.service.handlers['runs.resumeFrom']({ snapshotId: snap.id, continue: true }) as ReturnType<
      typeof lab.store.getRunSummary
    >;
    expect(again.id).toBe(run.id);
    expect(lab.store.metrics(run.id).total).toBe(200); // the steps after the snapshot are gone…
    await waitFor('the continuation to run past step 260', () => lab.store.getRunSummary(run.id).steps > 260);
    lab.service.handlers['runs.control']({ id: run.id, command: { kind: 'stop' } });
    await waitStatus(run.id, 'stopped');
    expectContiguousMetrics(run.id); // …and new ones follow on without a gap
    const firstNew = lab.store.metrics(run.id).points[200]!;
    // step 201 starts from exactly the snapshot's weights: its loss is the snapshot's
    expect(firstNew.step).toBe(201);
    expect(firstNew.preregLoss).toBe(snap.preregLoss);
    expect(lab.store.listEvents(run.id).map((e) => e.kind)).toContain('continue');
  }, 60_000);

  it('a loss that stops being finite marks the run diverged and keeps only finite snapshots', async () => {
    const schedule = { ...longSchedule(3, 50), optimizer: { lr: 1e300 } };
    const run = lab.service.handlers['runs.start']({ problem: 'duplicates', schedule }) as ReturnType<typeof lab.store.getRunSummary>;
    await waitStatus(run.id, 'diverged');
    const snaps = lab.store.listSnapshots(run.id);
    expect(snaps.length).toBeGreaterThan(0);
    for (const s of snaps) expect(Number.isFinite(s.preregLoss)).toBe(true);
    // it ends at the first step whose loss is not finite, or is beyond the divergence bound (whichever comes first)
    const reason = lab.store.getRunSummary(run.id).statusReason;
    expect(reason).toMatch(/stopped being finite|rose to .* more than 1000× its best/);
    const last = lab.store.metrics(run.id).points.at(-1)!;
    if (/stopped being finite/.test(reason)) expect(last.loss === null || !Number.isFinite(last.loss)).toBe(true);
  }, 60_000);

  it('a worker that cannot start its job fails the run with the reason and leaves the queue running', async () => {
    // a schedule that is valid but whose snapshot names neurons the machine lacks: the resume fails in the worker
    const parent = lab.store.listRuns({ status: ['completed'] }).runs[0]!;
    const snap = lab.store.listSnapshots(parent.id)[0]!;
    const bad = lab.service.handlers['runs.resumeFrom']({
      snapshotId: snap.id,
      schedule: { start: { kind: 'generate', architecture: { layers: 1, copies: 1, types: ['accum'], skip: false, scale: 0.1 } } },
    }) as ReturnType<typeof lab.store.getRunSummary>;
    await waitStatus(bad.id, 'failed');
    expect(lab.store.getRunSummary(bad.id).statusReason).toMatch(/names neuron/);
    const after = lab.service.handlers['runs.start']({ problem: 'duplicates', schedule: shortSchedule(9) }) as ReturnType<
      typeof lab.store.getRunSummary
    >;
    await waitStatus(after.id, 'completed');
  }, 60_000);

  it('every run process ends with its run', async () => {
    const run = lab.service.handlers['runs.start']({ problem: 'duplicates', schedule: longSchedule(11) }) as ReturnType<
      typeof lab.store.getRunSummary
    >;
    await waitStatus(run.id, 'running');
    const pid = await waitFor('a pid', () => lab.supervisor.pidOf(run.id));
    expect(isAlive(pid)).toBe(true);
    lab.service.handlers['runs.control']({ id: run.id, command: { kind: 'stop' } });
    await waitFor('the run process to end', () => !isAlive(pid), 20_000);
    await waitFor('no active runs', () => lab.supervisor.activeRunIds.length === 0);
    expect(status(run.id)).toBe('stopped');
  }, 60_000);
});
