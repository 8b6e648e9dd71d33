/**
 * `minimal`: the minimality certificate of any matrix for a problem — which soft links can
 * go (each removal, or replacement of a relaying neuron, retrained briefly from the given
 * weights and judged by the problem's verdict) and, for every link that stays, the best
 * loss reached without it.
 */
import type { Command } from 'commander';
import { setDefaultEngine, type EngineName } from '../../../src-shared/machine/engine-choice';
import { circuitFromSpec } from '../../../src-shared/synthesis/circuit';
import { certificateContext, MinimalityCheck, NotSolvedError } from '../../../src-shared/synthesis/minimality';
import { engineOption, positiveInt, printJson, readMatrixFile, UserError } from '../io';
import { withProblems } from '../problem-source';
import { scheduleFromOptions } from './synth';

interface MinimalOptions {
  problem: string;
  matrix: string;
  db?: string;
  schedule?: string;
  steps?: number;
  engine: EngineName;
  json?: boolean;
}

export function registerMinimal(program: Command): void {
  program
    .command('minimal')
    .description("why a matrix cannot be smaller: each soft link's removal retrained briefly and judged by the problem's verdict")
    .requiredOption(
      '--problem <name>',
      "the problem (its teacher, training and validation strings, verdict bounds); with --db, that database's",
    )
    .requiredOption('--matrix <file>', 'the matrix (prototype JSON format)')
    .option('--db <file>', 'the lab database holding the problem (default: the built-ins)')
    .option('--schedule <file>', "schedule JSON whose data, bounds (restarts) and certificate settings to use (default: the problem's)")
    .option('--steps <n>', 'retraining steps per removal (default: the schedule’s certificate.steps)', positiveInt('--steps'))
    .option(...engineOption)
    .option('--json', 'print one JSON object: {"softLinks","removable":[…],"necessary":[{"link","lossWithout"}…]}')
    .action(async (o: MinimalOptions) => {
      setDefaultEngine(o.engine);
      const { problem, schedule, spec } = withProblems(o.db, (source) => {
        const { problem } = source.get(o.problem);
        const schedule = scheduleFromOptions({ schedule: o.schedule, train: [] }, problem);
        return { problem, schedule, spec: readMatrixFile(o.matrix, problem) };
      });
      const circuit = circuitFromSpec(spec);
      if (circuit.links.length === 0) throw new UserError(`${o.matrix} has no soft links: there is nothing to certify`);
      const settings = { ...schedule.certificate, ...(o.steps !== undefined ? { steps: o.steps } : {}) };
      const check = new MinimalityCheck(certificateContext({ ...schedule, certificate: settings }, problem));
      let certified;
      try {
        certified = await check.certify(circuit);
      } catch (e) {
        if (e instanceof NotSolvedError) throw new UserError(`no certificate for ${o.matrix} on problem ${problem.name}: ${e.message}`);
        if (e instanceof RangeError || e instanceof TypeError) {
          throw new UserError(`cannot run ${o.matrix} on problem ${problem.name}: ${e.message}`);
        }
        throw e;
      }
      const c = certified.certificate;
      if (o.json) {
        printJson({
          softLinks: c.softLinks,
          removable: c.removable,
          necessary: c.necessary.map((e) => ({ link: e.link, lossWithout: e.lossWithout })),
        });
        return;
      }
      console.log(`matrix       ${o.matrix} (${c.softLinks} soft links), problem ${problem.name}`);
      console.log(
        `verdict      training loss ≤ ${c.bounds.trainLoss}, validation worst ≤ ${c.bounds.validationWorst}; ${c.settings.steps} retraining steps per move (${c.trials} moves, ${c.steps} steps)`,
      );
      console.log(`removable    ${c.removable.length ? c.removable.join('; ') : 'none'}`);
      for (const r of c.removals) {
        console.log(
          `  ${r.kind.padEnd(8)} −${r.removed.join(', −')}${r.added.length ? ` +${r.added.join(', +')}` : ''}   loss after ${r.lossAfter.toExponential(2)}`,
        );
      }
      console.log(`necessary    ${c.necessary.length} links (certified circuit: training loss ${c.trainLoss.toExponential(2)})`);
      for (const e of c.necessary) console.log(`  ${e.link.padEnd(44)} loss without it ≥ ${e.lossWithout.toExponential(3)}`);
      for (const b of c.bypasses) console.log(`  ${b.move} ${b.neuron}: loss ≥ ${b.lossWithout.toExponential(3)}`);
    });
}
