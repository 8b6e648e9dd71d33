import type { Command } from 'commander';
import { Adam } from '../../../src-shared/optim/adam';
import { DEFAULT_LOSS, DetectorLoss, TRAINING_STRING } from '../../../src-shared/problems/duplicates/loss';
import { trainStep } from '../../../src-shared/training/train';
import { positiveInt, printJson, readMatrixFile } from '../io';
import { fixturePath } from '../paths';

/** Seconds per step of the 2022 Julia/Zygote prototype on the same task (spec §5: 45–64 s). */
const PROTOTYPE_STEP_SECONDS = 45;

interface BenchOptions {
  runs: number;
  warmup: number;
  matrix?: string;
  json?: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('median time of one forward loss and one training step on the 1486-weight machine')
    .option('--runs <n>', 'timed repetitions', positiveInt('--runs'), 50)
    .option('--warmup <n>', 'untimed repetitions first', positiveInt('--warmup'), 20)
    .option('--matrix <file>', 'matrix to time (default: the prototype initial-matrix.json)')
    .option('--json', 'print one JSON object')
    .action((o: BenchOptions) => {
      const file = o.matrix ?? fixturePath('initial-matrix.json');
      const spec = readMatrixFile(file);
      const loss = new DetectorLoss(spec, [TRAINING_STRING]);
      const w0 = loss.machine.paramVector(spec.trainable);
      const w = Float64Array.from(w0);
      const grad = new Float64Array(w.length);
      const adam = new Adam(w.length);
      const forward = () => loss.evaluate(w0, TRAINING_STRING, DEFAULT_LOSS);
      const step = () => trainStep(loss, w, adam, TRAINING_STRING, DEFAULT_LOSS, grad);
      for (let i = 0; i < o.warmup; i++) {
        forward();
        step();
      }
      const f: number[] = [];
      const s: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        let t = performance.now();
        forward();
        f.push(performance.now() - t);
        t = performance.now();
        step();
        s.push(performance.now() - t);
      }
      const forwardMs = median(f);
      const stepMs = median(s);
      const result = {
        forwardMs: round(forwardMs),
        stepMs: round(stepMs),
        ratio: round(stepMs / forwardMs),
        runs: o.runs,
        node: process.version,
        softLinks: w.length,
        cycles: DEFAULT_LOSS.cycles,
        speedupVsPrototype: Math.round((PROTOTYPE_STEP_SECONDS * 1000) / stepMs),
      };
      if (o.json) printJson(result);
      else {
        console.log(`machine        ${file} (${w.length} soft links, ${DEFAULT_LOSS.cycles} cycles)`);
        console.log(`forward loss   ${result.forwardMs} ms (median of ${o.runs})`);
        console.log(`training step  ${result.stepMs} ms (loss + exact gradient + Adam)`);
        console.log(`step/forward   ${result.ratio}`);
        console.log(`vs prototype   ${result.speedupVsPrototype}× faster than its ${PROTOTYPE_STEP_SECONDS} s per step`);
      }
    });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
