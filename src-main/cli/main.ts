/**
 * The DMM Lab command line: `npm run cli -- <command> [options]`.
 * With --json every command prints one JSON object per line on stdout and nothing else;
 * progress and messages go to stderr.
 */
import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench';
import { registerBenchStore } from './commands/bench-store';
import { registerEval } from './commands/eval';
import { registerProblems } from './commands/problems';
import { registerRuns } from './commands/runs';
import { registerSynth } from './commands/synth';
import { registerTest } from './commands/test';
import { registerTrain } from './commands/train';
import { UserError } from './io';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('dmm-lab')
    .description('DMM Lab: synthesize and inspect dataflow matrix machines')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerEval(program);
  registerTrain(program);
  registerBench(program);
  registerBenchStore(program);
  registerSynth(program);
  registerTest(program);
  registerRuns(program);
  registerProblems(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has already printed its message; help and version are not failures
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
