/** Shared chart helpers (src-renderer/components/chart.ts): log ticks and tick labels. */
import { describe, expect, it } from 'vitest';
import { logSplits, seriesColor, SERIES_COLORS, tickLabel } from '../../src-renderer/components/chart';

describe('logSplits', () => {
  it('few decades: 1, 2, 5 of each', () => {
    expect(logSplits(0.15, 30)).toEqual([0.2, 0.5, 1, 2, 5, 10, 20]);
  });

  it('many decades: every k-th power of ten, at most 7', () => {
    const s = logSplits(1e-20, 1e4);
    expect(s.length).toBeLessThanOrEqual(7);
    expect(s).toEqual([1e-20, 1e-16, 1e-12, 1e-8, 1e-4, 1, 1e4]);
    expect(logSplits(1e-3, 1e3)).toEqual([1e-3, 0.01, 0.1, 1, 10, 100, 1000]); // six decades: each
  });

  it('nothing for a range a log axis cannot have', () => {
    expect(logSplits(0, 10)).toEqual([]);
    expect(logSplits(5, 1)).toEqual([]);
    expect(logSplits(Number.NaN, 1)).toEqual([]);
  });
});

describe('tickLabel and colours', () => {
  it('labels compactly', () => {
    expect(tickLabel(null)).toBe('');
    expect(tickLabel(0)).toBe('0');
    expect(tickLabel(1e-8)).toBe('1e-8');
    expect(tickLabel(25_000)).toBe('25k');
    expect(tickLabel(2e6)).toBe('2e6');
    expect(tickLabel(0.25)).toBe('0.25');
  });

  it('cycles through distinct series colours', () => {
    expect(new Set(SERIES_COLORS).size).toBe(SERIES_COLORS.length);
    expect(seriesColor(SERIES_COLORS.length)).toBe(seriesColor(0));
  });
});
