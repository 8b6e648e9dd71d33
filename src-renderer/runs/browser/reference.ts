/**
 * The reference row pinned at the top of the table: the hand-crafted duplicate-character
 * detector (spec §4), not a stored run. Its figures are computed here, once per window,
 * with the shared engine — the test-suite report of the hand-crafted circuit (8 soft links,
 * test loss 0, worst 0) — which takes a few tens of milliseconds, done after the table's
 * first render.
 */
import { handcraftedDetector } from '@shared/problems/duplicates/handcrafted';
import { DEFAULT_TEST_SUITE } from '@shared/synthesis/dataset';
import { runTestSuite } from '@shared/synthesis/test-suite';

export interface ReferenceFigures {
  readonly name: string;
  readonly softLinks: number;
  readonly testLoss: number;
  readonly testWorst: number;
  /** How long computing them took, in ms; undefined when they are the stated figures. */
  readonly computedMs: number | undefined;
  /** Set when the engine failed: the stated figures are shown instead. */
  readonly error?: string;
}

export const REFERENCE_NAME = 'hand-crafted detector';

/** The figures the spec states for the hand-crafted circuit. */
export const STATED_REFERENCE: ReferenceFigures = { name: REFERENCE_NAME, softLinks: 8, testLoss: 0, testWorst: 0, computedMs: undefined };

let memo: ReferenceFigures | undefined;

/** The hand-crafted detector's test-suite figures, computed once (the stated ones if the engine fails). */
export function referenceFigures(now: () => number = () => performance.now()): ReferenceFigures {
  if (memo) return memo;
  const t0 = now();
  try {
    const r = runTestSuite(handcraftedDetector(), DEFAULT_TEST_SUITE);
    memo = { name: REFERENCE_NAME, softLinks: r.softLinks, testLoss: r.loss, testWorst: r.worst, computedMs: now() - t0 };
  } catch (e) {
    memo = { ...STATED_REFERENCE, error: e instanceof Error ? e.message : String(e) };
  }
  return memo;
}
