/**
 * Smoothing of a run's loss curves, computed on the full stored series in step order before
 * any downsampling (so a smoothed curve does not depend on the zoom level or on how many
 * points the client asked for).
 *
 * The smoother is a debiased exponential moving average (as TensorBoard's): with factor
 * α ∈ [0, 1), acc ← α·acc + (1 − α)·x and the value shown is acc / (1 − αⁿ) after n finite
 * points — the exponentially weighted mean of the points so far, so the curve starts at the
 * first value instead of rising from 0. α = 0 returns the series unchanged. A point that is
 * not finite (null) stays null and leaves the average untouched, so a divergence is still
 * visible. The state after a prefix lets a client fetch the rest incrementally and get
 * exactly (bit for bit) the values a full pass gives.
 */
import type { Metric } from '../../src-shared/api/records';

export interface EmaState {
  /** α·acc + (1 − α)·x over the finite points so far. */
  readonly acc: number;
  /** αⁿ after n finite points (1 before any). */
  readonly decay: number;
}

export const EMA_START: EmaState = { acc: 0, decay: 1 };

/** Throws a RangeError unless 0 ≤ factor < 1. */
export function checkFactor(factor: number): void {
  if (!(Number.isFinite(factor) && factor >= 0 && factor < 1)) throw new RangeError(`smoothing factor must be in [0, 1), got ${factor}`);
}

/** One point: the smoothed value (null when x is not finite) and the next state. */
export function emaStep(state: EmaState, x: number | null, factor: number): { value: number | null; state: EmaState } {
  if (x === null || !Number.isFinite(x)) return { value: null, state };
  const acc = factor * state.acc + (1 - factor) * x;
  const decay = state.decay * factor;
  return { value: acc / (1 - decay), state: { acc, decay } };
}

/** A series smoothed from `state` (the state after everything before it). */
export function emaSmooth(values: readonly (number | null)[], factor: number, state: EmaState = EMA_START): { values: (number | null)[]; state: EmaState } {
  checkFactor(factor);
  const out: (number | null)[] = new Array<number | null>(values.length);
  let s = state;
  for (let i = 0; i < values.length; i++) {
    const r = emaStep(s, values[i] ?? null, factor);
    out[i] = r.value;
    s = r.state;
  }
  return { values: out, state: s };
}

/** States of the smoothed metric fields. */
export interface MetricSmoothingState {
  readonly loss: EmaState;
  readonly preregLoss: EmaState;
}

export const METRIC_SMOOTHING_START: MetricSmoothingState = { loss: EMA_START, preregLoss: EMA_START };

/** Advances the state over raw (loss, preregLoss) pairs in step order, without building output. */
export function advanceMetricState(
  state: MetricSmoothingState,
  rows: Iterable<{ readonly loss: number | null; readonly preregLoss: number | null }>,
  factor: number,
): MetricSmoothingState {
  checkFactor(factor);
  let loss = state.loss;
  let prereg = state.preregLoss;
  for (const r of rows) {
    loss = emaStep(loss, r.loss, factor).state;
    prereg = emaStep(prereg, r.preregLoss, factor).state;
  }
  return { loss, preregLoss: prereg };
}

/**
 * Metrics in step order with `loss` and `preregLoss` replaced by their smoothed values
 * (every other field unchanged), continuing from `state`.
 */
export function smoothMetrics(points: readonly Metric[], factor: number, state: MetricSmoothingState = METRIC_SMOOTHING_START): { points: Metric[]; state: MetricSmoothingState } {
  checkFactor(factor);
  let loss = state.loss;
  let prereg = state.preregLoss;
  const out = points.map((m) => {
    const l = emaStep(loss, m.loss, factor);
    const p = emaStep(prereg, m.preregLoss, factor);
    loss = l.state;
    prereg = p.state;
    return { ...m, loss: l.value, preregLoss: p.value };
  });
  return { points: out, state: { loss, preregLoss: prereg } };
}
