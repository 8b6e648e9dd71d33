import type { Command } from 'commander';
import { DEFAULT_TEST_SUITE } from '../../../src-shared/synthesis/dataset';
import { runTestSuite } from '../../../src-shared/synthesis/test-suite';
import { printJson, readMatrixFile } from '../io';

interface TestOptions {
  matrix: string;
  json?: boolean;
}

export function registerTest(program: Command): void {
  program
    .command('test')
    .description("a matrix's report on the held-out test suite: per string its loss and worst per-element error")
    .requiredOption('--matrix <file>', 'trainable matrix in the prototype JSON format')
    .option('--json', 'print one JSON object')
    .action((o: TestOptions) => {
      const spec = readMatrixFile(o.matrix);
      const r = runTestSuite(spec, DEFAULT_TEST_SUITE);
      if (o.json) {
        printJson({ softLinks: r.softLinks, testLoss: r.loss, testWorst: r.worst, strings: r.strings });
        return;
      }
      console.log(`matrix      ${o.matrix} (${r.softLinks} soft links)`);
      console.log(
        `test loss   ${r.loss.toExponential(3)}   worst element ${r.worst.toExponential(3)}   ${r.worst <= 0.05 ? 'meets' : 'misses'} the 0.05 bar`,
      );
      for (const s of r.strings) {
        console.log(
          `  ${JSON.stringify(s.text).padEnd(24)} ${String(s.cycles).padStart(4)} cycles  loss ${s.loss.toExponential(2)}  worst ${s.worst.toExponential(2)}`,
        );
      }
    });
}
