/**
 * The Compare screen's logic: summary figures of runs side by side as rows of formatted
 * cells, and one curve per run on a shared step axis.
 */
import type { Metric, RunSummary } from '@shared/api/records';
import { formatDuration } from './eta';
import { fmt } from '../../lib/format-number';
import { alignSeries, positiveOrNull } from './series';

export interface FigureRow {
  readonly label: string;
  readonly cells: readonly string[];
  /** Index of the best run for this figure (lowest), when the figure has an order; runs whose verdict failed are never best. */
  readonly best?: number;
  /** Per-run verdicts, for the verdict row. */
  readonly verdicts?: readonly RunSummary['verdict'][];
}

/** Wall-clock duration: end − start, or now − start while going; null before it starts. */
export function runDuration(r: Pick<RunSummary, 'startedAt' | 'endedAt'>, now: number): number | null {
  if (r.startedAt === null) return null;
  return Math.max(0, (r.endedAt ?? now) - r.startedAt);
}

/** The lowest value's index among the runs that may be best (a failed verdict may not), when the values differ. */
function lowest(values: readonly (number | null)[], eligible: readonly boolean[]): number | undefined {
  let best: number | undefined;
  values.forEach((v, i) => {
    if (eligible[i] && v !== null && Number.isFinite(v) && (best === undefined || v < (values[best] as number))) best = i;
  });
  // a best only means something when there are different values to compare
  const finite = values.filter((v, i): v is number => eligible[i] === true && v !== null && Number.isFinite(v));
  return finite.length > 1 && finite.some((v) => v !== finite[0]) ? best : undefined;
}

export function summaryRows(runs: readonly RunSummary[], now: number): FigureRow[] {
  const numeric = (label: string, f: (r: RunSummary) => number | null, format: (v: number) => string = (v) => fmt(v)): FigureRow => {
    const values = runs.map(f);
    const best = lowest(values, eligible);
    return { label, cells: values.map((v) => (v === null ? '—' : format(v))), ...(best !== undefined ? { best } : {}) };
  };
  const eligible = runs.map((r) => r.verdict !== 'failed');
  return [
    { label: 'verdict', cells: runs.map((r) => r.verdict), verdicts: runs.map((r) => r.verdict) },
    { label: 'status', cells: runs.map((r) => (r.statusReason ? `${r.status} (${r.statusReason})` : r.status)) },
    { label: 'estimator', cells: runs.map((r) => r.estimator) },
    { label: 'seed', cells: runs.map((r) => String(r.seed)) },
    numeric(
      'soft links',
      (r) => r.softLinks,
      (v) => String(v),
    ),
    numeric('final loss', (r) => r.finalLoss),
    numeric('best loss', (r) => r.bestLoss),
    numeric('test loss', (r) => r.testLoss),
    numeric('test worst', (r) => r.testWorst),
    { label: 'steps', cells: runs.map((r) => `${r.steps} / ${r.stepBudget}`) },
    numeric('duration', (r) => runDuration(r, now), formatDuration),
  ];
}

/** Curves that can be overlaid on the Compare chart. */
export const OVERLAY_FIELDS = {
  preregLoss: 'prereg loss',
  loss: 'loss',
  softLinks: 'soft links',
} as const;
export type OverlayField = keyof typeof OVERLAY_FIELDS;

/** [step, one column per run] on the union of the runs' steps (nulls where a run has no point). */
export function overlayColumns(runs: readonly (readonly Metric[])[], field: OverlayField, log: boolean): (number | null)[][] {
  return alignSeries(
    runs.map((points) => ({
      x: points.map((m) => m.step),
      ys: [points.map((m) => (log ? positiveOrNull(m[field]) : m[field]))],
    })),
  );
}
