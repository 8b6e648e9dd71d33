/**
 * Reads off the writer's event loop: three reader threads (reader-worker.ts), each with its
 * own read-only connection — a quick lane (run lists, one run, events, snapshots…), a curve
 * lane (downsampled metric curves) and a heavy lane (exports, full series) — so that a long
 * export never makes the run list wait, a long curve neither, and none of them makes the main
 * thread (which stores what runs report) wait. A thread is started on its lane's first read.
 *
 * A thread that dies fails what it was doing with a clear error and is started again on the
 * next request.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReaderCallReply, ReaderInit, ReaderReply, ReaderRequest } from './reader-worker';
import { isReadMethod } from './read-handlers';

/** A curve or event page up to this many points is a light read. */
const LIGHT_POINTS = 10_000;

const TS_ENTRY = new URL('./reader-worker.ts', import.meta.url);
const JS_ENTRY = new URL('./reader-worker.js', import.meta.url);

/** Source (tsx registered inside the thread, as the CLI runs) or the built file beside this one. */
function spawnReader(init: ReaderInit): Worker {
  if (existsSync(fileURLToPath(TS_ENTRY))) {
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(TS_ENTRY.href)}); })`;
    return new Worker(bootstrap, { eval: true, workerData: init });
  }
  return new Worker(JS_ENTRY, { workerData: init });
}

type Pending =
  | { kind: 'call'; resolve: (r: ReaderCallReply) => void }
  | { kind: 'export'; resolve: (r: { chunk: string } | { done: true }) => void; reject: (e: Error) => void };

class Lane {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly init: ReaderInit) {}

  private get thread(): Worker {
    if (this.worker) return this.worker;
    const w = spawnReader(this.init);
    w.unref();
    w.on('message', (m: ReaderReply) => this.onReply(m));
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const [, p] of this.pending) {
        if (p.kind === 'call') p.resolve({ ok: false, error: { code: 'internal', message: `the reader thread ${why}` } });
        else p.reject(new Error(`the reader thread ${why}`));
      }
      this.pending.clear();
    };
    w.on('error', (e) => lost(`failed: ${e.message}`));
    w.on('exit', (code) => lost(`ended (exit code ${code})`));
    this.worker = w;
    return w;
  }

  private onReply(m: ReaderReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if ('reply' in m) {
      this.pending.delete(m.id);
      if (p.kind === 'call') p.resolve(m.reply);
    } else if (p.kind === 'export') {
      if ('error' in m) {
        this.pending.delete(m.id);
        p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      } else if ('done' in m) {
        this.pending.delete(m.id);
        p.resolve({ done: true });
      } else p.resolve({ chunk: m.chunk });
    }
  }

  private send(r: ReaderRequest): void {
    this.thread.postMessage(r);
  }

  call(method: string, params: unknown): Promise<ReaderCallReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { kind: 'call', resolve });
      this.send({ kind: 'call', id, method, params });
    });
  }

  /** The pieces of an export, each made only when the previous one was taken. */
  async *exportPieces(ids: number[]): AsyncGenerator<string> {
    const id = this.nextId++;
    const next = (first: boolean) =>
      new Promise<{ chunk: string } | { done: true }>((resolve, reject) => {
        this.pending.set(id, { kind: 'export', resolve, reject });
        this.send(first ? { kind: 'export', id, ids } : { kind: 'pull', id });
      });
    let finished = false;
    try {
      for (let first = true; ; first = false) {
        const r = await next(first);
        if ('done' in r) {
          finished = true;
          return;
        }
        yield r.chunk;
      }
    } finally {
      this.pending.delete(id);
      if (!finished) this.worker?.postMessage({ kind: 'cancel', id } satisfies ReaderRequest);
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

export class ReaderPool {
  private readonly quick: Lane;
  private readonly curves: Lane;
  private readonly heavy: Lane;

  constructor(init: ReaderInit) {
    this.quick = new Lane(init);
    this.curves = new Lane(init);
    this.heavy = new Lane(init);
  }

  /** Whether `method` is served here (the API's reads). */
  handles(method: string): boolean {
    return isReadMethod(method);
  }

  private laneFor(method: string, params: unknown): Lane {
    const p = (params ?? {}) as { maxPoints?: unknown; limit?: unknown };
    if (method === 'runs.export') return this.heavy;
    if (method === 'runs.metrics') return typeof p.maxPoints === 'number' && p.maxPoints <= LIGHT_POINTS ? this.curves : this.heavy;
    if (method === 'runs.events') return typeof p.limit === 'number' && p.limit <= LIGHT_POINTS ? this.quick : this.heavy;
    return this.quick;
  }

  /** A read method's reply, its result as JSON text. */
  call(method: string, params: unknown): Promise<ReaderCallReply> {
    return this.laneFor(method, params).call(method, params);
  }

  /** The runs' export document (a JSON array) piece by piece, with bounded memory; throws before the first piece for a missing run. */
  exportPieces(ids: number[]): AsyncGenerator<string> {
    return this.heavy.exportPieces(ids);
  }

  async close(): Promise<void> {
    await Promise.all([this.quick.close(), this.curves.close(), this.heavy.close()]);
  }
}
