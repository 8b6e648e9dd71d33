import type { Command } from 'commander';
import { INPUT_PERIOD, drivingSymbols } from '../../../src-shared/machine/neuron-types';
import { inputMode } from '../../../src-shared/problems/problem';
import { taskOf, TeacherTargets } from '../../../src-shared/problems/targets';
import type { DataString } from '../../../src-shared/synthesis/dataset';
import { runTestSuite } from '../../../src-shared/synthesis/test-suite';
import { nonEmptyString, positiveInt, printJson, readMatrixFile, UserError } from '../io';
import { withProblems } from '../problem-source';

interface TestOptions {
  matrix: string;
  problem: string;
  string: string[];
  cycles: number[];
  db?: string;
  json?: boolean;
}

const collect =
  <T>(parse: (raw: string) => T) =>
  (raw: string, acc: T[]): T[] => [...acc, parse(raw)];

export function registerTest(program: Command): void {
  program
    .command('test')
    .description(
      "a matrix's report on a problem's held-out test suite (or on given strings): per string its loss and worst per-element error",
    )
    .requiredOption('--matrix <file>', 'trainable matrix in the prototype JSON format')
    .option('--problem <name>', 'the problem whose teacher and test suite to use', 'duplicates')
    .option('--string <s>', 'a string to test on instead of the suite (repeatable)', collect(nonEmptyString('--string')), [] as string[])
    .option(
      '--cycles <n>',
      "the window of the --string at the same position (default: the string's length in periods + 10)",
      collect(positiveInt('--cycles')),
      [] as number[],
    )
    .option('--db <file>', 'the lab database holding the problem (default: the built-ins)')
    .option('--json', 'print one JSON object')
    .action((o: TestOptions) => {
      if (o.cycles.length > o.string.length)
        throw new UserError(`${o.cycles.length} --cycles for ${o.string.length} --string: give each --cycles after its --string`);
      withProblems(o.db, (source) => {
        const { problem } = source.get(o.problem);
        const spec = readMatrixFile(o.matrix, problem);
        const mode = inputMode(problem);
        const suite: DataString[] = o.string.length
          ? o.string.map((text, i) => ({ text, cycles: o.cycles[i] ?? INPUT_PERIOD * drivingSymbols(text, mode).length + 10 }))
          : problem.data.test;
        let r;
        try {
          r = runTestSuite(spec, suite, new TeacherTargets(taskOf(problem)));
        } catch (e) {
          throw new UserError(`cannot run ${o.matrix} on problem ${problem.name}: ${(e as Error).message}`);
        }
        if (o.json) {
          printJson({ softLinks: r.softLinks, testLoss: r.loss, testWorst: r.worst, strings: r.strings });
          return;
        }
        console.log(`matrix      ${o.matrix} (${r.softLinks} soft links), problem ${problem.name}`);
        // the duplicate detector's bar (spec §5's judging of 2022 circuits): worst squared error 0.05
        const bar = problem.name === 'duplicates' ? `   ${r.worst <= 0.05 ? 'meets' : 'misses'} the 0.05 bar` : '';
        console.log(`test loss   ${r.loss.toExponential(3)}   worst element ${r.worst.toExponential(3)}${bar}`);
        for (const s of r.strings) {
          console.log(
            `  ${JSON.stringify(s.text).padEnd(24)} ${String(s.cycles).padStart(4)} cycles  loss ${s.loss.toExponential(2)}  worst ${s.worst.toExponential(2)}`,
          );
        }
      });
    });
}
