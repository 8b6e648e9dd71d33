/** Incremental metric buffers and the chart columns (src-renderer/runs/detail/series.ts). */
import { describe, expect, it } from 'vitest';
import type { Metric } from '../../src-shared/api/records';
import { alignSeries, appendPage, EMPTY_BUFFER, linkColumns, lossColumns, positiveOrNull } from '../../src-renderer/runs/detail/series';

const m = (step: number, preregLoss: number | null, loss: number | null = preregLoss): Metric => ({
  step,
  phase: 'dense',
  preregLoss,
  loss,
  l1: 1,
  lambda1: 0.001,
  softLinks: 100 - step,
  wallMs: step * 10,
});

describe('appendPage', () => {
  it('appends what is new and moves lastStep on', () => {
    let b = appendPage(EMPTY_BUFFER, { total: 3, lastStep: 3, points: [m(1, 3), m(2, 2), m(3, 1)] });
    expect(b.points.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(b.lastStep).toBe(3);
    b = appendPage(b, { total: 2, lastStep: 5, points: [m(3, 1), m(4, 0.5), m(5, 0.4)] }); // a repeated step is skipped
    expect(b.points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    const same = appendPage(b, { total: 0, lastStep: 5, points: [] });
    expect(same.points).toBe(b.points); // nothing new: the same array (no redraw)
    expect(same.lastStep).toBe(5);
  });
});

describe('alignSeries', () => {
  it('joins series on the union of their steps, null where a series has no point', () => {
    expect(
      alignSeries([
        { x: [1, 3, 5], ys: [[10, 30, 50]] },
        {
          x: [2, 3],
          ys: [
            [0.2, 0.3],
            [2, 3],
          ],
        },
      ]),
    ).toEqual([
      [1, 2, 3, 5],
      [10, null, 30, 50],
      [null, 0.2, 0.3, null],
      [null, 2, 3, null],
    ]);
    expect(alignSeries([])).toEqual([[]]);
  });
});

describe('chart columns', () => {
  const raw = [m(1, 4, 4.1), m(2, 0, 0.1), m(3, null, null), m(4, 1, 1.1)];

  it('loss chart: step, loss, prereg; gaps for what a log axis cannot show', () => {
    expect(lossColumns(raw, null, false)).toEqual([
      [1, 2, 3, 4],
      [4.1, 0.1, null, 1.1],
      [4, 0, null, 1],
    ]);
    expect(lossColumns(raw, null, true)[2]).toEqual([4, null, null, 1]);
    expect(positiveOrNull(-1)).toBeNull();
    expect(positiveOrNull(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('adds the smoothed curves (on their own, possibly different, steps) as two more columns', () => {
    const smooth = [m(1, 4, 4.1), m(4, 2, 2.1)];
    const cols = lossColumns(raw, smooth, false);
    expect(cols).toHaveLength(5);
    expect(cols[3]).toEqual([4.1, null, null, 2.1]);
    expect(cols[4]).toEqual([4, null, null, 2]);
    expect(lossColumns(raw, [], false)).toHaveLength(5); // smoothing asked for, not arrived yet: same shape
  });

  it('links chart: step, soft links, λ1', () => {
    expect(linkColumns(raw.slice(0, 2))).toEqual([
      [1, 2],
      [99, 98],
      [0.001, 0.001],
    ]);
  });
});
