/**
 * The run supervisor: one process per run, a queue with a concurrency limit, commands to
 * running runs, and faults handled so that nothing already stored is lost — a process that
 * dies fails or interrupts its run and the queue moves on; a restart of the host finds runs
 * it left running and marks them interrupted.
 *
 * The queue is the store: runs with status `queued`, oldest first, so it survives restarts.
 */
import { availableParallelism } from 'node:os';
import type { ApiEvent, RunCommand } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/api/dispatch';
import { isFinalStatus } from '../../src-shared/api/records';
import type { RunStore } from '../store/run-store';
import type { ProcessLauncher, RunProcess } from './launcher';
import type { RunJob } from './protocol';
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
}

interface Active {
  readonly process: RunProcess;
  readonly recorder: RunRecorder;
  readonly exited: Promise<void>;
  stopping: boolean;
}

export class Supervisor {
  private readonly active = new Map<number, Active>();
  private closed = false;
  readonly concurrency: number;

  constructor(
    private readonly store: RunStore,
    private readonly launcher: ProcessLauncher,
    private readonly opts: SupervisorOptions = {},
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? availableParallelism() - 1);
  }

  /** After a restart: runs left running or paused by a previous host are interrupted; queued ones start. */
  recover(): number[] {
    const ids = this.store.markInterrupted('the lab was closed or crashed while the run was going');
    for (const id of ids) this.opts.emit?.({ name: 'run.changed', data: this.store.getRunSummary(id) });
    this.pump();
    return ids;
  }

  /** Starts queued runs while there is room. */
  pump(): void {
    if (this.closed) return;
    for (const id of this.store.queuedRunIds()) {
      if (this.active.size >= this.concurrency) break;
      if (!this.active.has(id)) this.launch(id);
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
    const job: RunJob = {
      runId,
      schedule: run.schedule,
      problem: this.store.runProblem(runId).problem,
      snapshotEvery: this.opts.snapshotEvery ?? 100,
      threads: this.opts.threads ?? 0,
      stepOffset: 0,
    };
    if (run.parentSnapshotId !== null) {
      const s = this.store.getSnapshot(run.parentSnapshotId);
      // a run continuing from its own snapshot numbers its steps on from there
      return { ...job, resume: s.weights, stepOffset: s.runId === runId ? s.step : 0 };
    }
    return job;
  }

  private launch(runId: number): void {
    const recorder = new RunRecorder(this.store, runId, this.opts.emit ? { emit: this.opts.emit } : {});
    let job: RunJob;
    try {
      job = this.job(runId);
    } catch (e) {
      recorder.fail(`cannot start: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const proc = this.launcher.launch(runId);
    let resolveExit!: () => void;
    const exited = new Promise<void>((r) => (resolveExit = r));
    const a: Active = { process: proc, recorder, exited, stopping: false };
    this.active.set(runId, a);
    proc.onMessage((m) => {
      try {
        const seq = recorder.handle(m);
        if (seq > 0) proc.send({ kind: 'ack', seq });
        if (recorder.finished && !a.stopping) {
          // a malformed message failed the run: end its process
          const status = this.store.getRunSummary(runId).status;
          if (status === 'failed') proc.kill('SIGKILL');
        }
      } catch (e) {
        // the store refused a write (e.g. disk full): the run cannot go on safely
        recorder.fail(`storing the run's report failed: ${e instanceof Error ? e.message : String(e)}`);
        proc.kill('SIGKILL');
      }
    });
    proc.onExit((code, signal, stderr) => {
      this.active.delete(runId);
      if (!recorder.finished) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        if (signal)
          recorder.finish(a.stopping ? 'stopped' : 'interrupted', `the run's process was killed (${signal})${tail ? `: ${tail}` : ''}`);
        else recorder.finish('failed', `the run's process exited with code ${code} before finishing${tail ? `: ${tail}` : ''}`);
      }
      resolveExit();
      this.pump();
    });
    proc.send({ kind: 'start', job });
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
