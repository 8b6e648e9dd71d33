/**
 * "Evaluate" in the editor: the loss of the open document against the built-in
 * hand-crafted detector on the duplicate-character problem (spec §5), string by string —
 * the loss the CLI's `eval` and the synthesis runs compute, without the regulariser
 * (the document's weights are the point, not their size). A circuit built by hand that
 * matches the detector gives exactly zero on every string.
 */
import type { DataString } from '../synthesis/dataset';
import { DEFAULT_TRAINING_SET } from '../synthesis/dataset';
import { DEFAULT_LOSS, DetectorLoss, TRAINING_STRING } from '../problems/duplicates/loss';
import { documentToSpec, type EditorDocument } from './document';

export interface StringFit {
  readonly text: string;
  readonly cycles: number;
  /** Σ over cycles of the squared differences of the two outputs. */
  readonly preregLoss: number;
  /** Largest squared difference of one output at one cycle. */
  readonly worstError: number;
}

export interface Evaluation {
  readonly strings: readonly StringFit[];
  /** Σ of the strings' losses. */
  readonly total: number;
  /** Largest worst error over the strings. */
  readonly worst: number;
  readonly softLinks: number;
  readonly ms: number;
}

/** The strings "Evaluate" uses: the CLI's default string and the default training set. */
export const EVALUATION_STRINGS: readonly DataString[] = [{ text: TRAINING_STRING, cycles: DEFAULT_LOSS.cycles }, ...DEFAULT_TRAINING_SET];

/**
 * Runs the document's machine beside the detector on `strings`. Throws an Error naming the
 * problem when the document cannot run (e.g. an unknown neuron type).
 */
export function evaluateDocument(doc: EditorDocument, strings: readonly DataString[] = EVALUATION_STRINGS): Evaluation {
  if (strings.length === 0) throw new RangeError('nothing to evaluate on: no strings');
  const t0 = typeof performance !== 'undefined' ? performance.now() : Date.now();
  const spec = documentToSpec(doc);
  const loss = new DetectorLoss(
    spec,
    strings.map((s) => s.text),
  );
  const w = loss.machine.paramVector(spec.trainable);
  const fits: StringFit[] = strings.map((s) => ({ text: s.text, cycles: s.cycles, ...loss.fit(w, s.text, s.cycles, 'exact') }));
  let total = 0;
  let worst = 0;
  for (const f of fits) {
    total += f.preregLoss;
    if (!(f.worstError <= worst)) worst = f.worstError; // NaN wins
  }
  const t1 = typeof performance !== 'undefined' ? performance.now() : Date.now();
  return { strings: fits, total, worst, softLinks: w.length, ms: t1 - t0 };
}
