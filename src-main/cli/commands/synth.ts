import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { exportPrototypeMatrix, readPrototypeMatrix } from '../../../src-shared/io/prototype-matrix';
import { DUPLICATES } from '../../../src-shared/problems/builtin/index';
import { frameOf } from '../../../src-shared/problems/problem-frame';
import { setDefaultEngine, type EngineName } from '../../../src-shared/machine/engine-choice';
import { INPUT_PERIOD, drivingSymbols } from '../../../src-shared/machine/neuron-types';
import { inputMode, type Problem } from '../../../src-shared/problems/problem';
import { scheduleForProblem } from '../../../src-shared/problems/problem-schedule';
import type { StepMetrics, SynthesisEvent } from '../../../src-shared/synthesis/events';
import {
  defaultRecurrentStart,
  mergeOverrides,
  recurrentScheduleOverrides,
  ScheduleError,
  type Schedule,
} from '../../../src-shared/synthesis/schedule';
import { RunDriver } from '../../runs/run-driver';
import { RunRecorder } from '../../runs/run-recorder';
import { RunStore } from '../../store/run-store';
import { gradientWorkers } from '../../synthesis/trainers';
import {
  engineOption,
  ignoredLinksNote,
  nonEmptyString,
  oneOf,
  positiveInt,
  printJson,
  readJsonFile,
  takeWriterLock,
  UserError,
  writeTextFile,
} from '../io';
import { SeedRunner, seedRange } from '../seeds';
import { openProblemSource, openStoreFile, problemsOfStore, type FoundProblem } from '../problem-source';
import { SynthProgress } from '../progress';

interface SynthOptions {
  problem: string;
  seed?: number;
  schedule?: string;
  train: string[];
  estimator?: 'gradient' | 'es';
  start?: string;
  out?: string;
  events?: string;
  json?: boolean;
  progress: boolean;
  db?: string;
  name?: string;
  engine: EngineName;
  seeds?: number[];
  workers?: number;
  outDir?: string;
  topology?: 'layered' | 'recurrent';
  copies?: number;
  hardAccumLoop?: boolean;
  softAccumLoop?: boolean;
}

/** Interval snapshots of a recorded run. */
const SNAPSHOT_EVERY = 100;

/** A run recorded in a lab database (created as running; the recorder stores what the driver reports). */
function openRecording(store: RunStore, file: string, schedule: Schedule, name: string | undefined, problem: FoundProblem) {
  const run = store.createRun({
    schedule,
    ...(name ? { name } : {}),
    problem: problem.problem.name,
    problemVersion: problem.version,
    tags: ['cli'],
  });
  return { store, file: resolve(file), runId: run.id, recorder: new RunRecorder(store, run.id) };
}

/** Evolution-strategies settings used by `--estimator es` (spec §6 reference values). */
export function defaultEs(): Extract<Schedule['estimator'], { kind: 'es' }> {
  return { kind: 'es', sigma: 0.02, population: 48, weightDecay: 0, workers: Math.max(1, Math.min(4, availableParallelism() - 1)) };
}

function seedOption(raw: string): number {
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v > 2 ** 31 - 1) {
    throw new InvalidArgumentError(`--seed must be an integer in [0, 2147483647], got "${raw}"`);
  }
  return v;
}

/**
 * The schedule the options describe: the problem's defaults (the default schedule for
 * duplicates), --schedule FILE merged over them, then the flags.
 */
export function scheduleFromOptions(
  o: Pick<SynthOptions, 'seed' | 'schedule' | 'train' | 'estimator' | 'start' | 'topology' | 'copies' | 'hardAccumLoop' | 'softAccumLoop'>,
  problem: Problem,
): Schedule {
  let overrides: Record<string, unknown> = {};
  if (o.schedule) {
    const data = readJsonFile(o.schedule, 'schedule file');
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw new UserError(`schedule file ${o.schedule} must hold a JSON object`);
    overrides = data as Record<string, unknown>;
  }
  const recurrent = recurrentOptions(o);
  if (recurrent) overrides = mergeOverrides(recurrentScheduleOverrides(recurrent), overrides) as Record<string, unknown>;
  const mode = inputMode(problem);
  if (o.train.length) {
    overrides['training'] = { strings: o.train.map((text) => ({ text, cycles: INPUT_PERIOD * drivingSymbols(text, mode).length + 10 })) };
  }
  if (o.estimator === 'es') overrides['estimator'] = defaultEs();
  if (o.estimator === 'gradient') overrides['estimator'] = { kind: 'gradient', gradients: 'exact' };
  if (o.start) {
    const matrix = readJsonFile(o.start, 'starting matrix');
    overrides['start'] = { kind: 'matrix', name: o.start, matrix };
    reportIgnoredLinks(o.start, matrix, problem);
  }
  try {
    return scheduleForProblem(problem, overrides, o.seed);
  } catch (e) {
    if (e instanceof ScheduleError) throw new UserError(`${o.schedule ?? 'the options'}: ${e.message}`);
    throw e;
  }
}

/** Says on stderr which links of a starting matrix the machine ignores (a bad matrix is refused later, naming its path). */
function reportIgnoredLinks(file: string, matrix: unknown, problem: Problem): void {
  try {
    const { ignored } =
      problem.name === DUPLICATES ? readPrototypeMatrix(matrix) : readPrototypeMatrix(matrix, frameOf(problem), problem.search.pushDepth);
    if (ignored.length) process.stderr.write(ignoredLinksNote(file, ignored) + '\n');
  } catch {
    // refused with its reason when the run starts
  }
}

/**
 * The recurrent start `--topology recurrent` asks for (copies, accumulator loop; the other
 * fields are the default recurrent start's), or undefined for the layered default. The
 * recurrent-only flags are refused without it, naming the flag.
 */
function recurrentOptions(o: Pick<SynthOptions, 'topology' | 'copies' | 'hardAccumLoop' | 'softAccumLoop' | 'start'>) {
  if (o.hardAccumLoop && o.softAccumLoop) throw new UserError('--hard-accum-loop and --soft-accum-loop: give one of them');
  if (o.topology !== 'recurrent') {
    for (const [flag, given] of [
      ['--copies', o.copies !== undefined],
      ['--hard-accum-loop', o.hardAccumLoop === true],
      ['--soft-accum-loop', o.softAccumLoop === true],
    ] as const) {
      if (given) throw new UserError(`${flag} goes with --topology recurrent`);
    }
    return undefined;
  }
  if (o.start !== undefined)
    throw new UserError('--topology recurrent and --start: give one of them (a start is a matrix or a generated machine)');
  return {
    ...defaultRecurrentStart(),
    ...(o.copies !== undefined ? { copies: o.copies } : {}),
    accumLoop: o.softAccumLoop ? ('soft' as const) : ('hard' as const),
  };
}

/** Options that --seeds replaces or cannot take, refused naming the option. */
function checkSeedsOptions(o: SynthOptions): void {
  if (!o.seeds) {
    if (o.workers !== undefined) throw new UserError('--workers goes with --seeds (the seeds run at once)');
    if (o.outDir !== undefined) throw new UserError('--out-dir goes with --seeds (for one seed, --out FILE)');
    return;
  }
  if (o.seed !== undefined) throw new UserError('--seeds and --seed: give one of them');
  if (o.out !== undefined) throw new UserError('--seeds writes <dir>/seed-<n>.json: give --out-dir DIR instead of --out');
  if (o.events !== undefined) throw new UserError('--seeds: --events is for one seed (with --db every seed records its events)');
  if (o.engine !== 'fast') throw new UserError(`--seeds runs its seeds on the fast engine; --engine ${o.engine} is for one seed`);
  if (o.estimator === 'es') throw new UserError('--seeds runs gradient synthesis; --estimator es is for one seed');
}

/** `synth --seeds`: every seed in worker processes, a JSON line each (or a table row), then the summary. */
async function runSeeds(o: SynthOptions, seeds: readonly number[], found: FoundProblem, store: RunStore | undefined): Promise<void> {
  const schedules = new Map(seeds.map((n) => [n, scheduleFromOptions({ ...o, seed: n }, found.problem)]));
  const runner = new SeedRunner({
    seeds,
    workers: o.workers ?? availableParallelism(),
    outDir: o.outDir,
    problem: found.problem,
    problemVersion: found.version,
    schedule: (n) => schedules.get(n) as Schedule,
    ...(store ? { store } : {}),
    ...(o.name ? { name: o.name } : {}),
    onLine: (line) => {
      if (o.json) printJson(line);
      else
        console.log(
          `seed ${String(line.seed).padStart(4)}  ${line.status.padEnd(10)} ${String(line.softLinks ?? '—').padStart(4)} links  ` +
            `test worst ${line.testWorst === null ? '—' : line.testWorst.toExponential(2)}  ${line.passed ? 'passed' : 'FAILED'}  ${line.seconds} s` +
            (line.error ? `  ${line.error}` : ''),
        );
    },
  });
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ninterrupted: ending the running seeds with their circuits so far (Ctrl-C again to quit at once)\n');
    runner.stop();
  };
  process.on('SIGINT', onSigint);
  let summary;
  try {
    summary = await runner.run();
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (o.json) printJson(summary);
  else console.log(`${summary.passed} of ${summary.seeds} seeds passed; links ${summary.links.join(', ')}`);
}

export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('synthesize a compact circuit for a problem: dense training, sparsification with backtracking, polish')
    .option('--problem <name>', "the problem (its teacher, data and search space; with --db, that database's)", 'duplicates')
    .option('--seed <n>', "seed of everything random (default: the schedule's, 1)", seedOption)
    .option('--schedule <file>', 'schedule JSON (a full schedule, or only what differs from the default)')
    .option(
      '--train <s>',
      'a training string (repeatable; replaces the default set)',
      (v: string, acc: string[]) => [...acc, nonEmptyString('--train')(v)],
      [] as string[],
    )
    .option('--estimator <kind>', 'gradient | es', oneOf('--estimator', ['gradient', 'es'] as const))
    .option('--start <file>', 'start from this matrix (prototype format) instead of the generated architecture')
    .option('--out <file>', 'write the circuit in the prototype matrix format')
    .option('--events <file>', 'write every decision as one JSON object per line')
    .option('--db <file>', 'record the run (metrics, events, snapshots) in this lab database')
    .option('--name <name>', 'name of the run in the database')
    .option('--no-progress', 'no progress bar on stderr')
    .option(...engineOption)
    .option('--json', 'print one JSON object at the end')
    .option(
      '--topology <kind>',
      'the generated start: layered (default) | recurrent',
      oneOf('--topology', ['layered', 'recurrent'] as const),
    )
    .option('--copies <n>', 'with --topology recurrent: copies of each interneuron type (default 5)', positiveInt('--copies'))
    .option('--hard-accum-loop', "with --topology recurrent: each accumulator's self-link is a fixed link of weight 1 (default)")
    .option('--soft-accum-loop', "with --topology recurrent: each accumulator's self-link is a trainable link starting at 1, as in 2022")
    .option('--seeds <range>', 'run seeds A-B (e.g. 1-10) in worker processes: one JSON line per seed, then a summary line', seedRange)
    .option('--workers <n>', 'with --seeds: seeds run at once (default: the cores)', positiveInt('--workers'))
    .option('--out-dir <dir>', 'with --seeds: write each circuit to <dir>/seed-<n>.json')
    .action(async (o: SynthOptions) => {
      setDefaultEngine(o.engine);
      checkSeedsOptions(o);
      // with --db the problem comes from that database (where the run is recorded), else from the built-ins;
      // one writer per database: refused while a lab has it open (and a lab is refused meanwhile)
      if (o.db === undefined) return synthesizeInto(o, undefined);
      const db = resolve(o.db);
      mkdirSync(dirname(db), { recursive: true });
      const release = takeWriterLock(db, 'synth --db');
      try {
        const store = openStoreFile(db, true);
        try {
          await synthesizeInto(o, store);
        } finally {
          store.close();
        }
      } finally {
        release();
      }
    });
}

/** The synthesis `o` describes, recorded in `store` when given (the caller holds its writer lock and closes it). */
async function synthesizeInto(o: SynthOptions, store: RunStore | undefined): Promise<void> {
  const source = store && o.db ? problemsOfStore(store, o.db) : openProblemSource(undefined);
  const found = source.get(o.problem);
  const schedule = scheduleFromOptions(o, found.problem);
  if (o.seeds) {
    await runSeeds(o, o.seeds, found, store);
    return;
  }
  const started = performance.now();
  const progress = o.progress && process.stderr.isTTY ? new SynthProgress(schedule) : undefined;
  // events stream to the file as they happen, so a crash loses none
  const eventsFd = o.events ? openSync(o.events, 'w') : undefined;
  const recording = store && o.db ? openRecording(store, o.db, schedule, o.name, found) : undefined;
  let failure = '';
  let diverged: string | undefined; // why, when the run diverged
  const driver = new RunDriver(
    {
      runId: recording?.runId ?? 1,
      schedule: schedule,
      problem: found.problem,
      snapshotEvery: recording ? SNAPSHOT_EVERY : 0,
      threads: gradientWorkers(schedule),
    },
    (m) => {
      recording?.recorder.handle(m);
      if (m.kind === 'metrics') for (const x of m.metrics) progress?.step(x as StepMetrics);
      else if (m.kind === 'event') {
        if (eventsFd !== undefined) writeSync(eventsFd, JSON.stringify(m.event) + '\n');
        progress?.event(m.event as unknown as SynthesisEvent);
      } else if (m.kind === 'error') failure = m.message;
      else if (m.kind === 'done' && m.status === 'diverged') diverged = m.reason;
    },
    { snapshots: recording !== undefined },
  );
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ninterrupted: finishing with the circuit so far (Ctrl-C again to quit at once)\n');
    driver.command({ kind: 'stop' });
  };
  process.on('SIGINT', onSigint);
  let result;
  try {
    result = await driver.run();
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
    if (eventsFd !== undefined) closeSync(eventsFd);
  }
  if (!result) throw new UserError(`synthesis failed: ${failure}`);
  const seconds = (performance.now() - started) / 1000;
  let out: string | null = null;
  // a diverged run's weights are no result (not numbers, or far from its best): no circuit file (the error below says why)
  if (o.out && diverged === undefined) out = writeTextFile(o.out, exportPrototypeMatrix(result.spec.trainable));
  const summary = {
    problem: found.problem.name,
    softLinks: result.softLinks,
    trainLoss: result.train.preregLoss,
    testLoss: result.test.loss,
    testWorst: result.test.worst,
    validationWorst: result.validation.worst,
    seconds: Math.round(seconds * 100) / 100,
    out,
    seed: schedule.seed,
    steps: result.steps,
    stopReason: result.stopReason,
    estimator: schedule.estimator.kind,
    ...(recording ? { runId: recording.runId, db: recording.file } : {}),
  };
  if (o.json) printJson(summary);
  else {
    console.log(`soft links     ${summary.softLinks}`);
    console.log(`training loss  ${summary.trainLoss.toExponential(3)}`);
    console.log(`validation     worst element ${summary.validationWorst.toExponential(3)}`);
    console.log(`test loss      ${summary.testLoss.toExponential(3)}   worst element ${summary.testWorst.toExponential(3)}`);
    console.log(`steps          ${summary.steps} (${summary.stopReason}), ${summary.seconds} s, seed ${summary.seed}`);
    if (out) console.log(`circuit        ${out}`);
    for (const s of result.test.strings)
      console.log(
        `  ${JSON.stringify(s.text).padEnd(24)} ${String(s.cycles).padStart(4)} cycles  loss ${s.loss.toExponential(2)}  worst ${s.worst.toExponential(2)}`,
      );
  }
  if (diverged !== undefined)
    throw new UserError(`the run diverged (no circuit file${recording ? '; recorded as diverged' : ''}): ${diverged}`);
}
