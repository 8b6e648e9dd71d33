import type { Command } from 'commander';
import { exportPrototypeMatrix } from '../../../src-shared/io/prototype-matrix';
import type { GradientMode } from '../../../src-shared/machine/neuron-types';
import { vectorToMatrix } from '../../../src-shared/machine/spec';
import { Adam, DEFAULT_ADAM } from '../../../src-shared/optim/adam';
import { DEFAULT_LOSS, DetectorLoss, TRAINING_STRING } from '../../../src-shared/problems/duplicates/loss';
import { DivergedError, train } from '../../../src-shared/training/train';
import type { EngineName } from '../../../src-shared/machine/engine-choice';
import {
  engineOption,
  noteFallback,
  nonEmptyString,
  nonNegativeNumber,
  oneOf,
  positiveInt,
  positiveNumber,
  printJson,
  readMatrixFile,
  UserError,
  writeTextFile,
} from '../io';

interface TrainOptions {
  matrix: string;
  steps: number;
  lr: number;
  l1: number;
  l2: number;
  gradients: GradientMode;
  string: string;
  cycles: number;
  out?: string;
  engine: EngineName;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a matrix with exact (or prototype) gradients and Adam')
    .requiredOption('--matrix <file>', 'starting matrix in the prototype JSON format')
    .requiredOption('--steps <n>', 'training steps', positiveInt('--steps'))
    .option('--lr <x>', 'Adam learning rate', positiveNumber('--lr'), DEFAULT_ADAM.lr)
    .option('--l1 <x>', 'λ1, weight of Σ|w|', nonNegativeNumber('--l1'), DEFAULT_LOSS.l1)
    .option('--l2 <x>', 'λ2, weight of Σw²', nonNegativeNumber('--l2'), DEFAULT_LOSS.l2)
    .option('--gradients <mode>', 'exact | prototype', oneOf('--gradients', ['exact', 'prototype'] as const), 'exact')
    .option('--string <s>', 'training string', nonEmptyString('--string'), TRAINING_STRING)
    .option('--cycles <n>', 'cycles per loss evaluation', positiveInt('--cycles'), DEFAULT_LOSS.cycles)
    .option('--out <file>', 'write the final matrix in the prototype format')
    .option(...engineOption)
    .option('--json', 'one JSON object per step')
    .action((o: TrainOptions) => {
      const spec = readMatrixFile(o.matrix);
      const loss = new DetectorLoss(spec, [o.string], undefined, o.engine);
      noteFallback(loss);
      const w = loss.machine.paramVector(spec.trainable);
      const adam = new Adam(w.length, { ...DEFAULT_ADAM, lr: o.lr });
      const settings = { cycles: o.cycles, l1: o.l1, l2: o.l2, gradients: o.gradients };
      const started = performance.now();
      let failure: DivergedError | undefined;
      try {
        train(loss, w, adam, o.string, settings, o.steps, (step, r) => {
          if (o.json) printJson({ step, preregLoss: r.preregLoss, loss: r.loss, l1: r.l1 });
          else if (step === 1 || step === o.steps || step % Math.max(1, Math.round(o.steps / 20)) === 0) {
            const pct = Math.round((100 * step) / o.steps);
            process.stderr.write(
              `step ${step}/${o.steps} (${pct}%)  prereg ${r.preregLoss.toPrecision(6)}  loss ${r.loss.toPrecision(6)}  Σ|w| ${r.l1.toPrecision(6)}\n`,
            );
          }
        });
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        failure = e;
      }
      if (o.out) {
        const file = writeTextFile(o.out, exportPrototypeMatrix(vectorToMatrix(loss.machine.params, w)));
        if (!o.json) process.stderr.write(`wrote ${file}\n`);
      }
      if (failure) throw new UserError(`${failure.message}; the last finite weights were kept${o.out ? ` in ${o.out}` : ''}`);
      if (!o.json) process.stderr.write(`${o.steps} steps in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
    });
}
