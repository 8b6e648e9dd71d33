/**
 * Full validation of a problem definition: the schema and structural checks of
 * parseProblem, then what only running it shows — the teacher compiles (or, with `Self`,
 * the interpreter accepts it) on every string of the data, the problem's default schedule
 * is valid, and its start circuit can be built. Every issue names the field it is about.
 */
import { CompiledMachine } from '../machine/compiled';
import { Interpreter } from '../machine/interpreter';
import { ScheduleError } from '../synthesis/schedule';
import { startCircuit } from '../synthesis/start';
import { allStrings, inputMode, parseProblem, symbolsOf, teacherSpec, type Problem } from './problem';
import { scheduleForProblem } from './problem-schedule';
import { needsInterpreter } from './targets';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function runChecks(p: Problem): string[] {
  const teacher = teacherSpec(p);
  const mode = inputMode(p);
  try {
    if (needsInterpreter(teacher)) new Interpreter(teacher, { env: { inputString: '', inputMode: mode } });
    else
      new CompiledMachine(teacher, {
        alphabet: symbolsOf(
          allStrings(p.data).map((s) => s.text),
          mode,
        ),
      });
  } catch (e) {
    return [`teacher: ${message(e)}`];
  }
  let schedule;
  try {
    schedule = scheduleForProblem(p);
  } catch (e) {
    return [`search.schedule: ${e instanceof ScheduleError ? e.issues.join('; ') : message(e)}`];
  }
  try {
    startCircuit(schedule.start, schedule.seed, p);
  } catch (e) {
    return [`search: the start circuit cannot be built: ${message(e)}`];
  }
  return [];
}

/** Validates a problem definition completely (see the module comment); throws ProblemError naming each issue. */
export function validateProblem(data: unknown): Problem {
  return parseProblem(data, runChecks);
}
