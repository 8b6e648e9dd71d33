/**
 * The renderer's one throttle: a task that many triggers may ask for (progress events, run
 * events, a timer) but that runs at most once per interval and never twice at once:
 * requests while it runs or within the interval collapse into one trailing run, so nothing
 * asked for is dropped. This keeps a live run's screen and the run browser's live rows at
 * ≤ 10 updates per second however fast the lab's events arrive. The task may be synchronous
 * or return a promise.
 */

import { realClock, type Clock } from './clock';

export type { Clock };

export interface Throttled {
  /** Asks for a run (soon, or after the one in progress). */
  request(): void;
  /** No more runs; a run in progress finishes but is not followed by another. */
  dispose(): void;
}

export function throttle(
  task: () => Promise<void> | void,
  intervalMs: number,
  onError: (e: unknown) => void = () => {},
  clock: Clock = realClock,
): Throttled {
  let running = false;
  let pending = false;
  let disposed = false;
  let last = -Infinity;
  let timer: unknown;

  const kick = (): void => {
    if (disposed) return;
    if (running) {
      pending = true;
      return;
    }
    const wait = last + intervalMs - clock.now();
    if (wait > 0) {
      if (timer === undefined) {
        timer = clock.setTimeout(() => {
          timer = undefined;
          kick();
        }, wait);
      }
      return;
    }
    running = true;
    pending = false;
    last = clock.now();
    let p: Promise<void>;
    try {
      p = Promise.resolve(task());
    } catch (e) {
      p = Promise.reject(e);
    }
    p.catch(onError).finally(() => {
      running = false;
      if (pending) {
        pending = false;
        kick();
      }
    });
  };

  return {
    request: kick,
    dispose: () => {
      disposed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
