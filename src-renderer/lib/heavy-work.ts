/**
 * Heavy work off the UI thread: the diff's behavioural evidence, the editor's Evaluate and
 * the reference figures run in one Web Worker (heavy.worker.ts, bundled by Vite and loaded
 * from the app's own origin, as the page's Content-Security-Policy allows: `default-src
 * 'self'`). Where no worker can run (a test in Node, a worker that fails to load) the same
 * task runs in the page after a macrotask, so the result is the same either way.
 */
import { runHeavyTask, type HeavyArgs, type HeavyReply, type HeavyRequest, type HeavyResult, type HeavyTask } from './heavy-tasks';

interface Pending {
  readonly request: HeavyRequest;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

let worker: Worker | null | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

function settle(p: Pending, reply: HeavyReply): void {
  if (reply.ok) p.resolve(reply.value);
  else p.reject(new Error(reply.message));
}

function inPage(p: Pending): void {
  setTimeout(() => settle(p, runHeavyTask(p.request)), 0);
}

/** The worker, started on first use; null when none can run here. */
function theWorker(): Worker | null {
  if (worker !== undefined) return worker;
  if (typeof Worker === 'undefined') return (worker = null);
  try {
    const w = new Worker(new URL('./heavy.worker.ts', import.meta.url), { type: 'module', name: 'dmm-lab heavy work' });
    w.onmessage = (e: MessageEvent<HeavyReply>) => {
      const p = pending.get(e.data.id);
      if (!p) return;
      pending.delete(e.data.id);
      settle(p, e.data);
    };
    w.onerror = (e) => {
      // the worker could not load or crashed: say so, and finish what it held in the page
      console.warn(`heavy work runs in the page: the worker failed (${e.message || 'no message'})`);
      w.terminate();
      worker = null;
      for (const p of pending.values()) inPage(p);
      pending.clear();
    };
    worker = w;
  } catch (e) {
    console.warn(`heavy work runs in the page: no worker (${e instanceof Error ? e.message : String(e)})`);
    worker = null;
  }
  return worker;
}

/** Runs `task` off the UI thread (or in the page where no worker runs); rejects with the task's error message. */
export function runHeavy<T extends HeavyTask>(task: T, ...args: HeavyArgs<T>): Promise<HeavyResult<T>> {
  return new Promise<unknown>((resolve, reject) => {
    const p: Pending = { request: { id: nextId++, task, args }, resolve, reject };
    const w = theWorker();
    if (w === null) {
      inPage(p);
      return;
    }
    pending.set(p.request.id, p);
    w.postMessage(p.request);
  }) as Promise<HeavyResult<T>>;
}
