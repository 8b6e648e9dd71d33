/**
 * Runs one synthesis job and reports it as messages: metric batches, events, snapshots,
 * pause/resume states, and a final `done` (or `error`). Commands (stop, pause, resume,
 * prune, set λ1/lr) arrive through `command()` and take effect between optimiser steps.
 *
 * The same driver runs inside a run's process (child process or Electron utility process)
 * and in-process for `synth --db`.
 */
import type { RunCommand } from '../../src-shared/api/contract';
import type { Metric } from '../../src-shared/api/records';
import type { Circuit } from '../../src-shared/synthesis/circuit';
import type { Schedule } from '../../src-shared/synthesis/schedule';
import { parseProblem, type Problem } from '../../src-shared/problems/problem';
import { defaultProblem, startCircuit } from '../../src-shared/synthesis/start';
import { synthesize, type CircuitSnapshot, type SynthesisControl, type SynthesisResult } from '../../src-shared/synthesis/synthesize';
import type { Trainer } from '../../src-shared/synthesis/trainer';
import { makeTrainer } from '../synthesis/trainers';
import type { FromWorker, ValidRunJob } from './protocol';

type Outgoing = FromWorker extends infer T ? (T extends { seq: number } ? Omit<T, 'seq'> : never) : never;

export interface DriverOptions {
  /** Send metric batches at least this often (ms) while running. */
  readonly flushMs?: number;
  /** …or once this many metrics are waiting. */
  readonly flushCount?: number;
  /** Let the event loop run (so commands can arrive) at least this often (ms). */
  readonly yieldMs?: number;
  readonly trainer?: Trainer;
  /** Report snapshots (default true; each costs one evaluation of the training set). */
  readonly snapshots?: boolean;
  /**
   * Flow control: between steps the run waits while `hasRoom()` is false, until `room()`
   * resolves (the receiver acknowledged enough of what was sent; see outbox.ts).
   */
  readonly flow?: { hasRoom(): boolean; room(): Promise<void> };
}

/** The smallest loss the divergence bound is a multiple of (see RunDriver.divergenceBound). */
export const DIVERGENCE_FLOOR = 1;
export class RunDriver {
  private seq = 0;
  private metrics: Metric[] = [];
  private lastFlush = 0;
  private lastYield = 0;
  private t0 = 0;
  private stopRequested = false;
  /** Set when the run must end because its host is gone: it ends `interrupted` with this reason. */
  private abandoned: string | undefined;
  private diverged = false;
  /** Why the run diverged (set with `diverged`). */
  private divergedBecause = '';
  /** Lowest finite training loss so far, and the first one (the starting loss). */
  private best = Number.POSITIVE_INFINITY;
  private startLoss: number | undefined;
  /** Step of the last snapshot kept before the run diverged. */
  private lastGoodSnapshot: number | undefined;
  private paused = false;
  private wake: (() => void) | undefined;
  private controls: SynthesisControl[] = [];
  readonly schedule: Schedule;
  /** The problem the run solves (the job's, or the duplicate detector). */
  readonly problem: Problem;
  /** Added to every reported step (a run continuing from its own snapshot). */
  private readonly offset: number;

  constructor(
    /** The job, its schedule validated (the worker parses its messages on receipt). */
    private readonly job: ValidRunJob,
    private readonly send: (m: FromWorker) => void,
    private readonly opts: DriverOptions = {},
  ) {
    this.schedule = job.schedule;
    this.problem = job.problem ? parseProblem(job.problem) : defaultProblem();
    this.offset = job.stepOffset ?? 0;
  }

  private post(m: Outgoing): void {
    this.seq++;
    this.send({ ...m, seq: this.seq });
  }

  private flush(): void {
    if (this.metrics.length) {
      this.post({ kind: 'metrics', metrics: this.metrics });
      this.metrics = [];
    }
    this.lastFlush = performance.now();
  }

  command(c: RunCommand): void {
    switch (c.kind) {
      case 'stop':
        this.stopRequested = true;
        this.resumeNow();
        break;
      case 'pause':
        this.paused = true;
        break;
      case 'resume':
        this.resumeNow();
        break;
      case 'prune':
        this.controls.push({ kind: 'prune', threshold: c.threshold });
        break;
      case 'set': {
        const s: { kind: 'set'; lambda1?: number; lr?: number } = { kind: 'set' };
        if (c.lambda1 !== undefined) s.lambda1 = c.lambda1;
        if (c.lr !== undefined) s.lr = c.lr;
        this.controls.push(s);
        break;
      }
    }
  }

  /** The host is gone: end the run at the next step as `interrupted` (what was reported stays recoverable). */
  abandon(reason: string): void {
    this.abandoned ??= reason;
    this.stopRequested = true;
    this.resumeNow();
  }

  private resumeNow(): void {
    this.paused = false;
    this.wake?.();
    this.wake = undefined;
  }

  private async between(): Promise<readonly SynthesisControl[]> {
    const now = performance.now();
    if (now - this.lastFlush >= (this.opts.flushMs ?? 100) || this.metrics.length >= (this.opts.flushCount ?? 500)) this.flush();
    if (now - this.lastYield >= (this.opts.yieldMs ?? 20)) {
      // let commands (IPC messages) in
      await new Promise<void>((r) => setImmediate(r));
      this.lastYield = performance.now();
    }
    const flow = this.opts.flow;
    if (flow && !flow.hasRoom()) {
      // the receiver is behind: wait for its acknowledgements instead of piling up messages
      this.flush();
      while (!flow.hasRoom() && !this.stopRequested) await flow.room();
    }
    if (this.paused && !this.stopRequested) {
      this.flush();
      this.post({ kind: 'state', state: 'paused' });
      await new Promise<void>((r) => {
        this.wake = r;
        if (!this.paused) r();
      });
      this.post({ kind: 'state', state: 'running' });
    }
    const out = this.controls;
    this.controls = [];
    return out;
  }

  private startingCircuit(): Circuit | undefined {
    const r = this.job.resume;
    if (!r) return undefined;
    if (r.links.length !== r.weights.length) throw new Error(`resume: ${r.links.length} links but ${r.weights.length} weights`);
    const base = startCircuit(this.schedule.start, this.schedule.seed, this.problem).base;
    const names = new Set(base.neurons.map((n) => n.name));
    for (const l of r.links) {
      for (const n of [l.to, l.from])
        if (!names.has(n))
          throw new Error(`resume: the snapshot's link ${l.from} → ${l.to} names neuron ${n}, which the schedule's machine does not have`);
    }
    return { base, links: r.links, weights: Float64Array.from(r.weights) };
  }

  /**
   * The loss above which the run counts as diverged: schedule.stop.divergence × max(best,
   * starting loss, DIVERGENCE_FLOOR). The floor keeps a nearly exact start (a loss of 1e-20
   * that training moves to 15) from counting as diverged: only a loss far above an ordinary
   * error does.
   */
  private divergenceBound(): number {
    return this.schedule.stop.divergence * Math.max(this.best, this.startLoss ?? 0, DIVERGENCE_FLOOR);
  }

  /** Watches each step's training loss: not finite, or beyond the divergence bound, ends the run as diverged. */
  private watchLoss(step: number, loss: number, preregLoss: number): void {
    if (this.diverged) return;
    if (!Number.isFinite(loss) || !Number.isFinite(preregLoss)) {
      this.diverged = true;
      this.divergedBecause = `the training loss stopped being finite at step ${step}`;
      return;
    }
    this.startLoss ??= preregLoss;
    if (preregLoss > this.divergenceBound()) {
      this.diverged = true;
      const f = this.schedule.stop.divergence;
      this.divergedBecause =
        `the training loss rose to ${preregLoss.toExponential(3)} at step ${step}, more than ${f}× its best ` +
        `${this.best.toExponential(3)} (or its starting loss ${this.startLoss.toExponential(3)}, or ${DIVERGENCE_FLOOR}; schedule stop.divergence)`;
      return;
    }
    this.best = Math.min(this.best, preregLoss);
  }

  private snapshot(s: CircuitSnapshot): void {
    // a snapshot is only worth keeping if its loss is a number, and not once the run has diverged
    if (!Number.isFinite(s.preregLoss) || this.diverged) return;
    if (this.startLoss !== undefined && s.preregLoss > this.divergenceBound()) return;
    this.lastGoodSnapshot = s.step + this.offset;
    this.flush();
    this.post({
      kind: 'snapshot',
      step: s.step + this.offset,
      reason: s.reason,
      preregLoss: s.preregLoss,
      links: s.links.slice(),
      weights: Float64Array.from(s.weights),
    });
  }

  /** Runs the job to the end; never throws (failures become an `error` message). */
  async run(): Promise<SynthesisResult | undefined> {
    this.t0 = performance.now();
    this.lastFlush = this.t0;
    this.lastYield = this.t0;
    this.post({ kind: 'started', pid: typeof process !== 'undefined' ? process.pid : 0 });
    const trainer = this.opts.trainer ?? makeTrainer(this.schedule, this.job.threads, this.problem);
    try {
      const circuit = this.startingCircuit();
      const result = await synthesize(this.schedule, {
        trainer,
        problem: this.problem,
        ...(circuit ? { circuit } : {}),
        snapshotEvery: this.job.snapshotEvery,
        between: () => this.between(),
        cancelled: () => this.stopRequested || this.diverged,
        onStep: (m) => {
          this.metrics.push({ ...m, step: m.step + this.offset, wallMs: performance.now() - this.t0 });
          this.watchLoss(m.step + this.offset, m.loss, m.preregLoss);
        },
        onEvent: (e) => {
          this.flush();
          this.post({ kind: 'event', step: e.step + this.offset, event: { ...e, step: e.step + this.offset } });
        },
        ...(this.opts.snapshots === false ? {} : { onSnapshot: (s: CircuitSnapshot) => this.snapshot(s) }),
      });
      this.flush();
      const status = this.diverged ? 'diverged' : this.abandoned ? 'interrupted' : this.stopRequested ? 'stopped' : 'completed';
      const reason = this.diverged
        ? `${this.divergedBecause}; ${
            this.lastGoodSnapshot === undefined
              ? 'no snapshot was kept before'
              : `its last good snapshot (step ${this.lastGoodSnapshot}) is kept, later ones are not`
          }`
        : this.abandoned
          ? this.abandoned
          : this.stopRequested
            ? 'stopped on request'
            : `stop rule: ${result.stopReason}`;
      this.post({
        kind: 'done',
        status,
        reason,
        softLinks: result.softLinks,
        trainLoss: finiteOrNull(result.train.preregLoss),
        testLoss: finiteOrNull(result.test.loss),
        testWorst: finiteOrNull(result.test.worst),
      });
      return result;
    } catch (e) {
      this.flush();
      this.post({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      return undefined;
    } finally {
      await trainer.close();
    }
  }
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
