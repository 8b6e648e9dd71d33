import type { Command } from 'commander';
import { documentToSpec } from '../../../src-shared/editor/document';
import { generateRecurrent } from '../../../src-shared/editor/generators';
import { ENGINES, backendFor, type EngineName } from '../../../src-shared/machine/engine-choice';
import { Adam } from '../../../src-shared/optim/adam';
import { DEFAULT_LOSS, DetectorLoss, TargetCache, TRAINING_STRING } from '../../../src-shared/problems/duplicates/loss';
import { alphabetOf, DEFAULT_TRAINING_SET } from '../../../src-shared/synthesis/dataset';
import { trainStep } from '../../../src-shared/training/train';
import { Rng } from '../../../src-shared/util/rng';
import { oneOf, positiveInt, printJson, readMatrixFile } from '../io';
import { fixturePath } from '../paths';

/** Seconds per step of the 2022 Julia/Zygote prototype on the same task (spec §5: 45–64 s). */
const PROTOTYPE_STEP_SECONDS = 45;
/** Candidates of the batch figure (an evolution-strategies population). */
const POPULATION = 64;

interface BenchOptions {
  runs: number;
  warmup: number;
  matrix?: string;
  engine?: EngineName;
  recurrent?: boolean;
  json?: boolean;
}

/** Copies and cycles of the fully recurrent starts timed by `bench --recurrent`. */
const RECURRENT_COPIES = [5, 10, 20];
const RECURRENT_CYCLES = [140, 1000];

/** Step times of the fully recurrent start (every interneuron port linked from every output) per size and engine. */
function benchRecurrent(o: BenchOptions, engines: EngineName[]): void {
  const targets = new TargetCache();
  for (const copies of RECURRENT_COPIES) {
    const spec = documentToSpec(generateRecurrent({ copies, seed: 1 }));
    for (const cycles of RECURRENT_CYCLES) {
      for (const engine of engines) {
        const loss = new DetectorLoss(spec, [TRAINING_STRING], targets, engine);
        const w = loss.machine.paramVector(spec.trainable);
        const grad = new Float64Array(w.length);
        const adam = new Adam(w.length);
        const settings = { ...DEFAULT_LOSS, cycles };
        const runs = Math.max(3, Math.min(o.runs, Math.round(2000 / (cycles * copies))));
        // three warm-up steps: WebAssembly code is first run unoptimised and switches to its
        // optimised version only on a later call, once compiled in the background
        const step = () => trainStep(loss, w, adam, TRAINING_STRING, settings, grad);
        const stepMs = time(step, runs, 3);
        const stepCpuMs = cpuTime(step, runs, 0);
        const backend = loss.fast === undefined ? 'compiled' : (backendFor(engine)?.name ?? 'ts');
        const row = {
          recurrent: true,
          copies,
          cycles,
          softLinks: w.length,
          engine,
          backend,
          stepMs: round(stepMs),
          stepCpuMs: round(stepCpuMs),
          runs,
        };
        if (o.json) printJson(row);
        else
          console.log(
            `recurrent ×${copies} (${w.length} soft links), ${cycles} cycles, ${engine}: ${row.stepMs} ms per step (${row.stepCpuMs} ms of CPU time)`,
          );
      }
    }
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median time of `f` in ms over `runs` runs after `warmup` untimed ones. */
function time(f: () => void, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

/**
 * Median CPU time of `f` in ms (this process's user + system time) over `runs` runs: on a
 * shared machine, what a run costs the core it ran on, without the time other processes
 * held that core.
 */
function cpuTime(f: () => void, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    f();
    const used = process.cpuUsage(before);
    ts.push((used.user + used.system) / 1000);
  }
  return median(ts);
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('median time of one forward loss and one training step on the 1486-weight machine, per engine')
    .option('--runs <n>', 'timed repetitions', positiveInt('--runs'), 50)
    .option('--warmup <n>', 'untimed repetitions first', positiveInt('--warmup'), 20)
    .option('--matrix <file>', 'matrix to time (default: the prototype initial-matrix.json)')
    .option('--engine <name>', `time one engine only (${ENGINES.join(' | ')}; default: all)`, oneOf('--engine', ENGINES))
    .option(
      '--recurrent',
      `step times of the fully recurrent start at ${RECURRENT_COPIES.join('/')} copies and ${RECURRENT_CYCLES.join('/')} cycles instead`,
    )
    .option('--json', 'print one JSON object per engine')
    .action((o: BenchOptions) => {
      if (o.recurrent) {
        benchRecurrent(o, o.engine ? [o.engine] : ['fast', 'compiled']);
        return;
      }
      const file = o.matrix ?? fixturePath('initial-matrix.json');
      const spec = readMatrixFile(file);
      const engines: EngineName[] = o.engine ? [o.engine] : ['fast', 'fast-ts', 'compiled'];
      const targets = new TargetCache();
      const set = DEFAULT_TRAINING_SET;
      for (const engine of engines) {
        const loss = new DetectorLoss(spec, [TRAINING_STRING], targets, engine);
        const w0 = loss.machine.paramVector(spec.trainable);
        const w = Float64Array.from(w0);
        const grad = new Float64Array(w.length);
        const adam = new Adam(w.length);
        const forwardMs = time(() => loss.evaluate(w0, TRAINING_STRING, DEFAULT_LOSS), o.runs, o.warmup);
        const stepMs = time(() => trainStep(loss, w, adam, TRAINING_STRING, DEFAULT_LOSS, grad), o.runs, o.warmup);

        // a population of perturbed weight vectors, each one forward evaluation (candidate lanes on the fast engine)
        const rng = new Rng(7);
        const population = Array.from({ length: POPULATION }, () => w0.map((x) => x + 0.02 * rng.normal()));
        const batch = () => loss.fitMany(population, TRAINING_STRING, DEFAULT_LOSS.cycles, 'exact');
        const batchRuns = Math.max(3, Math.round(o.runs / 10));
        const batchMs = time(batch, batchRuns, 2);
        const batchCpuMs = cpuTime(batch, batchRuns, 0);

        // one step on the default training set: every string's loss and gradient, then Adam
        const setLoss = new DetectorLoss(spec, alphabetOf([set]), targets, engine);
        const ws = Float64Array.from(w0);
        const gs = new Float64Array(ws.length);
        const adamS = new Adam(ws.length);
        const setStepMs = time(
          () => {
            gs.fill(0);
            for (const s of set) setLoss.fit(ws, s.text, s.cycles, 'exact', gs);
            setLoss.addRegulariserGradient(ws, DEFAULT_LOSS.l1, 0, gs);
            adamS.update(ws, gs);
          },
          Math.max(5, Math.round(o.runs / 5)),
          5,
        );
        const backend = engine === 'compiled' || loss.fast === undefined ? 'compiled' : (backendFor(engine)?.name ?? 'ts');
        const result = {
          engine,
          backend,
          forwardMs: round(forwardMs),
          stepMs: round(stepMs),
          batchEvalsPerSec: Math.round((POPULATION * 1000) / batchMs),
          batchEvalsPerCpuSec: Math.round((POPULATION * 1000) / batchCpuMs),
          trainingSetStepsPerSec: Math.round(1000 / setStepMs),
          ratio: round(stepMs / forwardMs),
          runs: o.runs,
          node: process.version,
          softLinks: w.length,
          cycles: DEFAULT_LOSS.cycles,
          speedupVsPrototype: Math.round((PROTOTYPE_STEP_SECONDS * 1000) / stepMs),
        };
        if (o.json) printJson(result);
        else {
          if (engine === engines[0]) console.log(`machine        ${file} (${w.length} soft links, ${DEFAULT_LOSS.cycles} cycles)`);
          console.log(`engine ${engine} (${backend})`);
          console.log(`  forward loss   ${result.forwardMs} ms (median of ${o.runs})`);
          console.log(`  training step  ${result.stepMs} ms (loss + exact gradient + Adam)`);
          console.log(
            `  batch          ${result.batchEvalsPerSec} forward evaluations/s (population of ${POPULATION}; ${result.batchEvalsPerCpuSec} per CPU second)`,
          );
          console.log(`  training set   ${result.trainingSetStepsPerSec} steps/s (${set.length} strings)`);
          console.log(`  vs prototype   ${result.speedupVsPrototype}× faster than its ${PROTOTYPE_STEP_SECONDS} s per step`);
        }
      }
    });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
