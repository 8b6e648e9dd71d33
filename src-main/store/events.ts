/** The events aggregate of the run store: a run's log (cuts, verdicts, errors …), append-only, read oldest first. */
import { ApiError } from '../../src-shared/api/dispatch';
import type { EventRecord } from '../../src-shared/api/records';
import { toEvent, type EventRow } from './rows';
import type { StoreContext } from './store-context';

export interface NewEvent {
  readonly step: number;
  readonly kind: string;
  readonly data?: Record<string, unknown>;
}

export class Events {
  constructor(private readonly ctx: StoreContext) {}

  append(runId: number, event: NewEvent): EventRecord {
    if (!Number.isSafeInteger(event.step))
      throw new ApiError('bad-request', `run ${runId}: event step must be an integer, got ${event.step}`);
    const data = JSON.stringify(event.data ?? {});
    const { ctx } = this;
    return ctx.tx(() => {
      ctx.requireRun(runId);
      const row = ctx
        .sql('INSERT INTO events (run_id, step, kind, at, data) VALUES (?, ?, ?, ?, ?) RETURNING *')
        .get(runId, event.step, event.kind, ctx.clock(), data) as EventRow;
      if (event.kind === 'verdict') this.recordVerdict(runId, event.data);
      return toEvent(row);
    });
  }

  /**
   * A verdict event sets the run's verdict: passed once any attempt passed (the passing
   * attempt is the one kept), failed otherwise.
   */
  private recordVerdict(runId: number, data: Record<string, unknown> | undefined): void {
    const passed = data?.['passed'] === true;
    this.ctx
      .sql(`UPDATE runs SET verdict = CASE WHEN ? = 1 OR verdict = 'passed' THEN 'passed' ELSE 'failed' END WHERE id = ?`)
      .run(passed ? 1 : 0, runId);
  }

  /** Inserts an event as exported (its own time and data), without checks: for imports. */
  insertExported(runId: number, e: { step: number; kind: string; at: number; data?: Record<string, unknown> }): void {
    this.ctx
      .sql('INSERT INTO events (run_id, step, kind, at, data) VALUES (?, ?, ?, ?, ?)')
      .run(runId, Math.trunc(e.step), e.kind, e.at, JSON.stringify(e.data ?? {}));
    if (e.kind === 'verdict') this.recordVerdict(runId, e.data);
  }

  /** Events of a run with id > afterId, oldest first. */
  list(runId: number, afterId = 0, limit?: number): EventRecord[] {
    this.ctx.requireRun(runId);
    const rows = this.ctx
      .sql('SELECT id, run_id, step, kind, at, data FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?')
      .all(runId, afterId, limit ?? -1) as EventRow[];
    return rows.map(toEvent);
  }
}
