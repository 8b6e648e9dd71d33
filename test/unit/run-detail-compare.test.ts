/** The Compare screen's figures and overlaid curves (src-renderer/runs/detail/compare.ts). */
import { describe, expect, it } from 'vitest';
import type { Metric, RunSummary } from '../../src-shared/api/records';
import { overlayColumns, runDuration, summaryRows } from '../../src-renderer/runs/detail/compare';
import { runSummary } from '../helpers/run-summary';

const run = (id: number, extra: Partial<RunSummary> = {}): RunSummary =>
  runSummary({
    id,
    name: `run ${id}`,
    status: 'completed',
    seed: id,
    startedAt: 1000,
    endedAt: 61_000,
    steps: 500,
    stepBudget: 1000,
    softLinks: 12,
    finalLoss: 0.01,
    bestLoss: 0.005,
    testLoss: 0.02,
    testWorst: 0.1,
    ...extra,
  });

describe('summaryRows', () => {
  it('lines up the figures and marks the lowest of each', () => {
    const rows = summaryRows(
      [run(1), run(2, { softLinks: 8, testWorst: null, status: 'stopped', statusReason: 'cancelled', endedAt: null })],
      121_000,
    );
    const by = new Map(rows.map((r) => [r.label, r]));
    expect(by.get('soft links')).toEqual({ label: 'soft links', cells: ['12', '8'], best: 1 });
    expect(by.get('test worst')).toEqual({ label: 'test worst', cells: ['0.1', '—'] }); // only one value: no best
    expect(by.get('status')?.cells).toEqual(['completed', 'stopped (cancelled)']);
    expect(by.get('steps')?.cells).toEqual(['500 / 1000', '500 / 1000']);
    expect(by.get('duration')?.cells).toEqual(['1 min 00 s', '2 min 00 s']);
    expect(by.get('final loss')?.best).toBeUndefined(); // equal values: the first is as good
  });

  it('durations: running runs count to now, unstarted ones have none', () => {
    expect(runDuration({ startedAt: null, endedAt: null }, 5)).toBeNull();
    expect(runDuration({ startedAt: 100, endedAt: null }, 350)).toBe(250);
  });
});

describe('overlayColumns', () => {
  const m = (step: number, v: number | null): Metric => ({
    step,
    phase: 'dense',
    preregLoss: v,
    loss: v,
    l1: 0,
    lambda1: 0,
    softLinks: step,
    wallMs: 0,
  });

  it('one column per run on the union of steps', () => {
    expect(
      overlayColumns(
        [
          [m(1, 3), m(2, 2)],
          [m(2, 5), m(4, 0)],
        ],
        'preregLoss',
        false,
      ),
    ).toEqual([
      [1, 2, 4],
      [3, 2, null],
      [null, 5, 0],
    ]);
    expect(overlayColumns([[m(1, 3)], [m(2, 0)]], 'preregLoss', true)[2]).toEqual([null, null]);
    expect(overlayColumns([[m(1, 3)], [m(3, 1)]], 'softLinks', false)).toEqual([
      [1, 3],
      [1, null],
      [null, 3],
    ]);
  });
});
