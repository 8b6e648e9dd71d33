/**
 * The DMM Lab command line: `npm run cli -- <command> [options]`.
 * With --json every command prints one JSON object per line on stdout and nothing else;
 * progress and messages go to stderr.
 */
import { Command, CommanderError } from 'commander';
import { registerBench } from './commands/bench';
import { registerBenchStore } from './commands/bench-store';
import { registerEval } from './commands/eval';
import { registerMinimal } from './commands/minimal';
import { registerProblems } from './commands/problems';
import { registerRuns } from './commands/runs';
import { registerSweep } from './commands/sweep';
import { registerSynth } from './commands/synth';
import { registerTest } from './commands/test';
import { registerTrain } from './commands/train';
import { registerWorker } from './commands/worker';
import { ApiError } from '../../src-shared/api/dispatch';
import { DatabaseOpenError } from '../store/database';
import { NotALabDatabaseError } from '../store/identify';
import { SchemaVersionError } from '../store/migrations';
import { LabLockedError } from '../lab/lab-lock';
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
  registerMinimal(program);
  registerSweep(program);
  registerWorker(program);
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
    if (
      e instanceof UserError ||
      e instanceof ApiError ||
      e instanceof NotALabDatabaseError ||
      e instanceof DatabaseOpenError ||
      e instanceof SchemaVersionError ||
      e instanceof LabLockedError
    ) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    // a fault of this program: the message always, the stack only when asked for (DMM_LAB_DEBUG=1)
    const debug = process.env['DMM_LAB_DEBUG'] === '1';
    process.stderr.write(
      `internal error: ${e instanceof Error ? ((debug ? e.stack : undefined) ?? e.message) : String(e)}\n` +
        (debug ? '' : '(set DMM_LAB_DEBUG=1 for the stack trace)\n'),
    );
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
