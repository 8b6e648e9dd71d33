/**
 * How a circuit does on strings its problem's data does not contain (the held-out strings of
 * src-shared/problems/builtin/held-out.ts): per string its loss and worst per-element squared
 * error against the problem's teacher, and the worst of them all.
 *
 *   npx tsx scripts/generalisation.ts --problem bracket-count --matrix circuit.json [--json]
 *
 * A circuit of one problem may be judged on another with the same neurons (a circuit
 * synthesized for `duplicates` on `word-duplicates`: --problem word-duplicates).
 */
import { parseArgs } from 'node:util';
import { readMatrixFile } from '../src-main/cli/io';
import { builtinProblem } from '../src-shared/problems/builtin/index';
import { heldOutStrings } from '../src-shared/problems/builtin/held-out';
import { taskOf, TeacherTargets } from '../src-shared/problems/targets';
import { runTestSuite } from '../src-shared/synthesis/test-suite';

function usage(message: string): never {
  process.stderr.write(`generalisation: ${message}\nusage: npx tsx scripts/generalisation.ts --problem NAME --matrix FILE [--json]\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: { problem: { type: 'string' }, matrix: { type: 'string' }, json: { type: 'boolean', default: false } },
});
if (!values.problem || !values.matrix) usage('--problem and --matrix are required');
const problem = builtinProblem(values.problem);
if (!problem) usage(`no built-in problem ${JSON.stringify(values.problem)}`);
const strings = heldOutStrings(problem.name);
if (strings.length === 0) usage(`problem ${problem.name} has no held-out strings`);
let report;
try {
  report = runTestSuite(readMatrixFile(values.matrix, problem), strings, new TeacherTargets(taskOf(problem)));
} catch (e) {
  process.stderr.write(`generalisation: ${(e as Error).message}\n`);
  process.exit(1);
}
if (values.json) {
  process.stdout.write(
    JSON.stringify({ problem: problem.name, softLinks: report.softLinks, worst: report.worst, strings: report.strings }) + '\n',
  );
} else {
  console.log(`${values.matrix} (${report.softLinks} soft links) on ${strings.length} held-out strings of ${problem.name}`);
  for (const s of report.strings)
    console.log(`  ${JSON.stringify(s.text).padEnd(70)} ${String(s.cycles).padStart(4)} cycles  worst ${s.worst.toExponential(2)}`);
  console.log(`worst element ${report.worst.toExponential(3)}`);
}
