/**
 * A reader thread: its own read-only connection to the lab database (SQLite's WAL lets it
 * read while the main process writes), serving the API's read methods off the writer's
 * event loop. Replies come back as JSON text, serialised here, so the main thread only
 * passes them on. Exports are pulled piece by piece (export-stream.ts): the thread makes
 * the next piece only when asked, so memory stays bounded however long the run.
 *
 * Messages in: `{kind: 'call', id, method, params}`, `{kind: 'export', id, ids}`,
 * `{kind: 'pull', id}`, `{kind: 'cancel', id}`. Out: `{id, reply}` for a call (the wire reply,
 * result as `json` text), `{id, chunk}` / `{id, done: true}` / `{id, error}` for an export.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { API } from '../../src-shared/api/contract';
import { ApiError, formatIssues, toErrorBody } from '../../src-shared/api/dispatch';
import { exportRunsChunks } from '../store/export-stream';
import { RunStore } from '../store/run-store';
import { isReadMethod, readHandlers } from './read-handlers';

export interface ReaderInit {
  readonly db: string;
  readonly nativeBinding?: string;
}

export type ReaderRequest =
  | { kind: 'call'; id: number; method: string; params: unknown }
  | { kind: 'export'; id: number; ids: number[] }
  | { kind: 'pull'; id: number }
  | { kind: 'cancel'; id: number };

type ErrorBody = ReturnType<typeof toErrorBody>;
/** A call's reply: the wire reply with the result as JSON text. */
export type ReaderCallReply = { ok: true; json: string } | { ok: false; error: ErrorBody };

export type ReaderReply =
  { id: number; reply: ReaderCallReply } | { id: number; chunk: string } | { id: number; done: true } | { id: number; error: ErrorBody };

const init = workerData as ReaderInit;
const store = RunStore.open(init.db, { readonly: true, ...(init.nativeBinding ? { nativeBinding: init.nativeBinding } : {}) });
const handlers = readHandlers(store);
const exports = new Map<number, Generator<string>>();
const port = parentPort;
if (!port) throw new Error('the reader must run in a worker thread');

function call(method: string, params: unknown): ReaderCallReply {
  try {
    if (!isReadMethod(method)) throw new ApiError('bad-request', `${method} is not a read`);
    const parsed = API[method].params.safeParse(params ?? {});
    if (!parsed.success) throw new ApiError('bad-request', `${method}: ${formatIssues(parsed.error.issues)}`);
    const result = (handlers[method] as (p: unknown) => unknown)(parsed.data);
    return { ok: true, json: JSON.stringify(result) };
  } catch (e) {
    return { ok: false, error: toErrorBody(e) };
  }
}

function pull(id: number): void {
  const g = exports.get(id);
  if (!g) return;
  try {
    const next = g.next();
    if (next.done) {
      exports.delete(id);
      port?.postMessage({ id, done: true } satisfies ReaderReply);
    } else port?.postMessage({ id, chunk: next.value } satisfies ReaderReply);
  } catch (e) {
    exports.delete(id);
    port?.postMessage({ id, error: toErrorBody(e) } satisfies ReaderReply);
  }
}

port.on('message', (m: ReaderRequest) => {
  switch (m.kind) {
    case 'call':
      port.postMessage({ id: m.id, reply: call(m.method, m.params) } satisfies ReaderReply);
      break;
    case 'export':
      exports.set(m.id, exportRunsChunks(store, m.ids));
      pull(m.id);
      break;
    case 'pull':
      pull(m.id);
      break;
    case 'cancel':
      exports.get(m.id)?.return(undefined);
      exports.delete(m.id);
      break;
  }
});
