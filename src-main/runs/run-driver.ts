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
import { parseSchedule, type Schedule } from '../../src-shared/synthesis/schedule';
import { parseProblem, type Problem } from '../../src-shared/problems/problem';
import { defaultProblem, startCircuit } from '../../src-shared/synthesis/start';
import { synthesize, type CircuitSnapshot, type SynthesisControl, type SynthesisResult } from '../../src-shared/synthesis/synthesize';
import type { Trainer } from '../../src-shared/synthesis/trainer';
import { makeTrainer } from '../synthesis/trainers';
import type { FromWorker, RunJob } from './protocol';

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
}

export class RunDriver {
  private seq = 0;
  private metrics: Metric[] = [];
  private lastFlush = 0;
  private lastYield = 0;
  private t0 = 0;
  private stopRequested = false;
  private diverged = false;
  private paused = false;
  private wake: (() => void) | undefined;
  private controls: SynthesisControl[] = [];
  readonly schedule: Schedule;
  /** The problem the run solves (the job's, or the duplicate detector). */
  readonly problem: Problem;
  /** Added to every reported step (a run continuing from its own snapshot). */
  private readonly offset: number;

  constructor(
    private readonly job: RunJob,
    private readonly send: (m: FromWorker) => void,
    private readonly opts: DriverOptions = {},
  ) {
    this.schedule = parseSchedule(job.schedule);
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

  private snapshot(s: CircuitSnapshot): void {
    // a snapshot is only worth keeping if its loss is a number
    if (!Number.isFinite(s.preregLoss)) return;
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
          if (!Number.isFinite(m.loss) || !Number.isFinite(m.preregLoss)) this.diverged = true;
        },
        onEvent: (e) => {
          this.flush();
          const shifted = { ...e, step: e.step + this.offset } as unknown as Record<string, unknown> & { kind: string };
          this.post({ kind: 'event', step: e.step + this.offset, event: shifted });
        },
        ...(this.opts.snapshots === false ? {} : { onSnapshot: (s: CircuitSnapshot) => this.snapshot(s) }),
      });
      this.flush();
      const status = this.diverged ? 'diverged' : this.stopRequested ? 'stopped' : 'completed';
      const reason = this.diverged
        ? 'the training loss stopped being finite'
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
