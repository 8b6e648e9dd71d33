/** Progress and ETA of a live run (src-renderer/runs/detail/eta.ts). */
import { describe, expect, it } from 'vitest';
import { estimateProgress, formatDuration, ProgressTracker } from '../../src-renderer/runs/detail/eta';

describe('estimateProgress', () => {
  it('measures the rate over the recent window and extrapolates to the step budget', () => {
    // 10 steps/s for the first 100 s, then 50 steps/s
    const samples = [
      ...Array.from({ length: 11 }, (_, i) => ({ step: i * 100, wallMs: i * 10_000 })),
      ...Array.from({ length: 6 }, (_, i) => ({ step: 1000 + (i + 1) * 250, wallMs: 100_000 + (i + 1) * 5_000 })),
    ];
    const e = estimateProgress(samples, 10_000, 30_000);
    expect(e.fraction).toBeCloseTo(2500 / 10_000);
    expect(e.stepsPerSecond).toBeCloseTo(50);
    expect(e.etaMs).toBeCloseTo((7500 / 50) * 1000);
  });

  it('falls back to the whole run with a single sample, and knows nothing without time', () => {
    expect(estimateProgress([{ step: 200, wallMs: 4000 }], 1000)).toEqual({ fraction: 0.2, stepsPerSecond: 50, etaMs: 16_000 });
    expect(estimateProgress([], 1000)).toEqual({ fraction: 0, stepsPerSecond: null, etaMs: null });
    expect(estimateProgress([{ step: 5, wallMs: null }], 10)).toEqual({ fraction: 0.5, stepsPerSecond: null, etaMs: null });
    expect(estimateProgress([{ step: 0, wallMs: 0 }], 10).etaMs).toBeNull();
  });

  it('is done (ETA 0) at or past the budget, fraction capped at 1', () => {
    const e = estimateProgress(
      [
        { step: 900, wallMs: 9000 },
        { step: 1200, wallMs: 12_000 },
      ],
      1000,
    );
    expect(e.fraction).toBe(1);
    expect(e.etaMs).toBe(0);
  });

  it('ignores samples older than the window', () => {
    const e = estimateProgress(
      [
        { step: 0, wallMs: 0 },
        { step: 10, wallMs: 100_000 }, // slow start, far outside the window
        { step: 1010, wallMs: 110_000 },
        { step: 2010, wallMs: 120_000 },
      ],
      3010,
      30_000,
    );
    expect(e.stepsPerSecond).toBeCloseTo(100);
    expect(e.etaMs).toBeCloseTo(10_000);
  });
});

describe('ProgressTracker', () => {
  it('keeps a bounded, step-ordered history; a repeated step replaces; going back truncates', () => {
    const t = new ProgressTracker(3);
    for (const step of [1, 2, 3, 4]) t.push({ step, wallMs: step * 10 });
    expect(t.all.map((s) => s.step)).toEqual([2, 3, 4]);
    t.push({ step: 4, wallMs: 99 });
    expect(t.all.at(-1)).toEqual({ step: 4, wallMs: 99 });
    t.push({ step: 3, wallMs: 5 }); // the run continued from an earlier snapshot
    expect(t.all.map((s) => s.step)).toEqual([2, 3]);
    t.clear();
    expect(t.all).toEqual([]);
  });
});

describe('formatDuration', () => {
  it('reads naturally at every scale', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(3 * 86_400_000 + 3_600_000 * 5)).toBe('3 d 5 h');
    expect(formatDuration(Number.NaN)).toBe('–');
    expect(formatDuration(-1)).toBe('–');
  });
});
