import type { Command } from 'commander';
import { DEFAULT_LOSS, DetectorLoss, TRAINING_STRING } from '../../../src-shared/problems/duplicates/loss';
import type { EngineName } from '../../../src-shared/machine/engine-choice';
import { engineOption, nonEmptyString, nonNegativeNumber, noteFallback, positiveInt, printJson, readMatrixFile, UserError } from '../io';

interface EvalOptions {
  matrix: string;
  string: string;
  cycles: number;
  l1: number;
  l2: number;
  engine: EngineName;
  json?: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('loss of a matrix against the hand-crafted detector')
    .requiredOption('--matrix <file>', 'trainable matrix in the prototype JSON format')
    .option('--string <s>', 'driving string', nonEmptyString('--string'), TRAINING_STRING)
    .option('--cycles <n>', 'cycles to run', positiveInt('--cycles'), DEFAULT_LOSS.cycles)
    .option('--l1 <x>', 'λ1, weight of Σ|w|', nonNegativeNumber('--l1'), DEFAULT_LOSS.l1)
    .option('--l2 <x>', 'λ2, weight of Σw²', nonNegativeNumber('--l2'), DEFAULT_LOSS.l2)
    .option(...engineOption)
    .option('--json', 'print one JSON object')
    .action((o: EvalOptions) => {
      const spec = readMatrixFile(o.matrix);
      const loss = new DetectorLoss(spec, [o.string], undefined, o.engine);
      noteFallback(loss);
      const w = loss.machine.paramVector(spec.trainable);
      const r = loss.evaluate(w, o.string, { ...DEFAULT_LOSS, cycles: o.cycles, l1: o.l1, l2: o.l2 });
      if (!Number.isFinite(r.loss)) {
        throw new UserError(`the loss of ${o.matrix} is ${r.loss}: the machine's outputs overflow on ${JSON.stringify(o.string)}`);
      }
      const out = { preregLoss: r.preregLoss, loss: r.loss, l1: r.l1, l2: r.l2, softLinks: r.softLinks };
      if (o.json) printJson(out);
      else {
        console.log(`matrix        ${o.matrix}`);
        console.log(`string        ${JSON.stringify(o.string)} over ${o.cycles} cycles`);
        console.log(`soft links    ${r.softLinks}`);
        console.log(`prereg loss   ${r.preregLoss}`);
        console.log(`loss          ${r.loss}   (λ1 ${o.l1}, λ2 ${o.l2})`);
        console.log(`Σ|w|          ${r.l1}`);
        console.log(`Σw²           ${r.l2}`);
        console.log(`worst error   ${r.worstError}  (largest squared difference at one cycle)`);
      }
    });
}
