/**
 * The run table's columns: how each shows a run, what it exports to CSV, and which run
 * field it sorts by on the server (architecture and tags do not sort: the query has no such
 * field). The chooser shows and hides them; the order is always this one.
 */
import type { RunField } from '@shared/api/contract';
import type { RunSummary } from '@shared/api/records';
import { formatDateTime, formatDuration, formatInt, formatNumber, isoDateTime, MISSING, runDuration } from './format';

export const COLUMN_IDS = [
  'id',
  'status',
  'verdict',
  'name',
  // the figures a run is judged by come right after its name, so they stay in view beside a side panel
  'softLinks',
  'finalLoss',
  'bestLoss',
  'testLoss',
  'testWorst',
  'sweep',
  'problem',
  'architecture',
  'estimator',
  'ranOn',
  'seed',
  'createdAt',
  'startedAt',
  'endedAt',
  'duration',
  'steps',
  'tags',
  'statusReason',
] as const;
export type ColumnId = (typeof COLUMN_IDS)[number];

/** What a column may need besides the run. */
export interface ColumnContext {
  /** Library architectures by id: `name vN`. */
  readonly architectures: ReadonlyMap<number, string>;
  /** Sweeps by id: their names (a sweep not listed shows as `sweep N`). */
  readonly sweeps?: ReadonlyMap<number, string>;
  /** Now, for the duration of runs that have not ended. */
  readonly now: number;
}

export type CsvValue = string | number | null;

export interface ColumnDef {
  readonly id: ColumnId;
  readonly label: string;
  /** Tooltip of the header. */
  readonly title: string;
  /** Width in px. */
  readonly width: number;
  readonly align: 'left' | 'right';
  /** Server-side sort field; none: not sortable. */
  readonly sort?: RunField;
  /** First direction when the header is clicked. */
  readonly firstDir?: 'asc' | 'desc';
  readonly text: (r: RunSummary, c: ColumnContext) => string;
  readonly csv: (r: RunSummary, c: ColumnContext) => CsvValue;
}

const architectureOf = (r: RunSummary, c: ColumnContext): string | null =>
  r.architectureId === null ? r.startPoint || null : (c.architectures.get(r.architectureId) ?? `architecture ${r.architectureId}`);

const num = (id: 'finalLoss' | 'bestLoss' | 'testLoss' | 'testWorst', label: string, title: string, width = 100): ColumnDef => ({
  id,
  label,
  title,
  width,
  align: 'right',
  sort: id,
  firstDir: 'asc',
  text: (r) => formatNumber(r[id]),
  csv: (r) => r[id],
});

const time = (id: 'createdAt' | 'startedAt' | 'endedAt', label: string, title: string): ColumnDef => ({
  id,
  label,
  title,
  width: 140,
  align: 'left',
  sort: id,
  firstDir: 'desc',
  text: (r) => formatDateTime(r[id]),
  csv: (r) => isoDateTime(r[id]),
});

const DEFS: readonly ColumnDef[] = [
  {
    id: 'id',
    label: 'ID',
    title: 'Run id',
    width: 56,
    align: 'right',
    sort: 'id',
    firstDir: 'desc',
    text: (r) => String(r.id),
    csv: (r) => r.id,
  },
  {
    id: 'status',
    label: 'Status',
    title: 'Status of the run',
    width: 96,
    align: 'left',
    sort: 'status',
    firstDir: 'asc',
    text: (r) => r.status,
    csv: (r) => r.status,
  },
  {
    id: 'verdict',
    label: 'Verdict',
    title: 'The final check of the run’s circuit (passed / failed / none); filter with verdict = failed',
    width: 84,
    align: 'left',
    sort: 'verdict',
    firstDir: 'asc',
    text: (r) => r.verdict,
    csv: (r) => r.verdict,
  },
  {
    id: 'name',
    label: 'Name',
    title: 'Name of the run',
    width: 200,
    align: 'left',
    sort: 'name',
    firstDir: 'asc',
    text: (r) => r.name,
    csv: (r) => r.name,
  },
  {
    id: 'sweep',
    label: 'Sweep',
    title: 'The sweep the run belongs to (filter with sweepId = N; its page is under Sweeps)',
    width: 140,
    align: 'left',
    sort: 'sweepId',
    firstDir: 'asc',
    text: (r, c) => (r.sweepId === null ? '' : `#${r.sweepId} ${c.sweeps?.get(r.sweepId) ?? ''}`.trim()),
    csv: (r) => r.sweepId,
  },
  {
    id: 'problem',
    label: 'Problem',
    title: 'Problem the run solves',
    width: 92,
    align: 'left',
    sort: 'problem',
    firstDir: 'asc',
    text: (r) => (r.problemVersion !== null ? `${r.problem} v${r.problemVersion}` : r.problem),
    csv: (r) => (r.problemVersion !== null ? `${r.problem} v${r.problemVersion}` : r.problem),
  },
  {
    id: 'architecture',
    label: 'Architecture',
    title: "The library architecture the run started from, or its schedule's starting point; not sortable",
    width: 120,
    align: 'left',
    text: (r, c) => architectureOf(r, c) ?? MISSING,
    csv: (r, c) => architectureOf(r, c),
  },
  {
    id: 'estimator',
    label: 'Estimator',
    title: 'Gradient estimator: exact gradients or evolution strategies',
    width: 92,
    align: 'left',
    sort: 'estimator',
    firstDir: 'asc',
    text: (r) => r.estimator,
    csv: (r) => r.estimator,
  },
  {
    id: 'ranOn',
    label: 'Ran on',
    title: 'Where the run ran: local (this machine) or the host name of the cluster worker that took it; not sortable',
    width: 110,
    align: 'left',
    text: (r) => r.ranOn ?? '',
    csv: (r) => r.ranOn,
  },
  {
    id: 'seed',
    label: 'Seed',
    title: 'Seed of every random draw of the run',
    width: 64,
    align: 'right',
    sort: 'seed',
    firstDir: 'asc',
    text: (r) => String(r.seed),
    csv: (r) => r.seed,
  },
  time('createdAt', 'Created', 'When the run was created (queued)'),
  time('startedAt', 'Started', 'When the run started'),
  time('endedAt', 'Ended', 'When the run ended'),
  {
    id: 'duration',
    label: 'Duration',
    title: 'Wall time from start to end (so far, while running)',
    width: 84,
    align: 'right',
    sort: 'duration',
    firstDir: 'desc',
    text: (r, c) => formatDuration(runDuration(r, c.now)),
    csv: (r) => (r.startedAt !== null && r.endedAt !== null ? r.endedAt - r.startedAt : null),
  },
  {
    id: 'steps',
    label: 'Steps',
    title: 'Optimiser steps done / step budget',
    width: 104,
    align: 'right',
    sort: 'steps',
    firstDir: 'desc',
    text: (r) => `${formatInt(r.steps)} / ${formatInt(r.stepBudget)}`,
    csv: (r) => r.steps,
  },
  {
    id: 'softLinks',
    label: 'Soft links',
    title: 'Soft links (trainable weights) of the current or final circuit',
    width: 90,
    align: 'right',
    sort: 'softLinks',
    firstDir: 'asc',
    text: (r) => formatInt(r.softLinks),
    csv: (r) => r.softLinks,
  },
  num('finalLoss', 'Final loss', 'Training loss (no regulariser) of the last step'),
  num('bestLoss', 'Best loss', 'Lowest training loss (no regulariser) of any step'),
  num('testLoss', 'Test loss', 'Loss of the final circuit on the held-out test suite'),
  num('testWorst', 'Test worst', 'Worst per-element squared error of the final circuit on the test suite'),
  {
    id: 'tags',
    label: 'Tags',
    title: 'Tags; not sortable',
    width: 160,
    align: 'left',
    text: (r) => r.tags.join(', '),
    csv: (r) => r.tags.join(';'),
  },
  {
    id: 'statusReason',
    label: 'Reason',
    title: 'Why the run ended as it did; not sortable',
    width: 200,
    align: 'left',
    text: (r) => r.statusReason,
    csv: (r) => r.statusReason,
  },
];

const BY_ID = new Map<ColumnId, ColumnDef>(DEFS.map((c) => [c.id, c]));

/** Every column, in table order (COLUMN_IDS). */
export const COLUMNS: readonly ColumnDef[] = COLUMN_IDS.map((id) => BY_ID.get(id) as ColumnDef);

export const DEFAULT_COLUMNS: readonly ColumnId[] = [
  'status',
  'verdict',
  'name',
  'softLinks',
  'finalLoss',
  'bestLoss',
  'testLoss',
  'testWorst',
  'sweep',
  'problem',
  'architecture',
  'estimator',
  'seed',
  'startedAt',
  'duration',
  'tags',
];

export const isColumnId = (x: unknown): x is ColumnId => typeof x === 'string' && BY_ID.has(x as ColumnId);

export function columnDef(id: ColumnId): ColumnDef {
  return BY_ID.get(id) as ColumnDef;
}

/** The known columns among `ids`, once each, in table order (at least the name). */
export function normalizeColumns(ids: readonly unknown[]): ColumnId[] {
  const wanted = new Set(ids.filter(isColumnId));
  const out = COLUMN_IDS.filter((id) => wanted.has(id));
  return out.length > 0 ? out : ['name'];
}

/** The same columns with `id` shown or hidden. */
export function toggleColumn(ids: readonly ColumnId[], id: ColumnId, show: boolean): ColumnId[] {
  return normalizeColumns(show ? [...ids, id] : ids.filter((c) => c !== id));
}

/** CSS grid-template-columns for the given columns (after a leading checkbox column). */
export function gridTemplate(ids: readonly ColumnId[], checkboxWidth = 32): string {
  return [`${checkboxWidth}px`, ...ids.map((id) => `${columnDef(id).width}px`)].join(' ');
}

export function tableWidth(ids: readonly ColumnId[], checkboxWidth = 32): number {
  return ids.reduce((w, id) => w + columnDef(id).width, checkboxWidth);
}
