/**
 * The built-in problem set: the duplicate detector and problems from the DMM literature
 * whose solutions need multiplicative gating, overwritable memory, tree-valued outputs and
 * a machine that rewrites its own matrix. Each is data (validated like an imported file).
 */
import { parseProblem, type Problem, type ProblemInput } from '../problem';
import { adjacentRepeatProblem } from './adjacent-repeat';
import { bracketCountProblem } from './bracket-count';
import { duplicatesProblem } from './duplicates';
import { lastThreeProblem } from './last-three';
import { selfWaveProblem } from './self-wave';
import { wordDuplicatesProblem } from './word-duplicates';

export { DUPLICATES } from './duplicates';

/** The built-in problems as JSON data, in their canonical order. */
export function builtinProblemInputs(): ProblemInput[] {
  return [
    duplicatesProblem(),
    wordDuplicatesProblem(),
    bracketCountProblem(),
    adjacentRepeatProblem(),
    lastThreeProblem(),
    selfWaveProblem(3),
    selfWaveProblem(8),
  ];
}

let cache: Problem[] | undefined;

/** The built-in problems, validated. */
export function builtinProblems(): readonly Problem[] {
  cache ??= builtinProblemInputs().map((p) => parseProblem(p));
  return cache;
}

export function builtinProblem(name: string): Problem | undefined {
  return builtinProblems().find((p) => p.name === name);
}
