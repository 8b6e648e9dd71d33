/**
 * A run's export document (run-export.ts) as JSON text in pieces: the record, then the
 * metrics a page at a time, the events a page at a time, the snapshots one by one. The text
 * is exactly `JSON.stringify(store.exportRun(id))`, but memory stays bounded by a page
 * however long the run is, so exports of runs with hundreds of thousands of steps can be
 * streamed to a file or an HTTP response.
 */
import { RUN_EXPORT_FORMAT } from '../../src-shared/api/run-export';
import type { RunStore } from './run-store';

/** Rows per page (metrics and events). */
export const EXPORT_PAGE = 5000;

/** The export of run `id`, piece by piece. Throws before the first piece for a missing run or a corrupted record. */
export function* exportRunChunks(store: RunStore, id: number, page = EXPORT_PAGE): Generator<string> {
  const run = store.getRun(id);
  yield `{"format":${JSON.stringify(RUN_EXPORT_FORMAT)},"version":1,"run":${JSON.stringify(run)},"metrics":[`;
  let first = true;
  for (let after = Number.MIN_SAFE_INTEGER; ;) {
    const rows = store.metricSlice(id, after, page);
    if (rows.length === 0) break;
    const text = rows.map((m) => JSON.stringify(m)).join(',');
    yield first ? text : `,${text}`;
    first = false;
    after = (rows[rows.length - 1] as { step: number }).step;
    if (rows.length < page) break;
  }
  yield '],"events":[';
  first = true;
  for (let after = 0; ;) {
    const rows = store.listEvents(id, after, page);
    if (rows.length === 0) break;
    const text = rows.map((e) => JSON.stringify(e)).join(',');
    yield first ? text : `,${text}`;
    first = false;
    after = (rows[rows.length - 1] as { id: number }).id;
    if (rows.length < page) break;
  }
  yield '],"snapshots":[';
  first = true;
  for (const s of store.listSnapshots(id)) {
    const text = JSON.stringify(store.getSnapshot(s.id));
    yield first ? text : `,${text}`;
    first = false;
  }
  yield ']}';
}

/** Several runs' exports as one JSON array, piece by piece (every run looked up before the first piece). */
export function* exportRunsChunks(store: RunStore, ids: readonly number[], page = EXPORT_PAGE): Generator<string> {
  for (const id of ids) store.getRun(id); // a missing run or a corrupted record fails before anything is sent
  yield '[';
  let first = true;
  for (const id of ids) {
    if (!first) yield ',';
    first = false;
    yield* exportRunChunks(store, id, page);
  }
  yield ']';
}
