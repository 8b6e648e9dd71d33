/**
 * Metric series for the charts: pages of `runs.metrics` appended incrementally (afterStep),
 * and columns aligned on one step axis for uPlot (several series with different steps —
 * raw and smoothed curves, or several runs — joined with nulls where a series has no point).
 */
import type { Metric } from '@shared/api/records';

export interface MetricsPage {
  readonly total: number;
  readonly lastStep: number;
  readonly points: readonly Metric[];
}

/** A series fetched page by page: `lastStep` is the next afterStep to ask for. */
export interface SeriesBuffer {
  readonly points: readonly Metric[];
  readonly lastStep: number;
}

export const EMPTY_BUFFER: SeriesBuffer = { points: [], lastStep: 0 };

/** Appends a page fetched with afterStep = buffer.lastStep (points already held are skipped). */
export function appendPage(buffer: SeriesBuffer, page: MetricsPage): SeriesBuffer {
  const last = buffer.points.length > 0 ? (buffer.points[buffer.points.length - 1] as Metric).step : 0;
  const fresh = page.points.filter((p) => p.step > last);
  return {
    points: fresh.length > 0 ? [...buffer.points, ...fresh] : buffer.points,
    lastStep: Math.max(buffer.lastStep, page.lastStep),
  };
}

/** One column of y values per series, over the x values of that series. */
export interface XY {
  readonly x: readonly number[];
  readonly ys: readonly (readonly (number | null)[])[];
}

/**
 * Joins series on the sorted union of their x values: [x, ...every y column of every series].
 * A series has null where it has no point (uPlot then spans or breaks the line per series).
 */
export function alignSeries(series: readonly XY[]): (number | null)[][] {
  const xs = new Set<number>();
  for (const s of series) for (const x of s.x) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const out: (number | null)[][] = [x];
  for (const s of series) {
    for (const col of s.ys) {
      const y = new Array<number | null>(x.length).fill(null);
      s.x.forEach((xv, i) => {
        y[index.get(xv) as number] = col[i] ?? null;
      });
      out.push(y);
    }
  }
  return out;
}

/** For a log axis: values that are not > 0 (and not finite) become gaps. */
export function positiveOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) && v > 0 ? v : null;
}

const col = (points: readonly Metric[], f: (m: Metric) => number | null, log: boolean): (number | null)[] =>
  points.map((m) => {
    const v = f(m);
    return log ? positiveOrNull(v) : v;
  });

/**
 * Columns of the loss chart: [step, loss, prereg loss] from the raw series, then — when a
 * smoothed series is given — [smoothed loss, smoothed prereg loss] joined on the same axis.
 */
export function lossColumns(raw: readonly Metric[], smooth: readonly Metric[] | null, log: boolean): (number | null)[][] {
  const series: XY[] = [{ x: raw.map((m) => m.step), ys: [col(raw, (m) => m.loss, log), col(raw, (m) => m.preregLoss, log)] }];
  if (smooth) series.push({ x: smooth.map((m) => m.step), ys: [col(smooth, (m) => m.loss, log), col(smooth, (m) => m.preregLoss, log)] });
  return alignSeries(series);
}

/** Columns of the soft-link chart: [step, soft links, λ1]. */
export function linkColumns(raw: readonly Metric[], log = false): (number | null)[][] {
  return [raw.map((m) => m.step), raw.map((m) => (log && !(m.softLinks > 0) ? null : m.softLinks)), raw.map((m) => m.lambda1)];
}
