/**
 * Runs a function at most once per interval however often it is asked for, and always once
 * more after the last request (nothing asked for is dropped): live updates of the table
 * arrive as fast as the lab sends them and are applied at most 10 times a second.
 */

import { realClock, type Clock } from '../../lib/clock';

export type { Clock };

export class Throttle {
  private timer: unknown;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly fn: () => void,
    readonly intervalMs: number,
    private readonly clock: Clock = realClock,
  ) {}

  /** Asks for a run: now if the last one is an interval ago (on the next tick), else at the end of the interval. */
  request(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.last + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.last = this.clock.now();
      this.fn();
    }, wait);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
