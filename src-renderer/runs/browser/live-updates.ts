/**
 * The run browser's live rows: the lab's run events (changed, removed, progress) are
 * collected as they arrive and applied to the rows at most 10 times a second, one batch per
 * flush (the latest state of each run only), so a busy lab never re-renders the table per
 * event and the selection and scroll position are kept.
 */
import type { ApiEvent } from '@shared/api/contract';
import type { RunSummary } from '@shared/api/records';
import { throttle } from '../../lib/throttle';
import type { LiveBatch, RunProgress } from './run-rows';

export interface LiveRows {
  get(id: number): RunSummary | undefined;
  applyLive(batch: LiveBatch): void;
}

/** Follows the lab's events into `rows`; `trashMayHaveChanged` when a run entered or left the trash, or is gone. Returns the unsubscribe. */
export function followLiveRuns(
  events: { on(listener: (e: ApiEvent) => void): () => void },
  rows: LiveRows,
  trashMayHaveChanged: () => void,
  intervalMs = 100,
): () => void {
  const changed = new Map<number, RunSummary>();
  const removed = new Set<number>();
  const progress = new Map<number, RunProgress>();
  const flush = throttle(() => {
    const batch = { changed: [...changed.values()], removed: [...removed], progress: [...progress.values()] };
    changed.clear();
    removed.clear();
    progress.clear();
    rows.applyLive(batch);
  }, intervalMs);
  const off = events.on((e) => {
    if (e.name === 'run.changed') {
      const old = rows.get(e.data.id);
      changed.set(e.data.id, e.data);
      progress.delete(e.data.id);
      if (old === undefined || (old.deletedAt === null) !== (e.data.deletedAt === null)) trashMayHaveChanged();
    } else if (e.name === 'run.removed') {
      removed.add(e.data.id);
      changed.delete(e.data.id);
      trashMayHaveChanged();
    } else if (e.name === 'run.progress') {
      progress.set(e.data.runId, e.data);
    } else {
      return;
    }
    flush.request();
  });
  return () => {
    off();
    flush.dispose();
  };
}
