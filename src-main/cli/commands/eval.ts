import type { Command } from 'commander';
import { DEFAULT_LOSS } from '../../../src-shared/problems/duplicates/loss';
import { circuitLoss, CompiledLoss } from '../../../src-shared/problems/loss';
import { inputMode, referenceString, symbolsOf } from '../../../src-shared/problems/problem';
import { taskOf, TeacherTargets } from '../../../src-shared/problems/targets';
import type { EngineName } from '../../../src-shared/machine/engine-choice';
import { engineOption, nonEmptyString, nonNegativeNumber, noteFallback, positiveInt, printJson, readMatrixFile, UserError } from '../io';
import { withProblems } from '../problem-source';

interface EvalOptions {
  matrix: string;
  problem: string;
  string?: string;
  cycles?: number;
  l1: number;
  l2: number;
  engine: EngineName;
  db?: string;
  json?: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("loss of a matrix against a problem's teacher (default: the hand-crafted duplicate detector)")
    .requiredOption('--matrix <file>', 'trainable matrix in the prototype JSON format')
    .option('--problem <name>', 'the problem whose teacher gives the targets', 'duplicates')
    .option(
      '--string <s>',
      'driving string (default: the problem\'s reference string; duplicates: "test string.")',
      nonEmptyString('--string'),
    )
    .option('--cycles <n>', "cycles to run (default: the reference string's window; duplicates: 140)", positiveInt('--cycles'))
    .option('--l1 <x>', 'λ1, weight of Σ|w|', nonNegativeNumber('--l1'), DEFAULT_LOSS.l1)
    .option('--l2 <x>', 'λ2, weight of Σw²', nonNegativeNumber('--l2'), DEFAULT_LOSS.l2)
    .option(...engineOption)
    .option('--db <file>', 'the lab database holding the problem (default: the built-ins)')
    .option('--json', 'print one JSON object')
    .action((o: EvalOptions) => {
      withProblems(o.db, (source) => {
        const { problem } = source.get(o.problem);
        const spec = readMatrixFile(o.matrix, problem);
        const reference = referenceString(problem.data);
        const text = o.string ?? reference.text;
        const cycles = o.cycles ?? (o.string === undefined ? reference.cycles : DEFAULT_LOSS.cycles);
        const task = taskOf(problem);
        let r;
        try {
          const loss = circuitLoss(spec, task, symbolsOf([text], inputMode(problem)), new TeacherTargets(task), o.engine);
          if (loss instanceof CompiledLoss) noteFallback(loss);
          const w = loss.paramVector(spec.trainable);
          r = loss.evaluate(w, text, { ...DEFAULT_LOSS, cycles, l1: o.l1, l2: o.l2 });
        } catch (e) {
          throw new UserError(`cannot run ${o.matrix} on problem ${problem.name}: ${(e as Error).message}`);
        }
        if (!Number.isFinite(r.loss)) {
          throw new UserError(`the loss of ${o.matrix} is ${r.loss}: the machine's outputs overflow on ${JSON.stringify(text)}`);
        }
        const out = { preregLoss: r.preregLoss, loss: r.loss, l1: r.l1, l2: r.l2, softLinks: r.softLinks };
        if (o.json) printJson(out);
        else {
          console.log(`matrix        ${o.matrix}`);
          console.log(`problem       ${problem.name}`);
          console.log(`string        ${JSON.stringify(text)} over ${cycles} cycles`);
          console.log(`soft links    ${r.softLinks}`);
          console.log(`prereg loss   ${r.preregLoss}`);
          console.log(`loss          ${r.loss}   (λ1 ${o.l1}, λ2 ${o.l2})`);
          console.log(`Σ|w|          ${r.l1}`);
          console.log(`Σw²           ${r.l2}`);
          console.log(`worst error   ${r.worstError}  (largest squared difference at one cycle)`);
        }
      });
    });
}
