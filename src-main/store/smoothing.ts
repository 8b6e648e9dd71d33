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
export function emaSmooth(
  values: readonly (number | null)[],
  factor: number,
  state: EmaState = EMA_START,
): { values: (number | null)[]; state: EmaState } {
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
 * advanceMetricState over raw (loss, preregLoss) rows as SQLite returns them (NaN stored as
 * NULL): the same arithmetic in a tight loop, for a prefix of a long run.
 */
export function advanceRawRows(
  state: MetricSmoothingState,
  rows: readonly (readonly [number | null, number | null])[],
  factor: number,
): MetricSmoothingState {
  checkFactor(factor);
  let lAcc = state.loss.acc;
  let lDecay = state.loss.decay;
  let pAcc = state.preregLoss.acc;
  let pDecay = state.preregLoss.decay;
  const keep = 1 - factor;
  for (const [l, p] of rows) {
    if (l !== null && Number.isFinite(l)) {
      lAcc = factor * lAcc + keep * l;
      lDecay = lDecay * factor;
    }
    if (p !== null && Number.isFinite(p)) {
      pAcc = factor * pAcc + keep * p;
      pDecay = pDecay * factor;
    }
  }
  return { loss: { acc: lAcc, decay: lDecay }, preregLoss: { acc: pAcc, decay: pDecay } };
}

/**
 * Metrics in step order with `loss` and `preregLoss` replaced by their smoothed values
 * (every other field unchanged), continuing from `state`.
 */
export function smoothMetrics(
  points: readonly Metric[],
  factor: number,
  state: MetricSmoothingState = METRIC_SMOOTHING_START,
): { points: Metric[]; state: MetricSmoothingState } {
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

/** The last row a cached state covers, to check it is still the stored one. */
export interface RowCheck {
  readonly loss: number | null;
  readonly preregLoss: number | null;
}

/**
 * Smoothing states of recent fetches, by run, factor and last step: a screen polling a live run asks
 * for the points after the last step it got, and the state at that step is here, so a poll
 * costs its new points and not a pass over the whole run. An entry is used only when the
 * stored row at its step still holds the values it was computed with (a run that continued
 * from an earlier snapshot has other rows there); otherwise the prefix is read again.
 */
export class SmoothingCache {
  /** By run, factor and step (several screens may poll the same run), least recently used first. */
  private readonly entries = new Map<string, { state: MetricSmoothingState; row: RowCheck }>();

  constructor(private readonly capacity = 64) {}

  private static key(runId: number, factor: number, step: number): string {
    return `${runId}:${factor}:${step}`;
  }

  /** The state after `step`, if cached and `rowAt(step)` still matches. */
  lookup(runId: number, factor: number, step: number, rowAt: (step: number) => RowCheck | undefined): MetricSmoothingState | undefined {
    const key = SmoothingCache.key(runId, factor, step);
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    const row = rowAt(step);
    if (row === undefined || !Object.is(row.loss, e.row.loss) || !Object.is(row.preregLoss, e.row.preregLoss)) {
      this.entries.delete(key);
      return undefined;
    }
    // most recently used last
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.state;
  }

  remember(runId: number, factor: number, step: number, state: MetricSmoothingState, row: RowCheck): void {
    const key = SmoothingCache.key(runId, factor, step);
    this.entries.delete(key);
    this.entries.set(key, { state, row });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}
