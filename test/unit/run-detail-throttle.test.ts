/** The refresh throttle that keeps a live run's screen at ≤ 10 updates a second (src-renderer/runs/detail/throttle.ts). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from '../../src-renderer/lib/throttle';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('throttle', () => {
  it('runs at once, then at most once per interval however often it is asked', async () => {
    let runs = 0;
    const t = throttle(async () => void runs++, 100);
    t.request();
    expect(runs).toBe(1);
    for (let i = 0; i < 50; i++) {
      t.request();
      await vi.advanceTimersByTimeAsync(10); // 100 requests a second for half a second
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(runs).toBeGreaterThanOrEqual(5);
    expect(runs).toBeLessThanOrEqual(7); // ≤ 10 Hz over ~0.7 s
    const before = runs;
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(before); // nothing asked, nothing run
    t.dispose();
  });

  it('never runs twice at once: requests during a run collapse into one trailing run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const release: (() => void)[] = [];
    const t = throttle(
      () =>
        new Promise<void>((resolve) => {
          active++;
          runs++;
          maxActive = Math.max(maxActive, active);
          release.push(() => {
            active--;
            resolve();
          });
        }),
      0,
    );
    t.request();
    t.request();
    t.request();
    expect(runs).toBe(1);
    release.shift()?.();
    await flush();
    expect(runs).toBe(2); // one trailing run for the two requests
    release.shift()?.();
    await flush();
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    t.dispose();
  });

  it('reports a failure and goes on; after dispose nothing runs', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const t = throttle(
      async () => {
        runs++;
        throw new Error('lab unreachable');
      },
      50,
      (e) => errors.push(e),
    );
    t.request();
    await flush();
    expect(errors).toHaveLength(1);
    t.request();
    await vi.advanceTimersByTimeAsync(60);
    expect(runs).toBe(2);
    t.request();
    t.dispose();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
  });
});
