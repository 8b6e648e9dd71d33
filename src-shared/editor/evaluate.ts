/**
 * "Evaluate" in the editor: the loss of the open document against a problem's teacher,
 * string by string — the problem's driving input (characters or tokens), its compared
 * output ports (scalars or whole trees) and its strings (the reference string, then the
 * test suite), the loss the CLI's `test` and the synthesis runs compute, without the
 * regulariser (the document's weights are the point, not their size). A circuit built by
 * hand that matches the teacher gives exactly zero on every string.
 *
 * The problem is an argument: the caller takes it from the stored problem version it
 * evaluates against (the editor reads it through the API), never from a constant here.
 */
import { circuitLoss } from '../problems/loss';
import { allStrings, outputLabel, referenceString, symbolsOf, type Problem } from '../problems/problem';
import { taskOf, TeacherTargets } from '../problems/targets';
import type { DataString } from '../synthesis/dataset';
import { documentToSpec, type EditorDocument } from './document';

export interface StringFit {
  readonly text: string;
  readonly cycles: number;
  /** Σ over cycles of the squared differences of the compared outputs. */
  readonly preregLoss: number;
  /** Largest squared difference of one output element at one cycle. */
  readonly worstError: number;
}

export interface Evaluation {
  /** The problem evaluated against (its name). */
  readonly problem: string;
  /** "output.dict-1 (scalar)", … : the compared outputs, for the person reading the figures. */
  readonly compared: readonly string[];
  readonly strings: readonly StringFit[];
  /** Σ of the strings' losses. */
  readonly total: number;
  /** Largest worst error over the strings. */
  readonly worst: number;
  readonly softLinks: number;
  readonly ms: number;
}

/** The strings "Evaluate" uses for a problem: its reference string, then its test suite (no repeats). */
export function evaluationStrings(problem: Problem): DataString[] {
  const out: DataString[] = [];
  const seen = new Set<string>();
  for (const s of [referenceString(problem.data), ...problem.data.test]) {
    const key = `${s.cycles}\u0000${s.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ text: s.text, cycles: s.cycles });
  }
  return out;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Runs the document's machine beside `problem`'s teacher on `strings` (default: the
 * problem's evaluation strings). Throws an Error naming what is wrong when the document
 * cannot run (e.g. an unknown neuron type).
 */
export function evaluateDocument(
  doc: EditorDocument,
  problem: Problem,
  strings: readonly DataString[] = evaluationStrings(problem),
): Evaluation {
  if (strings.length === 0) throw new RangeError('nothing to evaluate on: no strings');
  const t0 = now();
  const spec = documentToSpec(doc);
  const task = taskOf(problem);
  const alphabet = symbolsOf(
    [...strings, ...allStrings(problem.data)].map((s) => s.text),
    task.mode,
  );
  const loss = circuitLoss(spec, task, alphabet, new TeacherTargets(task));
  const w = loss.paramVector(spec.trainable);
  const fits: StringFit[] = strings.map((s) => ({ text: s.text, cycles: s.cycles, ...loss.fit(w, s.text, s.cycles, 'exact') }));
  let total = 0;
  let worst = 0;
  for (const f of fits) {
    total += f.preregLoss;
    if (!(f.worstError <= worst)) worst = f.worstError; // NaN wins
  }
  const compared = problem.outputs.map((o) => `${outputLabel(o)} (${o.compare})`);
  return { problem: problem.name, compared, strings: fits, total, worst, softLinks: w.length, ms: now() - t0 };
}
