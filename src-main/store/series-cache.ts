/**
 * The (step, loss, preregLoss) series of a few runs, kept between reads so that a
 * downsampled curve of a long run — what every chart asks for — costs a look at the rows
 * added since, not a read of hundreds of thousands of rows. A run's metrics only grow at the
 * end, except when a run continues from one of its own snapshots (the rows after it are
 * replaced): so before each use the cached last row is compared with the stored one, and a
 * series whose last row changed or went is read again.
 */
import { finiteOrNull } from './rows';
import type { StoreContext } from './store-context';

export interface LightSeries {
  readonly steps: number[];
  readonly loss: (number | null)[];
  readonly prereg: (number | null)[];
}

interface Entry extends LightSeries {
  /** The stored row the series ends with: (loss, prereg_loss, wall_ms) as read (NULL as null). */
  tail: [number | null, number | null, number | null] | undefined;
}

type Row = [step: number, loss: number | null, prereg: number | null, wall: number | null];

/** Runs whose series are kept (least recently used go first). */
const RUNS = 4;

export class SeriesCache {
  private readonly entries = new Map<number, Entry>();

  constructor(private readonly ctx: StoreContext) {}

  /** The run's whole series, brought up to date. */
  series(runId: number): LightSeries {
    let e = this.entries.get(runId);
    if (e && !this.stillValid(runId, e)) e = undefined;
    if (!e) e = { steps: [], loss: [], prereg: [], tail: undefined };
    const after = e.steps.length > 0 ? (e.steps[e.steps.length - 1] as number) : Number.MIN_SAFE_INTEGER;
    const rows = this.ctx
      .sql('SELECT step, loss, prereg_loss, wall_ms FROM metrics WHERE run_id = ? AND step > ? ORDER BY step')
      .raw(true)
      .all(runId, after) as Row[];
    for (const r of rows) {
      e.steps.push(r[0]);
      e.loss.push(finiteOrNull(r[1]));
      e.prereg.push(finiteOrNull(r[2]));
    }
    const last = rows[rows.length - 1];
    if (last) e.tail = [last[1], last[2], last[3]];
    this.entries.delete(runId);
    this.entries.set(runId, e);
    while (this.entries.size > RUNS) this.entries.delete(this.entries.keys().next().value as number);
    return e;
  }

  private stillValid(runId: number, e: Entry): boolean {
    if (e.tail === undefined) return true;
    const step = e.steps[e.steps.length - 1];
    const row = this.ctx.sql('SELECT loss, prereg_loss, wall_ms FROM metrics WHERE run_id = ? AND step = ?').raw(true).get(runId, step) as
      [number | null, number | null, number | null] | undefined;
    return row !== undefined && row.every((v, i) => Object.is(v, e.tail?.[i]));
  }

  /** Forgets every series (after rows were deleted). */
  clear(): void {
    this.entries.clear();
  }
}

/** Index of the first step greater than `after` in ascending `steps`. */
export function firstAfter(steps: readonly number[], after: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((steps[mid] as number) > after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
