/**
 * What the sweep page shows, as pure functions over a sweep's detail: the axes' fields, the
 * final figures of each point's run, and the data of a scatter plot of one field against
 * one figure (points whose field is not a number, or whose run has no such figure yet, are
 * left out and counted, so the plot never suggests a value a run does not have).
 */
import type { SweepDetail, SweepRun } from '@shared/api/sweep-records';
import type { RunSummary } from '@shared/api/records';

/** The final figures a point's run can be plotted by. */
export const FIGURES = ['softLinks', 'testWorst', 'testLoss', 'finalLoss', 'seconds', 'steps'] as const;
export type Figure = (typeof FIGURES)[number];

export const FIGURE_LABELS: Readonly<Record<Figure, string>> = {
  softLinks: 'soft links',
  testWorst: 'test worst',
  testLoss: 'test loss',
  finalLoss: 'final loss',
  seconds: 'time (s)',
  steps: 'steps',
};

/** A run's figure, or null when it has none (not finished, diverged, never started). */
export function figureOf(r: RunSummary, f: Figure): number | null {
  if (f === 'seconds') return r.startedAt !== null && r.endedAt !== null ? (r.endedAt - r.startedAt) / 1000 : null;
  const v = r[f];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The fields the sweep's axes set (dotted paths), in axis order. */
export function sweepFields(d: Pick<SweepDetail, 'spec' | 'points'>): string[] {
  const axes = d.spec['axes'];
  if (Array.isArray(axes)) {
    const paths = axes.map((a) => (typeof a === 'object' && a !== null ? (a as Record<string, unknown>)['path'] : undefined));
    if (paths.every((p): p is string => typeof p === 'string')) return paths;
  }
  return Object.keys(d.points[0]?.point ?? {});
}

/** A point's value of a field, as text for the table. */
export function pointText(p: SweepRun, field: string): string {
  const v = p.point[field];
  return typeof v === 'string' ? v : v === undefined ? '—' : JSON.stringify(v);
}

export interface Scatter {
  /** x ascending, y alongside (uPlot's aligned data). */
  readonly xs: number[];
  readonly ys: number[];
  /** Run ids alongside. */
  readonly runIds: number[];
  /** Points left out: the field is not a number, or the run has no such figure (yet). */
  readonly leftOut: number;
}

/** The scatter of `field` (x) against `figure` (y) over the sweep's points. */
export function scatterOf(points: readonly SweepRun[], field: string, figure: Figure): Scatter {
  const kept: { x: number; y: number; id: number }[] = [];
  let leftOut = 0;
  for (const p of points) {
    const x = p.point[field];
    const y = figureOf(p.run, figure);
    if (typeof x === 'number' && Number.isFinite(x) && y !== null) kept.push({ x, y, id: p.run.id });
    else leftOut++;
  }
  kept.sort((a, b) => a.x - b.x || a.id - b.id);
  return { xs: kept.map((k) => k.x), ys: kept.map((k) => k.y), runIds: kept.map((k) => k.id), leftOut };
}

/** The success rate in words: `2 of 3 finished runs passed (67 %)`, or why there is none yet. */
export function successText(s: Pick<SweepDetail, 'finished' | 'passed' | 'successRate' | 'runs'>): string {
  if (s.successRate === null) return `no run has finished yet (0 of ${s.runs})`;
  return `${s.passed} of ${s.finished} finished ${s.finished === 1 ? 'run' : 'runs'} passed (${Math.round(s.successRate * 100)} %)`;
}
