/**
 * What the run browser shows — status and tag filters, the filter box (conditions and
 * text), the sort and the columns — as the query sent to the lab, as a saved view (stored
 * by the lab, so it survives restarts) and back, and remembered for the session so leaving
 * for a run and coming back finds the table as it was.
 */
import { RunQuerySchema, type RunQuery } from '@shared/api/contract';
import { RUN_STATUSES, type RunStatus, type SavedView } from '@shared/api/records';
import { DEFAULT_COLUMNS, normalizeColumns, type ColumnId } from './columns';
import { EMPTY_FILTER, formatFilter, sameFilter, type ParsedFilter } from './filter';
import { EMPTY_SELECTION, type Selection } from './selection';

export type Sort = NonNullable<RunQuery['sort']>;

export interface BrowserSettings {
  /** Statuses shown (none: all). */
  readonly status: readonly RunStatus[];
  readonly tag: string | undefined;
  /** Only the runs of this problem (undefined: every problem). */
  readonly problem?: string | undefined;
  /** The filter box, as applied (always valid). */
  readonly filter: ParsedFilter;
  /** undefined: newest first. */
  readonly sort: Sort | undefined;
  readonly columns: readonly ColumnId[];
}

export const DEFAULT_SETTINGS: BrowserSettings = {
  status: [],
  tag: undefined,
  filter: EMPTY_FILTER,
  sort: undefined,
  columns: DEFAULT_COLUMNS,
};

/** The query for the table (paging is added by the loader). */
export function queryOf(s: BrowserSettings, trash: boolean): RunQuery {
  const q: RunQuery = {};
  if (s.status.length > 0) q.status = [...s.status];
  if (s.tag !== undefined && s.tag !== '') q.tag = s.tag;
  if (s.problem !== undefined && s.problem !== '') q.problem = s.problem;
  if (s.filter.text !== '') q.text = s.filter.text;
  if (s.filter.conditions.length > 0) q.where = s.filter.conditions.map((c) => ({ ...c }));
  if (s.sort !== undefined) q.sort = { ...s.sort };
  if (trash) q.trash = true;
  return q;
}

/** A saved view's settings (the trash toggle and paging are not part of a view). */
export function toSavedView(s: BrowserSettings): { query: RunQuery; columns: string[] } {
  const { trash: _trash, ...query } = queryOf(s, false);
  return { query, columns: [...s.columns] };
}

/** Settings from a saved view; what cannot be used is left at its default and named in `warnings`. */
export function fromSavedView(view: SavedView['view']): { settings: BrowserSettings; warnings: string[] } {
  const warnings: string[] = [];
  const parsed = RunQuerySchema.safeParse(view.query);
  let q: RunQuery = {};
  if (parsed.success) q = parsed.data;
  else
    warnings.push(
      `its filter could not be read (${parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ')}); showing all runs`,
    );
  const columns = normalizeColumns(view.columns);
  const unknown = view.columns.filter((c) => !(columns as readonly string[]).includes(c));
  if (unknown.length > 0) warnings.push(`unknown columns left out: ${unknown.join(', ')}`);
  return {
    settings: {
      status: (q.status ?? []).filter((s) => (RUN_STATUSES as readonly string[]).includes(s)),
      tag: q.tag,
      problem: q.problem,
      filter: { conditions: q.where ?? [], text: q.text ?? '' },
      sort: q.sort,
      columns: columns.length > 0 ? columns : DEFAULT_COLUMNS,
    },
    warnings,
  };
}

export function sameSettings(a: BrowserSettings, b: BrowserSettings): boolean {
  return (
    a.status.length === b.status.length &&
    a.status.every((s) => b.status.includes(s)) &&
    (a.tag ?? '') === (b.tag ?? '') &&
    (a.problem ?? '') === (b.problem ?? '') &&
    sameFilter(a.filter, b.filter) &&
    a.sort?.field === b.sort?.field &&
    a.sort?.dir === b.sort?.dir &&
    a.columns.length === b.columns.length &&
    a.columns.every((c, i) => c === b.columns[i])
  );
}

/** The filter box's text for settings. */
export const filterTextOf = (s: BrowserSettings): string => formatFilter(s.filter);

/** Clicking a sortable header: the other direction if it is the sort column, else that column in its first direction. */
export function nextSort(current: Sort | undefined, field: Sort['field'], firstDir: Sort['dir']): Sort {
  if (current?.field === field) return { field, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { field, dir: firstDir };
}

// ------------------------------------------------------------------ session memory

export interface BrowserMemory {
  readonly settings: BrowserSettings;
  /** The filter box as typed (possibly not valid yet). */
  readonly filterText: string;
  readonly trash: boolean;
  readonly scrollTop: number;
  readonly selection: Selection;
  /** The saved view last chosen. */
  readonly viewName: string | undefined;
}

export const INITIAL_MEMORY: BrowserMemory = {
  settings: DEFAULT_SETTINGS,
  filterText: '',
  trash: false,
  scrollTop: 0,
  selection: EMPTY_SELECTION,
  viewName: undefined,
};

let memory: BrowserMemory = INITIAL_MEMORY;

export function recall(): BrowserMemory {
  return memory;
}

export function remember(m: BrowserMemory): void {
  memory = m;
}
