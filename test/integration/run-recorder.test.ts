/**
 * RunRecorder on a real SQLite file: a run's messages are stored (statuses, metrics,
 * events, bit-exact snapshots, figures), a malformed message fails the run and keeps what
 * came before, nothing after `done` changes the final status, and a host shutdown turns a
 * stop into an interruption. Then RunDriver in-process on tiny schedules: its message
 * stream (sequence numbers, contiguous steps) and its commands (stop, pause/resume, prune).
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDriver } from '../../src-main/runs/run-driver';
import type { FromWorker, RunCommand, ValidRunJob } from '../../src-main/runs/protocol';
import { RunRecorder } from '../../src-main/runs/run-recorder';
import { RunStore, type Link } from '../../src-main/store/run-store';
import { API_EVENTS, type ApiEvent } from '../../src-shared/api/contract';
import type { Metric, RunStatus } from '../../src-shared/api/records';
import { defaultSchedule, scheduleFromOverrides } from '../../src-shared/synthesis/schedule';
import { longSchedule, shortSchedule, tempDir } from '../helpers/lab';

const tmp = tempDir('dmm-recorder-');
const store = RunStore.open(join(tmp.dir, 'runs.db'));
afterAll(() => {
  store.close();
  tmp.cleanup();
});

function newRun(emitted: ApiEvent[] = []): { id: number; recorder: RunRecorder } {
  const run = store.createRun({ schedule: defaultSchedule(1) });
  expect(run.status).toBe('queued');
  return { id: run.id, recorder: new RunRecorder(store, run.id, { emit: (e) => emitted.push(e), progressMs: 0 }) };
}

const status = (id: number): RunStatus => store.getRunSummary(id).status;

const metric = (step: number, preregLoss: number, phase: Metric['phase'] = 'dense', softLinks = 3): Metric => ({
  step,
  phase,
  preregLoss,
  loss: preregLoss + 0.01,
  l1: 10,
  lambda1: 0.001,
  softLinks,
  wallMs: step * 2.5,
});

const LINKS: Link[] = [
  { to: 'output', toPort: 'dict-1', from: 'accum-1-1', fromPort: 'dict' },
  { to: 'accum-1-1', toPort: 'dict-2', from: 'input', fromPort: 'char' },
  { to: 'accum-1-1', toPort: 'dict-1', from: 'const_1', fromPort: 'const_1' },
  { to: 'compare-1-1', toPort: 'dict-1', from: 'input', fromPort: 'char' },
];
/** Doubles that a lossy encoding would change: −0, the smallest subnormal, 0.1+0.2, a huge one. */
const WEIGHTS = new Float64Array([-0, 5e-324, 0.1 + 0.2, -1.7976931348623157e308]);
const bytes = (a: Float64Array): number[] => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));

describe('RunRecorder', () => {
  it('stores a whole run: statuses, metrics, events, snapshots and figures', () => {
    const emitted: ApiEvent[] = [];
    const { id, recorder } = newRun(emitted);
    const seen: RunStatus[] = [status(id)];
    const send = (m: FromWorker): number => {
      const seq = recorder.handle(m);
      seen.push(status(id));
      return seq;
    };

    const batch1 = [metric(1, 4), metric(2, 3), metric(3, 3.5)];
    const batch2 = [metric(4, 2, 'sparsify', 2), metric(5, 2.25, 'sparsify', 2)];
    const phase = { kind: 'phase', phase: 'sparsify', step: 3, softLinks: 4 };

    expect(send({ kind: 'started', seq: 1, pid: 1234 })).toBe(1);
    const startedAt = store.getRunSummary(id).startedAt;
    expect(startedAt).not.toBeNull();
    expect(send({ kind: 'metrics', seq: 2, metrics: batch1 })).toBe(2);
    expect(send({ kind: 'event', seq: 3, step: 3, event: phase })).toBe(3);
    expect(send({ kind: 'snapshot', seq: 4, step: 3, reason: 'interval', preregLoss: 3.5, links: LINKS, weights: WEIGHTS })).toBe(4);
    expect(send({ kind: 'state', seq: 5, state: 'paused' })).toBe(5);
    expect(send({ kind: 'state', seq: 6, state: 'running' })).toBe(6);
    expect(send({ kind: 'metrics', seq: 7, metrics: batch2 })).toBe(7);
    expect(
      send({
        kind: 'done',
        seq: 8,
        status: 'completed',
        reason: 'stop rule: target',
        softLinks: 2,
        trainLoss: 2.25,
        testLoss: 0.5,
        testWorst: 0.125,
      }),
    ).toBe(8);

    expect(seen).toEqual(['queued', 'running', 'running', 'running', 'running', 'paused', 'running', 'running', 'completed']);
    expect(recorder.acknowledged).toBe(8);
    expect(recorder.finished).toBe(true);

    const run = store.getRunSummary(id);
    expect(run).toMatchObject({
      status: 'completed',
      statusReason: 'stop rule: target',
      steps: 5,
      finalLoss: 2.25,
      bestLoss: 2,
      softLinks: 2,
      testLoss: 0.5,
      testWorst: 0.125,
      startedAt,
    });
    expect(run.endedAt).not.toBeNull();
    expect(run.endedAt!).toBeGreaterThanOrEqual(startedAt!);

    const stored = store.metrics(id);
    expect(stored.total).toBe(5);
    expect(stored.lastStep).toBe(5);
    expect(stored.points).toEqual([...batch1, ...batch2]);

    const events = store.listEvents(id);
    expect(events.map((e) => e.kind)).toEqual(['phase']);
    expect(events[0]).toMatchObject({ runId: id, step: 3, data: phase });

    const snaps = store.listSnapshots(id);
    expect(snaps).toHaveLength(1);
    expect(snaps[0]).toMatchObject({ runId: id, step: 3, reason: 'interval', softLinks: 4, preregLoss: 3.5 });
    const w = store.getSnapshotWeights(snaps[0]!.id);
    expect(w.links).toEqual(LINKS);
    expect(bytes(w.weights)).toEqual(bytes(WEIGHTS));
    expect(Object.is(w.weights[0], -0)).toBe(true);

    // what the front ends were told, every event valid against the contract
    for (const e of emitted) expect(API_EVENTS[e.name].safeParse(e.data).success, e.name).toBe(true);
    const changes = emitted.filter((e) => e.name === 'run.changed').map((e) => (e.data as { status: RunStatus }).status);
    expect(changes).toEqual(['running', 'paused', 'running', 'completed']);
    const progress = emitted.filter((e) => e.name === 'run.progress').map((e) => e.data as { step: number; stepBudget: number });
    expect(progress.map((p) => p.step)).toEqual([3, 5]);
    expect(progress[0]!.stepBudget).toBe(run.stepBudget);
    expect(emitted.filter((e) => e.name === 'run.event')).toHaveLength(1);
  });

  const started = { kind: 'started', seq: 1, pid: 1 } as const;
  const goodMetrics = { kind: 'metrics', seq: 2, metrics: [metric(1, 5), metric(2, 4)] } as const;
  const goodSnapshot = { kind: 'snapshot', seq: 3, step: 2, reason: 'interval', preregLoss: 4, links: LINKS, weights: WEIGHTS } as const;
  const malformed: [string, unknown, RegExp][] = [
    ['metrics with a string step', { kind: 'metrics', seq: 4, metrics: [{ ...metric(3, 3), step: '3' }] }, /metrics\.0\.step/],
    ['a snapshot whose weights is a plain array', { ...goodSnapshot, seq: 4, step: 3, weights: Array.from(WEIGHTS) }, /weights/],
    ['an unknown kind', { kind: 'teleport', seq: 4 }, /kind/],
    ['a message without a sequence number', { kind: 'state', state: 'paused' }, /seq/],
    ['no object at all', 'hello', /message|kind/],
  ];

  it.each(malformed)('fails the run on %s and keeps what was stored before', (_what, bad, names) => {
    const { id, recorder } = newRun();
    recorder.handle(started);
    recorder.handle(goodMetrics);
    recorder.handle(goodSnapshot);
    expect(recorder.acknowledged).toBe(3);

    expect(recorder.handle(bad)).toBe(0);
    expect(recorder.acknowledged).toBe(3);
    expect(recorder.finished).toBe(true);
    const run = store.getRunSummary(id);
    expect(run.status).toBe('failed');
    expect(run.statusReason).toMatch(/malformed/);
    expect(run.statusReason).toMatch(names);
    expect(run.endedAt).not.toBeNull();
    const errors = store.listEvents(id).filter((e) => e.kind === 'error');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.data['message'])).toMatch(names);

    // everything before it is intact
    expect(store.metrics(id).points).toEqual(goodMetrics.metrics);
    expect(run.steps).toBe(2);
    const snaps = store.listSnapshots(id);
    expect(snaps.map((s) => s.step)).toEqual([2]);
    expect(bytes(store.getSnapshotWeights(snaps[0]!.id).weights)).toEqual(bytes(WEIGHTS));
  });

  it('an error message fails the run with its message', () => {
    const { id, recorder } = newRun();
    recorder.handle(started);
    recorder.handle({ kind: 'error', seq: 2, message: 'out of memory in the trainer' });
    expect(store.getRunSummary(id)).toMatchObject({ status: 'failed', statusReason: 'out of memory in the trainer' });
    expect(store.listEvents(id).map((e) => [e.kind, e.data['message']])).toEqual([['error', 'out of memory in the trainer']]);
  });

  it('nothing after done changes the final status', () => {
    const { id, recorder } = newRun();
    recorder.handle(started);
    recorder.handle(goodMetrics);
    recorder.handle({
      kind: 'done',
      seq: 3,
      status: 'diverged',
      reason: 'the training loss stopped being finite',
      softLinks: 3,
      trainLoss: null,
      testLoss: null,
      testWorst: null,
    });
    const final = store.getRunSummary(id);
    expect(final).toMatchObject({ status: 'diverged', statusReason: 'the training loss stopped being finite' });
    // non-finite test figures are not stored
    expect(final.testLoss).toBeNull();

    const after: unknown[] = [
      { kind: 'metrics', seq: 4, metrics: [metric(3, 1)] },
      { kind: 'event', seq: 5, step: 3, event: { kind: 'phase', phase: 'polish' } },
      { kind: 'state', seq: 6, state: 'running' },
      { kind: 'state', seq: 7, state: 'paused' },
      { kind: 'done', seq: 8, status: 'completed', reason: 'again', softLinks: 1, trainLoss: 1, testLoss: 1, testWorst: 1 },
      { kind: 'error', seq: 9, message: 'late error' },
      { kind: 'started', seq: 10, pid: 2 },
      { kind: 'garbage' },
    ];
    for (const m of after) {
      try {
        recorder.handle(m);
      } catch {
        // the store refuses to move a final run (ApiError 'conflict'); the status is what matters here
      }
      const now = store.getRunSummary(id);
      expect(now.status, JSON.stringify(m)).toBe('diverged');
      expect(now.statusReason).toBe('the training loss stopped being finite');
      expect(now.endedAt).toBe(final.endedAt);
    }
    expect(store.listEvents(id).filter((e) => e.kind === 'error')).toEqual([]);
  });

  // a final run's stored figures do not change, whatever its process still sends
  it('messages after done leave the final run’s figures and metrics alone', () => {
    const { id, recorder } = newRun();
    recorder.handle(started);
    recorder.handle(goodMetrics);
    recorder.handle({
      kind: 'done',
      seq: 3,
      status: 'completed',
      reason: 'stop rule: target',
      softLinks: 3,
      trainLoss: 4,
      testLoss: 0.5,
      testWorst: 0.25,
    });
    const final = store.getRunSummary(id);
    recorder.handle({ kind: 'metrics', seq: 4, metrics: [metric(3, 1), metric(4, 0.5)] });
    recorder.handle({ kind: 'done', seq: 5, status: 'stopped', reason: 'late', softLinks: 1, trainLoss: 9, testLoss: 9, testWorst: 9 });
    expect(store.getRunSummary(id)).toEqual(final);
    expect(store.metrics(id).total).toBe(2);
  });

  it('a stop while the host shuts down becomes interrupted; otherwise it stays stopped', () => {
    const a = newRun();
    a.recorder.handle(started);
    a.recorder.shuttingDown = true;
    a.recorder.handle({
      kind: 'done',
      seq: 2,
      status: 'stopped',
      reason: 'stopped on request',
      softLinks: 3,
      trainLoss: 1,
      testLoss: 1,
      testWorst: 1,
    });
    const ra = store.getRunSummary(a.id);
    expect(ra.status).toBe('interrupted');
    expect(ra.statusReason).not.toBe('');
    expect(ra.statusReason).not.toBe('stopped on request');

    const b = newRun();
    b.recorder.handle(started);
    b.recorder.handle({
      kind: 'done',
      seq: 2,
      status: 'stopped',
      reason: 'stopped on request',
      softLinks: 3,
      trainLoss: 1,
      testLoss: 1,
      testWorst: 1,
    });
    expect(store.getRunSummary(b.id)).toMatchObject({ status: 'stopped', statusReason: 'stopped on request' });

    // shutting down does not turn a completed run into an interrupted one
    const c = newRun();
    c.recorder.handle(started);
    c.recorder.shuttingDown = true;
    c.recorder.handle({
      kind: 'done',
      seq: 2,
      status: 'completed',
      reason: 'stop rule: budget',
      softLinks: 3,
      trainLoss: 1,
      testLoss: 1,
      testWorst: 1,
    });
    expect(store.getRunSummary(c.id).status).toBe('completed');
  });

  it('note() records an event at the current step and announces it', () => {
    const emitted: ApiEvent[] = [];
    const { id, recorder } = newRun(emitted);
    recorder.handle(started);
    recorder.handle(goodMetrics);
    const command: RunCommand = { kind: 'prune', threshold: 0.05 };
    recorder.note('command', { command });
    const events = store.listEvents(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ runId: id, kind: 'command', step: 2, data: { kind: 'command', command } });
    const announced = emitted.filter((e) => e.name === 'run.event');
    expect(announced).toHaveLength(1);
    expect(announced[0]!.data).toEqual(events[0]);
    expect(status(id)).toBe('running');
  });
});

// ---------------------------------------------------------------- RunDriver

type Sent = FromWorker;
type Of<K extends Sent['kind']> = Extract<Sent, { kind: K }>;
const ofKind = <K extends Sent['kind']>(msgs: readonly Sent[], kind: K): Of<K>[] => msgs.filter((m): m is Of<K> => m.kind === kind);
const eventsOf = (msgs: readonly Sent[]) => ofKind(msgs, 'event').map((m) => m.event);
const stepsOf = (msgs: readonly Sent[]): number[] => ofKind(msgs, 'metrics').flatMap((m) => m.metrics.map((x) => x.step));

function job(overrides: Record<string, unknown>): ValidRunJob {
  return { runId: 1, schedule: scheduleFromOverrides(overrides), snapshotEvery: 0, threads: 0 };
}

/** Runs a driver to the end; `react` sees each message as it is sent and may send commands. */
async function drive(j: ValidRunJob, react: (m: Sent, d: RunDriver, all: Sent[]) => void = () => {}): Promise<Sent[]> {
  const all: Sent[] = [];
  const driver: RunDriver = new RunDriver(j, (m) => {
    all.push(m);
    react(m, driver, all);
  });
  const guard = setTimeout(() => driver.command({ kind: 'stop' }), 10_000);
  try {
    await driver.run();
  } finally {
    clearTimeout(guard);
  }
  return all;
}

function expectWellFormedStream(msgs: readonly Sent[]): void {
  expect(msgs[0]!.kind).toBe('started');
  expect(msgs[msgs.length - 1]!.kind).toBe('done');
  expect(ofKind(msgs, 'done')).toHaveLength(1);
  for (let i = 1; i < msgs.length; i++) expect(msgs[i]!.seq).toBeGreaterThan(msgs[i - 1]!.seq);
  const steps = stepsOf(msgs);
  expect(steps.length).toBeGreaterThan(0);
  expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
}

describe('RunDriver', () => {
  it('reports a short run as a well-formed stream that the recorder stores completely', async () => {
    const msgs = await drive(job(shortSchedule(1)));
    expectWellFormedStream(msgs);
    expect(ofKind(msgs, 'metrics').length).toBeGreaterThan(1); // several batches
    const done = ofKind(msgs, 'done')[0]!;
    expect(done.status).toBe('completed');
    expect(ofKind(msgs, 'error')).toEqual([]);
    const lastStep = stepsOf(msgs).at(-1)!;
    // the schedule's budget (500) plus its polish (20) bounds the steps
    expect(lastStep).toBeLessThanOrEqual(520);

    // through a recorder into the store: nothing lost
    const run = store.createRun({ schedule: scheduleFromOverrides(shortSchedule(1)) });
    const recorder = new RunRecorder(store, run.id);
    for (const m of msgs) expect(recorder.handle(m)).toBe(m.seq);
    const stored = store.getRunSummary(run.id);
    expect(stored.status).toBe('completed');
    expect(stored.steps).toBe(lastStep);
    expect(stored.softLinks).toBe(done.softLinks);
    expect(store.metrics(run.id).total).toBe(lastStep);
    expect(store.listEvents(run.id)).toHaveLength(ofKind(msgs, 'event').length);
    const snapMsgs = ofKind(msgs, 'snapshot');
    const snaps = store.listSnapshots(run.id);
    expect(snaps.map((s) => [s.step, s.reason])).toEqual(snapMsgs.map((s) => [s.step, s.reason]));
    const last = snapMsgs.at(-1)!;
    expect(bytes(store.getSnapshotWeights(snaps.at(-1)!.id).weights)).toEqual(bytes(last.weights as Float64Array));
  });

  it('a stop after the first metrics ends the run as stopped', async () => {
    let stopAt = 0;
    const msgs = await drive(job(longSchedule(2)), (m, d) => {
      if (m.kind === 'metrics' && stopAt === 0) {
        stopAt = m.metrics.at(-1)!.step;
        d.command({ kind: 'stop' });
      }
    });
    expectWellFormedStream(msgs);
    const done = ofKind(msgs, 'done')[0]!;
    expect(done.status).toBe('stopped');
    expect(done.reason).toMatch(/stop/);
    // it ends promptly, far before the schedule's 200 000 steps
    expect(stepsOf(msgs).at(-1)!).toBeLessThan(stopAt + 50);
  });

  it('pause then resume emits state paused then running, and no steps while paused', async () => {
    let paused = false;
    let stopped = false;
    let resumedAtStep = 0;
    const msgs = await drive(job(longSchedule(3)), (m, d, all) => {
      if (m.kind === 'metrics' && !paused) {
        paused = true;
        d.command({ kind: 'pause' });
      } else if (m.kind === 'state' && m.state === 'paused') {
        setTimeout(() => d.command({ kind: 'resume' }), 50);
      } else if (m.kind === 'state' && m.state === 'running') {
        resumedAtStep = stepsOf(all).at(-1)!;
      } else if (m.kind === 'metrics' && resumedAtStep > 0 && !stopped) {
        stopped = true;
        d.command({ kind: 'stop' });
      }
    });
    expectWellFormedStream(msgs);
    const states = ofKind(msgs, 'state').map((m) => m.state);
    expect(states).toEqual(['paused', 'running']);
    const iPaused = msgs.findIndex((m) => m.kind === 'state' && m.state === 'paused');
    const iRunning = msgs.findIndex((m) => m.kind === 'state' && m.state === 'running');
    expect(iRunning).toBe(iPaused + 1); // nothing while paused
    expect(stepsOf(msgs).at(-1)!).toBeGreaterThan(resumedAtStep); // it trained again after resuming
    expect(ofKind(msgs, 'done')[0]!.status).toBe('stopped');
  });

  it('a prune above every weight is recorded (control, prune) and later metrics have fewer soft links', async () => {
    const threshold = 1e9;
    let sent = false;
    const msgs = await drive(job(longSchedule(4)), (m, d) => {
      if (m.kind === 'metrics' && !sent) {
        sent = true;
        d.command({ kind: 'prune', threshold });
      }
      if (m.kind === 'metrics' && m.metrics.at(-1)!.step > 5000) d.command({ kind: 'stop' }); // safety net
    });
    expectWellFormedStream(msgs);
    const events = eventsOf(msgs);
    const control = events.find((e) => e.kind === 'control');
    expect(control).toMatchObject({ control: { kind: 'prune', threshold } });
    const iControl = msgs.findIndex((m) => m.kind === 'event' && m.event.kind === 'control');
    const iPrune = msgs.findIndex((m) => m.kind === 'event' && m.event.kind === 'prune');
    expect(iPrune).toBeGreaterThan(iControl);
    const prune = (msgs[iPrune] as Of<'event'>).event as unknown as { threshold: number; removed: unknown[]; linksBefore: number };
    expect(prune.threshold).toBe(threshold);
    // every weight is below the threshold: every link goes
    expect(prune.linksBefore).toBeGreaterThan(0);
    expect(prune.removed).toHaveLength(prune.linksBefore);

    const linksBefore = ofKind(msgs.slice(0, iControl), 'metrics').flatMap((m) => m.metrics.map((x) => x.softLinks));
    const linksAfter = ofKind(msgs.slice(iPrune), 'metrics').flatMap((m) => m.metrics.map((x) => x.softLinks));
    expect(linksBefore.length).toBeGreaterThan(0);
    expect(linksAfter.length).toBeGreaterThan(0);
    expect(Math.max(...linksAfter)).toBeLessThan(Math.min(...linksBefore));
    expect(linksAfter.every((n) => n === 0)).toBe(true);
    // a snapshot of the pruned circuit
    expect(ofKind(msgs, 'snapshot').some((s) => s.reason === 'prune' && s.links.length === 0)).toBe(true);
  });
});
