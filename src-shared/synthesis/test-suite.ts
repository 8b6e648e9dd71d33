/**
 * The test-suite report of a circuit: per string its loss and worst per-element error
 * against the problem's teacher (the hand-crafted detector unless targets say otherwise),
 * and the totals.
 */
import type { MachineSpec } from '../machine/spec';
import { TargetCache } from '../problems/duplicates/loss';
import { circuitLoss } from '../problems/loss';
import { symbolsOf } from '../problems/problem';
import type { TeacherTargets } from '../problems/targets';
import type { DataString } from './dataset';

export interface StringReport {
  readonly text: string;
  readonly cycles: number;
  /** Σ of squared output differences over the window. */
  readonly loss: number;
  /** Largest squared difference of one output at one cycle. */
  readonly worst: number;
}

export interface TestReport {
  readonly strings: readonly StringReport[];
  /** Σ of the strings' losses. */
  readonly loss: number;
  /** Largest per-element squared error over all strings. */
  readonly worst: number;
  readonly softLinks: number;
}

export function runTestSuite(spec: MachineSpec, suite: readonly DataString[], targets: TeacherTargets = new TargetCache()): TestReport {
  const alphabet = symbolsOf(
    suite.map((s) => s.text),
    targets.task.mode,
  );
  const loss = circuitLoss(spec, targets.task, alphabet, targets);
  const w = loss.paramVector(spec.trainable);
  const strings = suite.map((s) => {
    const r = loss.fit(w, s.text, s.cycles, 'exact');
    return { text: s.text, cycles: s.cycles, loss: r.preregLoss, worst: r.worstError };
  });
  return {
    strings,
    loss: strings.reduce((a, s) => a + s.loss, 0),
    worst: strings.reduce((a, s) => Math.max(a, s.worst), 0),
    softLinks: w.length,
  };
}
