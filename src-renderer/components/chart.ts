/** Shared pieces of the uPlot charts: markers, axis number format, series colours. */
import type uPlot from 'uplot';
import { SERIES_COLORS } from '@shared/render/palette';

/** A vertical line at an x value. */
export interface ChartMarker {
  readonly x: number;
  readonly color: string;
  /** A wider, opaque line (the step chosen in the event log). */
  readonly strong?: boolean;
}

/** Tick increments of a step axis: whole numbers only (1, 2, 5, 10, 20, 50, …). */
export const STEP_INCRS: readonly number[] = Array.from({ length: 8 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** The x axis of a chart over optimiser steps: whole-number ticks, compact labels. */
export function stepAxis(): uPlot.Axis {
  return { incrs: [...STEP_INCRS], values: (_u, splits) => splits.map(tickLabel) };
}

/**
 * Markers worth drawing: at most `most` per kind (evenly over the steps where there are more),
 * of the kinds shown. Returns the markers and, per kind, how many there were.
 */
export function thinMarkers<M extends { readonly x: number; readonly kind: string }>(
  markers: readonly M[],
  shown: ReadonlySet<string>,
  most = 60,
): { readonly markers: M[]; readonly total: ReadonlyMap<string, number> } {
  const byKind = new Map<string, M[]>();
  for (const m of markers) {
    const list = byKind.get(m.kind) ?? [];
    list.push(m);
    byKind.set(m.kind, list);
  }
  const out: M[] = [];
  const total = new Map<string, number>();
  for (const [kind, list] of byKind) {
    total.set(kind, list.length);
    if (!shown.has(kind)) continue;
    if (list.length <= most) out.push(...list);
    else for (let i = 0; i < most; i++) out.push(list[Math.floor((i * list.length) / most)] as M);
  }
  return { markers: out.sort((a, b) => a.x - b.x), total };
}

/** Distinct colours for series of several runs (Compare). */
export { SERIES_COLORS };

export const seriesColor = (i: number): string => SERIES_COLORS[i % SERIES_COLORS.length] as string;

/** A `#rrggbb` colour at the given opacity (`rgba(…)`); other forms are returned as they are. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!m) return color;
  return `rgba(${parseInt(m[1] as string, 16)},${parseInt(m[2] as string, 16)},${parseInt(m[3] as string, 16)},${alpha})`;
}

/** Tick labels: compact numbers (1e-3 as 1e-3, 12000 as 12k). */
export function tickLabel(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  if (a >= 1e4) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

/** A y axis with compact tick labels. */
export function numberAxis(extra: uPlot.Axis = {}): uPlot.Axis {
  return { values: (_u, splits) => splits.map(tickLabel), size: 56, ...extra };
}

/** The y scale of a loss chart: linear or log10. */
export function lossScale(log: boolean): uPlot.Scale {
  return log ? { distr: 3, log: 10 } : { distr: 1 };
}

/**
 * Ticks of a log10 axis: powers of ten, every k-th decade so that at most `most` show (a
 * loss falling from 1e3 to 1e-20 would otherwise fill the chart with grid lines); with
 * three decades or fewer, also 2× and 5×.
 */
export function logSplits(min: number, max: number, most = 7): number[] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const decades = hi - lo;
  const out: number[] = [];
  if (decades <= 3) {
    for (let e = lo; e <= hi; e++) for (const m of [1, 2, 5]) out.push(Number(`${m}e${e}`));
  } else {
    const stride = Math.max(1, Math.ceil(decades / most));
    for (let e = Math.ceil(lo / stride) * stride; e <= hi; e += stride) out.push(Number(`1e${e}`));
  }
  return out.filter((v) => v >= min * (1 - 1e-12) && v <= max * (1 + 1e-12));
}

/** A y axis for a loss: compact labels, and on a log scale the sparse ticks of logSplits. */
export function lossAxis(log: boolean): uPlot.Axis {
  // (uPlot's own log filter would thin the labels again, assuming a tick on every decade)
  return log ? numberAxis({ splits: (_u, _i, min, max) => logSplits(min, max), filter: (_u, splits) => splits }) : numberAxis();
}
