/**
 * The runs of the table for one query: loaded in pages (a small first page so the table
 * shows at once, then the rest in the background), kept up to date by the lab's events, and
 * reloaded when an event brings a run the table does not hold. Every change hands out a new
 * immutable snapshot (the component stores it as raw state).
 *
 * Live changes: a changed run that is listed is replaced in place (its position is kept
 * until the next reload: no row jumps under the pointer); one that no longer belongs to the
 * view by what can be told here (trash, status and tag filters) leaves it; one that is not
 * listed but may belong (a new run, a restored one) makes the list reload in the background
 * and swap in whole. Progress events update the figures of running runs in place.
 */
import type { ApiEvent, RunQuery } from '@shared/api/contract';
import type { RunSummary } from '@shared/api/records';
import type { RowOrder } from './selection';

export type ListFn = (q: RunQuery) => Promise<{ total: number; runs: RunSummary[] }>;

export type RunProgress = Extract<ApiEvent, { name: 'run.progress' }>['data'];

export interface RowsSnapshot {
  readonly rows: readonly RunSummary[];
  /** Runs matching the query (rows may hold fewer while loading). */
  readonly total: number;
  /** Every page is in. */
  readonly complete: boolean;
  readonly loading: boolean;
  readonly error: string | undefined;
  readonly query: RunQuery;
}

/** Why the snapshot changed: a new query started, a page arrived, a reload was swapped in, live events, a failure. */
export type ChangeReason = 'start' | 'page' | 'replaced' | 'live' | 'error';

export interface LiveBatch {
  readonly changed: readonly RunSummary[];
  readonly removed: readonly number[];
  readonly progress: readonly RunProgress[];
}

export interface PageSizes {
  readonly first: number;
  readonly next: number;
}

export const DEFAULT_PAGES: PageSizes = { first: 200, next: 2000 };

/** Whether a run belongs to the view as far as the trash, status and tag filters tell. */
export function mayMatch(r: RunSummary, q: RunQuery): boolean {
  if ((r.deletedAt !== null) !== (q.trash === true)) return false;
  if (q.status !== undefined && q.status.length > 0 && !q.status.includes(r.status)) return false;
  if (q.tag !== undefined && !r.tags.includes(q.tag)) return false;
  return true;
}

/** The run's figures after a progress event. */
export function withProgress(r: RunSummary, p: RunProgress): RunSummary {
  const loss = p.preregLoss;
  const best = loss === null ? r.bestLoss : r.bestLoss === null ? loss : Math.min(r.bestLoss, loss);
  return { ...r, steps: Math.max(r.steps, p.step), softLinks: p.softLinks, finalLoss: loss, bestLoss: best, stepBudget: p.stepBudget };
}

export class RunRows implements RowOrder {
  private rows: readonly RunSummary[] = [];
  private index = new Map<number, number>();
  private total = 0;
  private complete = false;
  private loading = false;
  private error: string | undefined;
  private query: RunQuery = {};
  private generation = 0;
  /** An event asked for a reload while a load was running. */
  private dirty = false;
  /** Live summaries received while loading: newer than what the pages may bring. */
  private recent = new Map<number, RunSummary>();
  private current: RowsSnapshot;

  constructor(
    private readonly list: ListFn,
    private readonly onChange: (s: RowsSnapshot, reason: ChangeReason) => void,
    private readonly pages: PageSizes = DEFAULT_PAGES,
    private readonly describe: (e: unknown) => string = (e) => (e instanceof Error ? e.message : String(e)),
  ) {
    this.current = this.makeSnapshot();
  }

  get snapshot(): RowsSnapshot {
    return this.current;
  }

  get count(): number {
    return this.rows.length;
  }

  idAt(i: number): number | undefined {
    return this.rows[i]?.id;
  }

  indexOf(id: number): number | undefined {
    return this.index.get(id);
  }

  get(id: number): RunSummary | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.rows[i];
  }

  private makeSnapshot(): RowsSnapshot {
    return { rows: this.rows, total: this.total, complete: this.complete, loading: this.loading, error: this.error, query: this.query };
  }

  private emit(reason: ChangeReason): void {
    this.current = this.makeSnapshot();
    this.onChange(this.current, reason);
  }

  private setRows(rows: readonly RunSummary[]): void {
    this.rows = rows;
    this.index = new Map(rows.map((r, i) => [r.id, i]));
  }

  /**
   * Loads the query's runs. `fresh` (a new query): the table empties and fills page by
   * page. `refresh` (same query, after live changes): the current rows stay until the new
   * list is complete, then it is swapped in whole. A newer load makes an older one stop.
   */
  async load(query: RunQuery, mode: 'fresh' | 'refresh' = 'fresh'): Promise<void> {
    const generation = ++this.generation;
    this.query = query;
    this.loading = true;
    this.dirty = false;
    this.recent.clear();
    if (mode === 'fresh') {
      this.setRows([]);
      this.total = 0;
      this.complete = false;
      this.error = undefined;
      this.emit('start');
    }
    const acc: RunSummary[] = [];
    const seen = new Set<number>();
    try {
      let offset = 0;
      let total = Number.POSITIVE_INFINITY;
      while (offset < total) {
        const r = await this.list({ ...query, offset, limit: offset === 0 ? this.pages.first : this.pages.next });
        if (generation !== this.generation) return;
        total = r.total;
        for (const run of r.runs) {
          // a run created while paging shifts the later pages by one: never list it twice
          if (seen.has(run.id)) continue;
          seen.add(run.id);
          acc.push(this.recent.get(run.id) ?? run);
        }
        offset += r.runs.length;
        if (r.runs.length === 0) break;
        if (mode === 'fresh' && offset < total) {
          this.setRows(acc.slice());
          this.total = Math.max(total, acc.length);
          this.emit('page');
        }
      }
      this.loading = false;
      this.error = undefined;
      this.setRows(acc);
      this.total = acc.length;
      this.complete = true;
      this.emit(mode === 'fresh' ? 'page' : 'replaced');
    } catch (e) {
      if (generation !== this.generation) return;
      this.loading = false;
      this.error = this.describe(e);
      this.emit('error');
      return;
    }
    if (this.dirty) void this.load(this.query, 'refresh');
  }

  /** Loads the same query again in the background (swapped in when complete). */
  refresh(): void {
    if (this.loading) this.dirty = true;
    else void this.load(this.query, 'refresh');
  }

  /** Applies a batch of live events (see the module comment). */
  applyLive(batch: LiveBatch): void {
    if (batch.changed.length === 0 && batch.removed.length === 0 && batch.progress.length === 0) return;
    const rows = this.rows.slice();
    const drop = new Set<number>();
    let reload = false;
    for (const run of batch.changed) {
      if (this.loading) this.recent.set(run.id, run);
      const i = this.index.get(run.id);
      const belongs = mayMatch(run, this.query);
      if (i !== undefined) {
        if (belongs) rows[i] = run;
        else drop.add(i);
      } else if (belongs) {
        reload = true;
      }
    }
    for (const id of batch.removed) {
      const i = this.index.get(id);
      if (i !== undefined) drop.add(i);
      this.recent.delete(id);
    }
    for (const p of batch.progress) {
      const i = this.index.get(p.runId);
      if (i !== undefined) rows[i] = withProgress(rows[i] as RunSummary, p);
    }
    if (drop.size > 0) {
      this.setRows(rows.filter((_, i) => !drop.has(i)));
      this.total = Math.max(this.rows.length, this.total - drop.size);
      // a removal shifts the pages still to come: reload once this load is done
      if (this.loading) this.dirty = true;
    } else {
      this.rows = rows;
    }
    this.emit('live');
    if (reload) this.refresh();
  }

  /** Stops listening to pending loads (the component is going away). */
  dispose(): void {
    this.generation++;
  }
}
