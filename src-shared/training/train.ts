/**
 * Plain gradient training of one machine on one string: the loop behind `train`.
 */
import { DetectorLoss, type LossReport, type LossSettings } from '../problems/duplicates/loss';
import type { Adam } from '../optim/adam';

export class DivergedError extends Error {
  constructor(
    readonly step: number,
    readonly report: LossReport,
  ) {
    super(`training diverged at step ${step}: loss is ${report.loss}`);
    this.name = 'DivergedError';
  }
}

/**
 * One training step: the loss of `w` (before the update, as the 2022 prototype logged it),
 * its exact gradient, and one Adam update of `w` in place. `grad` is scratch space.
 */
export function trainStep(
  loss: DetectorLoss,
  w: Float64Array,
  adam: Adam,
  s: string,
  settings: LossSettings,
  grad: Float64Array,
): LossReport {
  grad.fill(0);
  const report = loss.evaluate(w, s, settings, grad);
  adam.update(w, grad);
  return report;
}

/**
 * `steps` training steps; `onStep(k, report)` sees step k's loss before update k.
 * Stops with DivergedError when the loss or the weights stop being finite; `w` then holds
 * the last weights whose loss was finite (or the starting weights if there were none).
 */
export function train(
  loss: DetectorLoss,
  w: Float64Array,
  adam: Adam,
  s: string,
  settings: LossSettings,
  steps: number,
  onStep: (step: number, report: LossReport) => void,
): void {
  const grad = new Float64Array(w.length);
  let current: Float64Array = new Float64Array(w.length); // w before this step's update
  let good: Float64Array | undefined; // last weights with a finite loss
  for (let k = 1; k <= steps; k++) {
    current.set(w);
    const report = trainStep(loss, w, adam, s, settings, grad);
    if (!Number.isFinite(report.loss)) {
      w.set(good ?? current);
      throw new DivergedError(k, report);
    }
    if (w.some((x) => !Number.isFinite(x))) {
      w.set(current);
      throw new DivergedError(k, report);
    }
    onStep(k, report);
    const swap = good ?? new Float64Array(w.length);
    good = current;
    current = swap;
  }
}
