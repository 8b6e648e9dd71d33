/** A small pool of synthesis worker threads with request/reply matching and crash reporting. */
import { Worker } from 'node:worker_threads';
import type { Adam } from '../../src-shared/optim/adam';
import type { Circuit } from '../../src-shared/synthesis/circuit';
import type { WorkerInit, WorkerReply, WorkerRequestBody } from './protocol';

const WORKER_URL = new URL('./worker.ts', import.meta.url);

/**
 * The worker is TypeScript, run the way the CLI runs: register tsx inside the thread,
 * then import the module (a worker's --import hooks do not reach its entry module in Node 20).
 */
const BOOTSTRAP = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;

export class WorkerPool {
  readonly workers: Worker[];
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  constructor(count: number, init: WorkerInit) {
    if (count < 1) throw new RangeError('a worker pool needs at least one worker');
    this.workers = Array.from({ length: count }, () => {
      const w = new Worker(BOOTSTRAP, { eval: true, workerData: init });
      w.on('message', (r: WorkerReply) => {
        const p = this.waiting.get(r.id);
        if (!p) return;
        this.waiting.delete(r.id);
        if (r.kind === 'error') p.reject(new Error(`synthesis worker failed: ${r.message}`));
        else p.resolve(r);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`synthesis worker exited with code ${code}`));
      });
      return w;
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.waiting.values()) p.reject(e);
    this.waiting.clear();
  }

  request(worker: number, msg: WorkerRequestBody): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      (this.workers[worker] as Worker).postMessage({ ...msg, id });
    });
  }

  /** Sends the circuit and the optimiser state to every worker. */
  async sync(circuit: Circuit, adam: Adam): Promise<void> {
    const msg: WorkerRequestBody = {
      kind: 'sync',
      base: circuit.base,
      links: circuit.links,
      weights: Array.from(circuit.weights),
      adam: { settings: adam.settings, state: adam.state() },
    };
    await Promise.all(this.workers.map((_, i) => this.request(i, msg)));
  }

  async close(): Promise<void> {
    this.failure ??= new Error('worker pool closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
