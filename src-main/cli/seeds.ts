/**
 * `synth --seeds A-B`: independent seeds of one schedule in worker processes (the run
 * processes the lab itself uses, run-worker.ts), at most `workers` at a time. Each seed's
 * circuit goes to `<out-dir>/seed-<n>.json` (prototype matrix format) and, with a database,
 * each seed is recorded as its own run (metrics, events, snapshots) by this process, which
 * holds the database's writer lock. One JSON line per seed as it ends, then a summary line.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { exportPrototypeMatrix } from '../../src-shared/io/prototype-matrix';
import { vectorToMatrix, type Link, type MachineSpec } from '../../src-shared/machine/spec';
import type { Problem } from '../../src-shared/problems/problem';
import { taskOf, TeacherTargets } from '../../src-shared/problems/targets';
import type { Schedule } from '../../src-shared/synthesis/schedule';
import { startCircuit } from '../../src-shared/synthesis/start';
import { runTestSuite } from '../../src-shared/synthesis/test-suite';
import { ForkLauncher, type RunProcess } from '../runs/launcher';
import { FromWorkerSchema } from '../runs/protocol';
import { RunRecorder } from '../runs/run-recorder';
import type { RunStore } from '../store/run-store';
import { writeTextFile } from './io';

/** The most seeds one command runs. */
export const MAX_SEEDS = 1000;

/**
 * `--seeds`: `A-B` (inclusive) or one seed `N`; seeds from 1 to 2^31 − 1, at most MAX_SEEDS
 * of them, A ≤ B.
 */
export function seedRange(raw: string): number[] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(raw);
  if (!m) throw new InvalidArgumentError(`--seeds must be a seed N or a range A-B of whole numbers, got "${raw}"`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  const max = 2 ** 31 - 1;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 1 || b > max) {
    throw new InvalidArgumentError(`--seeds: seeds must lie in [1, ${max}], got "${raw}"`);
  }
  if (a > b) throw new InvalidArgumentError(`--seeds: the range ${a}-${b} is empty (its start is after its end)`);
  if (b - a + 1 > MAX_SEEDS) throw new InvalidArgumentError(`--seeds: ${b - a + 1} seeds is more than ${MAX_SEEDS}, got "${raw}"`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export interface SeedLine {
  readonly seed: number;
  readonly status: string;
  readonly softLinks: number | null;
  readonly trainLoss: number | null;
  readonly testLoss: number | null;
  readonly testWorst: number | null;
  readonly validationWorst: number | null;
  readonly passed: boolean;
  readonly steps: number;
  readonly seconds: number;
  readonly out: string | null;
  readonly runId?: number;
  readonly error?: string;
}

export interface SeedsSummary {
  readonly seeds: number;
  readonly passed: number;
  readonly links: (number | null)[];
  readonly testWorst: (number | null)[];
  readonly seconds: number[];
}

export interface SeedsOptions {
  readonly seeds: readonly number[];
  readonly workers: number;
  readonly outDir: string | undefined;
  readonly problem: Problem;
  readonly problemVersion: number;
  /** The schedule of seed n. */
  readonly schedule: (seed: number) => Schedule;
  /** Records each seed as a run of this store (its writer lock held by the caller). */
  readonly store?: RunStore;
  readonly name?: string;
  /** Each seed's line as it ends. */
  readonly onLine: (line: SeedLine) => void;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** Runs every seed (at most `workers` at once) and returns the summary; `stop()` ends the running seeds early. */
export class SeedRunner {
  private readonly active = new Set<RunProcess>();
  private stopping = false;

  constructor(private readonly o: SeedsOptions) {}

  stop(): void {
    this.stopping = true;
    for (const p of this.active) p.send({ kind: 'command', command: { kind: 'stop' } });
  }

  async run(): Promise<SeedsSummary> {
    const lines = new Map<number, SeedLine>();
    const queue = [...this.o.seeds];
    if (this.o.outDir) mkdirSync(resolve(this.o.outDir), { recursive: true });
    const worker = async () => {
      for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
        if (this.stopping) break;
        const line = await this.runSeed(seed);
        lines.set(seed, line);
        this.o.onLine(line);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.o.workers, this.o.seeds.length)) }, worker));
    const done = this.o.seeds.filter((s) => lines.has(s)).map((s) => lines.get(s) as SeedLine);
    return {
      seeds: done.length,
      passed: done.filter((l) => l.passed).length,
      links: done.map((l) => l.softLinks),
      testWorst: done.map((l) => l.testWorst),
      seconds: done.map((l) => l.seconds),
    };
  }

  private async runSeed(seed: number): Promise<SeedLine> {
    const schedule = this.o.schedule(seed);
    const started = performance.now();
    const store = this.o.store;
    const run = store?.createRun({
      schedule,
      name: `${this.o.name ?? 'seeds'} seed ${seed}`,
      problem: this.o.problem.name,
      problemVersion: this.o.problemVersion,
      tags: ['cli', 'seeds'],
    });
    const recorder = store && run ? new RunRecorder(store, run.id) : undefined;
    let final: { links: Link[]; weights: Float64Array } | undefined;
    let done: { status: string; reason: string; softLinks: number; trainLoss: number; testLoss: number; testWorst: number } | undefined;
    let error = '';
    let steps = 0;
    const proc = new ForkLauncher().launch();
    this.active.add(proc);
    const exited = new Promise<string>((resolveExit) => {
      proc.onExit((code, signal, stderr) =>
        resolveExit(code === 0 ? '' : `the worker process ended (${signal ?? `code ${code}`}): ${stderr.trim().slice(-500)}`),
      );
    });
    proc.onMessage((raw) => {
      const parsed = FromWorkerSchema.safeParse(raw);
      if (!parsed.success) {
        error ||= 'the worker process sent a malformed message';
        return;
      }
      const m = parsed.data;
      const seq = recorder ? recorder.handle(raw) : m.seq;
      if (seq > 0) proc.send({ kind: 'ack', seq });
      if (m.kind === 'metrics') for (const x of m.metrics) steps = Math.max(steps, x.step);
      else if (m.kind === 'snapshot' && m.reason === 'final') final = { links: m.links, weights: m.weights };
      else if (m.kind === 'done') done = m;
      else if (m.kind === 'error') error = m.message;
    });
    proc.send({
      kind: 'start',
      job: { runId: run?.id ?? seed, schedule, problem: this.o.problem, snapshotEvery: store ? 100 : 0, threads: 0 },
    });
    if (this.stopping) proc.send({ kind: 'command', command: { kind: 'stop' } });
    const exitError = await exited;
    this.active.delete(proc);
    const seconds = round2((performance.now() - started) / 1000);
    if (!done) {
      const why = error || exitError || 'the worker process ended without a result';
      if (recorder && !recorder.finished) recorder.handle({ kind: 'error', seq: 0, message: why });
      return {
        seed,
        status: 'failed',
        softLinks: null,
        trainLoss: null,
        testLoss: null,
        testWorst: null,
        validationWorst: null,
        passed: false,
        steps,
        seconds,
        out: null,
        ...(run ? { runId: run.id } : {}),
        error: why,
      };
    }
    let out: string | null = null;
    let validationWorst: number | null = null;
    let passed = false;
    if (final && done.status !== 'diverged') {
      const spec: MachineSpec = {
        ...startCircuit(schedule.start, schedule.seed, this.o.problem).base,
        trainable: vectorToMatrix(final.links, final.weights),
      };
      const targets = new TeacherTargets(taskOf(this.o.problem));
      validationWorst = finite(runTestSuite(spec, schedule.restarts.validation, targets).worst);
      if (this.o.outDir) out = writeTextFile(join(this.o.outDir, `seed-${seed}.json`), exportPrototypeMatrix(spec.trainable));
      const r = schedule.restarts;
      passed =
        done.status === 'completed' &&
        done.trainLoss <= r.trainLoss &&
        validationWorst !== null &&
        validationWorst <= r.validationWorst &&
        done.softLinks <= r.links;
    }
    return {
      seed,
      status: done.status,
      softLinks: done.softLinks,
      trainLoss: finite(done.trainLoss),
      testLoss: finite(done.testLoss),
      testWorst: finite(done.testWorst),
      validationWorst,
      passed,
      steps,
      seconds,
      out,
      ...(run ? { runId: run.id } : {}),
    };
  }
}
