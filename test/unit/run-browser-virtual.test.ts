/** Window math of the virtualised run table. */
import { describe, expect, it } from 'vitest';
import { pageRows, rowWindow, scrollToRow } from '../../src-renderer/runs/browser/virtual';

describe('rowWindow', () => {
  it('renders the visible rows plus overscan', () => {
    expect(rowWindow({ scrollTop: 0, viewportHeight: 280, rowHeight: 28, count: 10_000, overscan: 5 })).toEqual({
      start: 0,
      end: 16,
      offset: 0,
      height: 280_000,
    });
    const w = rowWindow({ scrollTop: 28 * 1000 + 10, viewportHeight: 280, rowHeight: 28, count: 10_000, overscan: 5 });
    expect(w).toEqual({ start: 995, end: 1016, offset: 995 * 28, height: 280_000 });
  });

  it('stays within the list at the end, for short lists and empty ones', () => {
    const end = rowWindow({ scrollTop: 1e9, viewportHeight: 280, rowHeight: 28, count: 10_000, overscan: 5 });
    expect(end.end).toBe(10_000);
    expect(end.start).toBe(10_000 - 10 - 5);
    expect(rowWindow({ scrollTop: 0, viewportHeight: 1000, rowHeight: 28, count: 3 })).toEqual({ start: 0, end: 3, offset: 0, height: 84 });
    expect(rowWindow({ scrollTop: 50, viewportHeight: 1000, rowHeight: 28, count: 0 })).toEqual({ start: 0, end: 0, offset: 0, height: 0 });
    expect(rowWindow({ scrollTop: -20, viewportHeight: 100, rowHeight: 20, count: 50, overscan: 0 }).start).toBe(0);
  });

  it('renders a bounded number of rows however long the list', () => {
    for (const count of [100, 10_000, 100_000]) {
      for (const scrollTop of [0, 12_345, 1e7]) {
        const w = rowWindow({ scrollTop, viewportHeight: 800, rowHeight: 28, count, overscan: 8 });
        expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(800 / 28) + 1 + 16);
        expect(w.end).toBeLessThanOrEqual(count);
      }
    }
  });
});

describe('scrollToRow', () => {
  it('scrolls the least to bring a row into view, or not at all', () => {
    expect(scrollToRow(5, 0, 280, 28)).toBeUndefined();
    expect(scrollToRow(20, 0, 280, 28)).toBe(21 * 28 - 280);
    expect(scrollToRow(2, 28 * 10, 280, 28)).toBe(56);
    // a sticky header covering the top 56 px: the last fully visible row is one less
    expect(scrollToRow(7, 0, 280, 28, 56)).toBeUndefined();
    expect(scrollToRow(8, 0, 280, 28, 56)).toBe(9 * 28 - 224);
  });

  it('pages by what fits, at least one row', () => {
    expect(pageRows(280, 28)).toBe(9);
    expect(pageRows(10, 28)).toBe(1);
  });
});
