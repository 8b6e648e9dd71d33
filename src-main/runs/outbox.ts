/**
 * The sending side of the worker → host protocol, independent of the transport (a Node IPC
 * channel, an Electron message port, or a job queue carrying the same messages).
 *
 * Every message carries a sequence number (1, 2, 3, … per run process). The outbox keeps each
 * message it sent until the receiver acknowledges it (an ack of `seq` acknowledges every
 * message up to `seq`); the receiver stores messages idempotently by sequence number, so
 * sending one twice (after a recovery) changes nothing. At most `window` messages may be
 * unacknowledged before `room()` makes the sender wait: a receiver that falls behind slows
 * the run down instead of piling up work (backpressure). What is still unacknowledged when
 * the process must end is handed to `unacknowledged()` — the run process writes it to a
 * recovery file that the host imports at its next start.
 */

export interface Sequenced {
  readonly seq: number;
}

export interface OutboxOptions {
  /** Messages that may be unacknowledged before `room()` waits (≥ 1). */
  readonly window: number;
}

export class Outbox<M extends Sequenced> {
  private readonly pending: M[] = [];
  private acked = 0;
  private closed = false;
  private waiters: (() => void)[] = [];
  readonly window: number;

  constructor(
    private readonly transmit: (m: M) => void,
    opts: OutboxOptions,
  ) {
    if (!Number.isInteger(opts.window) || opts.window < 1) throw new RangeError(`outbox window must be an integer ≥ 1, got ${opts.window}`);
    this.window = opts.window;
  }

  /** Keeps `m` until it is acknowledged and transmits it (never blocks, never throws for a closed transport). */
  push(m: M): void {
    if (m.seq > 0 && m.seq > this.acked) this.pending.push(m);
    if (this.closed) return;
    try {
      this.transmit(m);
    } catch {
      // the transport is gone: the message stays pending and goes to the recovery file
    }
  }

  /** The receiver stored everything up to `seq`. */
  ack(seq: number): void {
    if (!Number.isFinite(seq) || seq <= this.acked) return;
    this.acked = seq;
    let drop = 0;
    while (drop < this.pending.length && (this.pending[drop] as M).seq <= seq) drop++;
    if (drop > 0) this.pending.splice(0, drop);
    this.wake();
  }

  /** Highest sequence number acknowledged. */
  get acknowledged(): number {
    return this.acked;
  }

  /** Messages sent and not yet acknowledged, oldest first. */
  unacknowledged(): M[] {
    return this.pending.slice();
  }

  /** Resolves once fewer than `window` messages are unacknowledged (or the outbox is closed). */
  room(): Promise<void> {
    const free = (): boolean => this.closed || this.pending.length < this.window;
    if (free()) return Promise.resolve();
    return new Promise((resolve) => {
      const wait = (): void => {
        if (free()) resolve();
        else this.waiters.push(wait);
      };
      this.waiters.push(wait);
    });
  }

  /** Messages sent and not yet acknowledged. */
  get inFlight(): number {
    return this.pending.length;
  }

  /**
   * Resolves true once every message sent is acknowledged, false after `timeoutMs`
   * (or when the outbox is closed) with some still unacknowledged.
   */
  drained(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        if (this.pending.length === 0) {
          clearTimeout(timer);
          resolve(true);
          return true;
        }
        if (this.closed) {
          clearTimeout(timer);
          resolve(false);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => resolve(this.pending.length === 0), Math.max(0, timeoutMs));
      if (check()) return;
      const wait = (): void => {
        if (!check()) this.waiters.push(wait);
      };
      this.waiters.push(wait);
    });
  }

  /** The receiver is gone: nothing more is transmitted, and whoever waits stops waiting. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(); // a waiter whose condition does not hold yet queues itself again
  }
}
