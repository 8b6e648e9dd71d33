/**
 * "Evaluate" in the editor: the loss of the open document against a chosen problem's
 * teacher (its driving input, compared outputs and test suite), string by string.
 */
import { describe, expect, it } from 'vitest';
import { documentFromSpec } from '@shared/editor/document';
import { evaluateDocument, evaluationStrings } from '@shared/editor/evaluate';
import { generateHandcrafted, generateLayered } from '@shared/editor/generators';
import { builtinProblemInputs } from '@shared/problems/builtin';
import { parseProblem, teacherSpec, type Problem } from '@shared/problems/problem';
import { DEFAULT_TRAINING_SET } from '@shared/synthesis/dataset';

/** A problem as the editor gets it: the JSON definition of a stored version, validated. */
function problem(name: string): Problem {
  const def = builtinProblemInputs().find((p) => p.name === name);
  if (!def) throw new Error(`no built-in problem ${name}`);
  return parseProblem(JSON.parse(JSON.stringify(def)));
}

describe('evaluateDocument', () => {
  it('the built-in detector itself fits exactly on every string of the duplicates problem (reference string, then the test suite)', () => {
    const dup = problem('duplicates');
    const r = evaluateDocument(generateHandcrafted(), dup);
    expect(r.problem).toBe('duplicates');
    expect(r.strings.map((s) => s.text)).toEqual([dup.data.reference?.text, ...dup.data.test.map((s) => s.text)]);
    expect(r.strings.every((s) => s.preregLoss === 0 && s.worstError === 0)).toBe(true);
    expect(r.total).toBe(0);
    expect(r.softLinks).toBe(8);
    expect(r.compared).toEqual(['output.dict-1 (scalar)', 'output.dict-2 (scalar)']);
  });

  it('the same circuit gets a different verdict on another problem: the detector fails last-three, whose teacher passes it', () => {
    const last = problem('last-three');
    const detector = evaluateDocument(generateHandcrafted(), last);
    expect(detector.problem).toBe('last-three');
    expect(detector.strings.map((s) => s.text)).toEqual(evaluationStrings(last).map((s) => s.text));
    expect(detector.total).toBeGreaterThan(1);
    expect(detector.worst).toBeGreaterThan(0.05);
    expect(detector.compared.some((c) => c.endsWith('(tree)'))).toBe(true);
    // the last-three teacher drawn in the editor: exact on its own problem, wrong on duplicates
    const teacherDoc = documentFromSpec(teacherSpec(last));
    const own = evaluateDocument(teacherDoc, last);
    expect(own.total).toBe(0);
    expect(own.worst).toBe(0);
    expect(evaluateDocument(teacherDoc, problem('duplicates')).total).toBeGreaterThan(1);
  });

  it('a token problem drives the machine with words: its teacher drawn in the editor fits it exactly', () => {
    const words = problem('word-duplicates');
    const r = evaluateDocument(documentFromSpec(teacherSpec(words)), words);
    expect(r.total).toBe(0);
    expect(r.strings[0]?.text).toBe('the cat saw the dog . the dog ran .');
  });

  it('a random 1486-link machine does not fit, and the total is the sum of the strings', () => {
    const r = evaluateDocument(generateLayered(), problem('duplicates'), DEFAULT_TRAINING_SET);
    expect(r.softLinks).toBe(1486);
    expect(r.total).toBeGreaterThan(1);
    expect(r.total).toBeCloseTo(
      r.strings.reduce((a, s) => a + s.preregLoss, 0),
      9,
    );
    expect(r.worst).toBe(Math.max(...r.strings.map((s) => s.worstError)));
  });

  it('needs at least one string', () => {
    expect(() => evaluateDocument(generateHandcrafted(), problem('duplicates'), [])).toThrow(/no strings/);
  });
});
