/**
 * The run supervisor: one process per run, a queue with a concurrency limit, commands to
 * running runs, and faults handled so that nothing already stored is lost — a process that
 * dies fails or interrupts its run and the queue moves on; a restart of the host finds runs
 * it left running and marks them interrupted.
 *
 * The queue is the store: runs with status `queued`, oldest first, so it survives restarts.
 *
 * When the database cannot be written (disk full), a run's messages are held in order and
 * not acknowledged — its process keeps them too, and waits once its window is full — and the
 * run is paused; `retryHeld()` stores them once there is room and the runs go on.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { ApiEvent, RunCommand } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/api/dispatch';
import { isFinalStatus } from '../../src-shared/api/records';
import type { RunStore } from '../store/run-store';
import { cannotWriteReason } from '../store/write-errors';
import { LOST_SIGNAL, RAN_LOCALLY, type ProcessLauncher, type RunProcess } from './launcher';
import type { RunJob } from './protocol';
import { recoveryFileName } from './recovery';
import { importRecoveryFiles, type RecoveryReport } from './recovery-import';
import { RunRecorder } from './run-recorder';

export interface SupervisorOptions {
  /** Runs at once (default: cores − 1, at least 1). */
  readonly concurrency?: number;
  /** Interval snapshots every this many steps (default 100). */
  readonly snapshotEvery?: number;
  /** Gradient worker threads inside each run's process (default 0). */
  readonly threads?: number;
  readonly emit?: (e: ApiEvent) => void;
  /** How long a stopping run may take before it is killed (ms). */
  readonly stopGraceMs?: number;
  /**
   * Where run processes write what the host did not acknowledge when they must end without
   * it (recovery.ts); imported by `recover()`. None: such messages are lost.
   */
  readonly recoveryDir?: string;
  /** Messages a run process may have unacknowledged before it waits (default: protocol.ts). */
  readonly window?: number;
  /** How long a run process waits for its last acknowledgements (ms; default: protocol.ts). */
  readonly ackTimeoutMs?: number;
  /** The database could not be written (`reason` for a person); the lab decides what to do (hold, read-only). */
  readonly onCannotWrite?: (reason: string, error: unknown) => void;
  /** New runs start only while this says yes (default: always). */
  readonly canLaunch?: () => boolean;
}

/** Times a run is resumed after losing its process before it is left interrupted. */
const MAX_LOST_RESUMES = 3;

interface Active {
  readonly runId: number;
  /** The sweep the run belongs to (null: none). */
  readonly sweepId: number | null;
  readonly process: RunProcess;
  readonly recorder: RunRecorder;
  readonly exited: Promise<void>;
  stopping: boolean;
  /** Messages not stored yet because the database could not be written, oldest first (not acknowledged). */
  readonly backlog: unknown[];
  /** Paused by the lab because it cannot write (not by a person): resumed when writing works again. */
  heldForDisk: boolean;
  /** The process ended while messages were held: how, applied once they are stored. */
  exit?: { code: number | null; signal: string | null; stderr: string };
}

export class Supervisor {
  private readonly active = new Map<number, Active>();
  /** Runs whose process ended while some of their messages were still held. */
  private readonly heldAfterExit = new Map<number, Active>();
  private closed = false;
  readonly concurrency: number;

  constructor(
    private readonly store: RunStore,
    private readonly launcher: ProcessLauncher,
    private readonly opts: SupervisorOptions = {},
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? availableParallelism() - 1);
  }

  /** What the last `recover()` imported from recovery files. */
  recovered: RecoveryReport[] = [];

  /**
   * After a restart: what run processes left in recovery files is stored first (a run whose
   * `done` is among it ends as it ended); runs still left running or paused by a previous
   * host are interrupted; queued ones start.
   */
  recover(): number[] {
    if (this.opts.recoveryDir) this.recovered = importRecoveryFiles(this.store, this.opts.recoveryDir, this.opts.emit);
    const ids = this.store.markInterrupted('the lab was closed or crashed while the run was going');
    for (const id of ids) this.opts.emit?.({ name: 'run.changed', data: this.store.getRunSummary(id) });
    this.pump();
    return ids;
  }

  /**
   * Starts queued runs while there is room: the lab's concurrency, and each sweep's own
   * (a run of a paused or stopped sweep waits).
   */
  pump(): void {
    if (this.closed || this.opts.canLaunch?.() === false) return;
    const perSweep = new Map<number, number>();
    for (const a of this.active.values()) if (a.sweepId !== null) perSweep.set(a.sweepId, (perSweep.get(a.sweepId) ?? 0) + 1);
    for (const q of this.store.sweeps.queued()) {
      if (this.active.size >= this.concurrency) break;
      if (this.active.has(q.id) || q.held) continue;
      if (q.sweepId !== null) {
        const n = perSweep.get(q.sweepId) ?? 0;
        if (n >= (q.sweepConcurrency ?? Infinity)) continue;
        perSweep.set(q.sweepId, n + 1);
      }
      this.launch(q.id, q.sweepId);
    }
  }

  get activeRunIds(): number[] {
    return [...this.active.keys()];
  }

  /** The process of an active run (for tests and diagnostics). */
  pidOf(runId: number): number | undefined {
    return this.active.get(runId)?.process.pid;
  }

  private job(runId: number): RunJob {
    const run = this.store.getRun(runId);
    const session = randomBytes(6).toString('hex');
    const job: RunJob = {
      runId,
      schedule: run.schedule,
      problem: this.store.runProblem(runId).problem,
      snapshotEvery: this.opts.snapshotEvery ?? 100,
      threads: this.opts.threads ?? 0,
      stepOffset: 0,
      session,
      ...(this.opts.window !== undefined ? { window: this.opts.window } : {}),
      ...(this.opts.ackTimeoutMs !== undefined ? { ackTimeoutMs: this.opts.ackTimeoutMs } : {}),
      ...(this.opts.recoveryDir ? { recoveryFile: recoveryFileName(this.opts.recoveryDir, runId, session) } : {}),
    };
    if (run.parentSnapshotId !== null) {
      const s = this.store.getSnapshot(run.parentSnapshotId);
      // a run continuing from its own snapshot numbers its steps on from there
      return { ...job, resume: s.weights, stepOffset: s.runId === runId ? s.step : 0 };
    }
    return job;
  }

  private launch(runId: number, sweepId: number | null): void {
    let job: RunJob;
    try {
      job = this.job(runId);
    } catch (e) {
      new RunRecorder(this.store, runId, this.opts.emit ? { emit: this.opts.emit } : {}).fail(
        `cannot start: ${e instanceof Error ? e.message : String(e)}`,
      );
      return;
    }
    const recorder = new RunRecorder(this.store, runId, {
      ...(this.opts.emit ? { emit: this.opts.emit } : {}),
      session: job.session ?? '',
    });
    const proc = this.launcher.launch(runId);
    // where it runs: here at once (its 'running' change carries it); a cluster worker's host when it takes the job
    const ranOn = (where: string, announce: boolean) =>
      this.safely(`recording where run ${runId} runs`, () => {
        this.store.setRanOn(runId, where);
        if (announce) this.opts.emit?.({ name: 'run.changed', data: this.store.getRunSummary(runId) });
      });
    if (proc.onRanOn) proc.onRanOn((where) => ranOn(where, true));
    else ranOn(RAN_LOCALLY, false);
    let resolveExit!: () => void;
    const exited = new Promise<void>((r) => (resolveExit = r));
    const a: Active = { runId, sweepId, process: proc, recorder, exited, stopping: false, backlog: [], heldForDisk: false };
    this.active.set(runId, a);
    proc.onMessage((m) => {
      // order is kept: once a message is held, the ones after it wait behind it
      if (a.backlog.length > 0) a.backlog.push(m);
      else if (!this.deliver(a, m)) a.backlog.push(m);
    });
    proc.onExit((code, signal, stderr) => {
      this.active.delete(runId);
      if (a.backlog.length > 0) {
        a.exit = { code, signal, stderr };
        this.heldAfterExit.set(runId, a);
      } else this.recordExit(a, code, signal, stderr);
      resolveExit();
      this.safely('starting queued runs', () => this.pump());
    });
    proc.send({ kind: 'start', job });
  }

  /** Stores one message and acknowledges it; false when the database cannot be written (the message is not stored). */
  private deliver(a: Active, m: unknown): boolean {
    try {
      const seq = a.recorder.handle(m);
      if (seq > 0) a.process.send({ kind: 'ack', seq });
      if (a.recorder.finished && !a.stopping) {
        // a malformed message failed the run: end its process
        const status = this.store.getRunSummary(a.runId).status;
        if (status === 'failed') a.process.kill('SIGKILL');
      }
      return true;
    } catch (e) {
      const why = cannotWriteReason(e);
      if (why) {
        this.opts.onCannotWrite?.(why, e);
        return false;
      }
      this.storeFailed(a.runId, a, e);
      return true;
    }
  }

  private recordExit(a: Active, code: number | null, signal: string | null, stderr: string): void {
    this.safely(`recording the end of run ${a.runId}`, () => {
      if (a.recorder.finished) return;
      if (signal === LOST_SIGNAL && !a.stopping && this.resumeLost(a.runId, stderr)) return;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      if (signal)
        a.recorder.finish(a.stopping ? 'stopped' : 'interrupted', `the run's process was killed (${signal})${tail ? `: ${tail}` : ''}`);
      else a.recorder.finish('failed', `the run's process exited with code ${code} before finishing${tail ? `: ${tail}` : ''}`);
    });
  }

  /**
   * A run whose process was lost with its machine (LOST_SIGNAL) goes back to the queue from
   * its last snapshot — metrics after it are replaced, the event says why — so it resumes on
   * whichever worker is free. False (the run then ends interrupted) when it has no snapshot
   * or was resumed MAX_LOST_RESUMES times already.
   */
  private resumeLost(runId: number, why: string): boolean {
    const snaps = this.store.listSnapshots(runId);
    const last = snaps.reduce<(typeof snaps)[number] | undefined>((b, s) => (b === undefined || s.step >= b.step ? s : b), undefined);
    if (!last) return false;
    const resumes = this.store.listEvents(runId).filter((e) => e.kind === 'resume').length;
    if (resumes >= MAX_LOST_RESUMES) return false;
    const reason = `its process was lost: ${why}`;
    // one transaction: nobody sees the run interrupted in between
    const e = this.store.db.transaction(() => {
      this.store.setStatus(runId, 'interrupted', reason, { endedAt: Date.now() });
      this.store.reopenRun(runId, last.id);
      return this.store.appendEvent(runId, {
        step: last.step,
        kind: 'resume',
        data: { kind: 'resume', reason, fromStep: last.step, snapshotId: last.id, attempt: resumes + 1 },
      });
    })();
    this.opts.emit?.({ name: 'run.event', data: e });
    this.opts.emit?.({ name: 'run.changed', data: this.store.getRunSummary(runId) });
    return true;
  }

  /**
   * The database cannot be written: every active run is paused (unless a person paused it
   * already) with `reason`, its messages held. Nothing is lost: what is held is also kept,
   * unacknowledged, by the run's process.
   */
  holdAll(reason: string): void {
    for (const a of this.active.values()) {
      if (a.heldForDisk || a.recorder.finished || a.stopping) continue;
      a.recorder.holdReason = `held: ${reason}; it goes on when there is space again`;
      if (this.statusOf(a.runId) === 'paused') continue; // a person paused it: it stays paused
      a.heldForDisk = true;
      a.process.send({ kind: 'command', command: { kind: 'pause' } });
      this.safely(`pausing run ${a.runId}`, () => a.recorder.hold());
    }
  }

  /**
   * Stores what was held, in order; true once nothing is held any more (then held runs go
   * on), false when the database still cannot be written.
   */
  retryHeld(): boolean {
    for (const a of [...this.active.values(), ...this.heldAfterExit.values()]) {
      while (a.backlog.length > 0) {
        if (!this.deliver(a, a.backlog[0])) return false;
        a.backlog.shift();
      }
      if (a.exit && this.heldAfterExit.get(a.runId) === a) {
        this.heldAfterExit.delete(a.runId);
        this.recordExit(a, a.exit.code, a.exit.signal, a.exit.stderr);
      }
    }
    for (const a of this.active.values()) {
      a.recorder.holdReason = undefined;
      if (!a.heldForDisk) continue;
      a.heldForDisk = false;
      if (!a.recorder.finished && !a.stopping) a.process.send({ kind: 'command', command: { kind: 'resume' } });
    }
    return true;
  }

  /** Messages held (not stored yet) over all runs. */
  get heldMessages(): number {
    let n = 0;
    for (const a of [...this.active.values(), ...this.heldAfterExit.values()]) n += a.backlog.length;
    return n;
  }

  private statusOf(runId: number): string | undefined {
    try {
      return this.store.getRunSummary(runId).status;
    } catch {
      return undefined;
    }
  }

  /**
   * The store refused to write what a run reported. The run cannot go on safely: it is
   * failed (if even that can be written) and its process ended; what it had not had
   * acknowledged stays in its process's recovery file.
   */
  private storeFailed(runId: number, a: Active, e: unknown): void {
    const why = e instanceof Error ? e.message : String(e);
    this.safely(`recording the failure of run ${runId}`, () => a.recorder.fail(`storing the run's report failed: ${why}`));
    a.process.kill('SIGKILL');
  }

  /** Runs `f`; an error is reported on stderr (and a database that cannot be written to the lab) instead of ending the host. */
  private safely(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      const why = cannotWriteReason(e);
      if (why) this.opts.onCannotWrite?.(why, e);
      process.stderr.write(`lab: ${what} failed: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  /** Stop, pause, resume, prune now, set λ1 / learning rate; each recorded as an event. */
  control(runId: number, command: RunCommand): void {
    const run = this.store.getRunSummary(runId);
    const a = this.active.get(runId);
    if (!a) {
      if (command.kind === 'stop' && run.status === 'queued') {
        this.store.appendEvent(runId, { step: 0, kind: 'command', data: { kind: 'command', command } });
        const changed = this.store.setStatus(runId, 'stopped', 'stopped before it started', { endedAt: Date.now() });
        this.opts.emit?.({ name: 'run.changed', data: changed });
        return;
      }
      throw new ApiError('conflict', `run ${runId} is ${run.status}: it cannot take "${command.kind}" now`);
    }
    if (command.kind === 'pause' && run.status === 'paused') throw new ApiError('conflict', `run ${runId} is already paused`);
    if (command.kind === 'resume' && run.status !== 'paused') throw new ApiError('conflict', `run ${runId} is not paused`);
    if (command.kind === 'resume' && a.heldForDisk)
      throw new ApiError('conflict', `run ${runId} is held because the database cannot be written; it goes on when there is space again`);
    a.recorder.note('command', { command });
    if (command.kind === 'stop') {
      a.stopping = true;
      const grace = this.opts.stopGraceMs ?? 10_000;
      setTimeout(() => {
        if (this.active.get(runId) === a) a.process.kill('SIGKILL');
      }, grace).unref();
    }
    a.process.send({ kind: 'command', command });
  }

  /** Resolves when the run's process has ended (immediately if it is not active). */
  async whenExited(runId: number): Promise<void> {
    await this.active.get(runId)?.exited;
  }

  /** Stops everything: running runs are asked to stop and end as `interrupted` if they must be killed. */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    const all = [...this.active.entries()];
    for (const [, a] of all) {
      a.stopping = true;
      a.recorder.shuttingDown = true;
      a.process.send({ kind: 'command', command: { kind: 'stop' } });
    }
    const timer = setTimeout(() => {
      for (const [id, a] of all) {
        if (this.active.get(id) === a) a.process.kill('SIGKILL');
      }
    }, graceMs);
    await Promise.all(all.map(([, a]) => a.exited));
    clearTimeout(timer);
  }

  /** A run is in a final status or not active here. */
  isIdle(runId: number): boolean {
    return !this.active.has(runId) && isFinalStatus(this.store.getRunSummary(runId).status);
  }
}
