/**
 * The sending side of the worker → host protocol (src-main/runs/outbox.ts): messages are
 * kept until acknowledged, an ack covers everything up to its number, the window makes the
 * sender wait, and `drained` tells whether everything was acknowledged in time.
 */
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src-main/runs/outbox';

type M = { seq: number; body: string };
const msg = (seq: number): M => ({ seq, body: `m${seq}` });

function box(window = 3) {
  const sent: M[] = [];
  const b = new Outbox<M>((m) => sent.push(m), { window });
  return { b, sent };
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
};

describe('Outbox', () => {
  it('transmits at once and keeps every message until an ack covers it', () => {
    const { b, sent } = box();
    for (const s of [1, 2, 3, 4]) b.push(msg(s));
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(b.unacknowledged().map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    b.ack(2);
    expect(b.unacknowledged().map((m) => m.seq)).toEqual([3, 4]);
    b.ack(1); // an older ack changes nothing
    expect(b.unacknowledged().map((m) => m.seq)).toEqual([3, 4]);
    b.ack(4);
    expect(b.unacknowledged()).toEqual([]);
    expect(b.acknowledged).toBe(4);
  });

  it('room() waits while the window is full and goes on once acks make room', async () => {
    const { b } = box(2);
    b.push(msg(1));
    expect(await settled(b.room())).toBe(true);
    b.push(msg(2));
    const waiting = b.room();
    expect(await settled(waiting)).toBe(false);
    b.push(msg(3)); // posting never blocks: the window is for the sender to wait on
    b.ack(1); // 2 and 3 still unacknowledged: still full
    expect(await settled(waiting)).toBe(false);
    b.ack(2);
    expect(await settled(waiting)).toBe(true);
  });

  it('drained() is true once everything is acknowledged, false after the timeout or when closed', async () => {
    const { b } = box();
    b.push(msg(1));
    b.push(msg(2));
    const all = b.drained(10_000);
    b.ack(2);
    expect(await all).toBe(true);

    b.push(msg(3));
    expect(await b.drained(20)).toBe(false);
    expect(b.unacknowledged().map((m) => m.seq)).toEqual([3]);

    const closing = b.drained(10_000);
    const room = (() => {
      b.push(msg(4));
      b.push(msg(5));
      return b.room();
    })();
    b.close();
    expect(await closing).toBe(false);
    expect(await settled(room)).toBe(true); // a closed outbox never keeps anyone waiting
    expect(b.unacknowledged().map((m) => m.seq)).toEqual([3, 4, 5]);
  });

  it('a transport that throws (the channel is gone) keeps the message unacknowledged', () => {
    let calls = 0;
    const b = new Outbox<M>(
      () => {
        calls++;
        throw new Error('EPIPE');
      },
      { window: 4 },
    );
    expect(() => b.push(msg(1))).not.toThrow();
    b.close();
    b.push(msg(2)); // not transmitted once closed, still kept
    expect(calls).toBe(1);
    expect(b.unacknowledged().map((m) => m.seq)).toEqual([1, 2]);
  });

  it('refuses a window below 1', () => {
    expect(() => new Outbox<M>(() => {}, { window: 0 })).toThrow(/window/);
  });
});
