/**
 * The two-pass read of a long metric series (RunStore.metrics with maxPoints below the
 * series length) gives exactly what smoothing and downsampling the whole rows gives —
 * with and without smoothing, from the start and after a step, with non-finite losses.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Metric } from '../../src-shared/api/records';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { Rng } from '../../src-shared/util/rng';
import { downsample } from '../../src-main/store/downsample';
import { RunStore } from '../../src-main/store/run-store';
import { METRIC_SMOOTHING_START, advanceMetricState, smoothMetrics } from '../../src-main/store/smoothing';

const store = new RunStore(RunStore.open(':memory:').db);
afterAll(() => store.close());

function reference(
  all: readonly Metric[],
  after: number,
  maxPoints: number,
  factor: number,
): { total: number; lastStep: number; points: Metric[] } {
  const prefix = all.filter((m) => m.step <= after);
  let rest = all.filter((m) => m.step > after);
  if (factor > 0) rest = smoothMetrics(rest, factor, advanceMetricState(METRIC_SMOOTHING_START, prefix, factor)).points;
  return {
    total: rest.length,
    lastStep: rest.length > 0 ? (rest[rest.length - 1] as Metric).step : after,
    points: downsample(rest, maxPoints),
  };
}

describe('RunStore.metrics on a long series', () => {
  const rng = new Rng(11);
  const run = store.createRun({ schedule: defaultSchedule(1) });
  const all: Metric[] = Array.from({ length: 5000 }, (_, i) => {
    const p = 100 * Math.exp(-i / 700) * (0.9 + 0.2 * rng.next());
    return {
      step: i + 1,
      phase: i < 800 ? 'dense' : 'sparsify',
      preregLoss: p,
      loss: p + 0.1,
      l1: 3,
      lambda1: 0.001,
      softLinks: 1486 - (i >> 4),
      wallMs: i * 7,
    };
  });
  // non-finite figures come back as null: NaN and ±Infinity
  for (const [i, v] of [
    [100, Number.NaN],
    [2000, Number.POSITIVE_INFINITY],
    [3000, Number.NEGATIVE_INFINITY],
  ] as const) {
    all[i] = { ...(all[i] as Metric), preregLoss: v, loss: v };
  }
  store.appendMetrics(run.id, all);
  const stored = store.metrics(run.id).points; // whole rows, as stored (non-finite → null)

  for (const [after, maxPoints, factor] of [
    [0, 300, 0],
    [0, 300, 0.9],
    [1234, 101, 0],
    [1234, 101, 0.6],
    [4990, 4, 0.5],
  ] as const) {
    it(`afterStep ${after}, maxPoints ${maxPoints}, smoothing ${factor}`, () => {
      const got = store.metrics(run.id, { afterStep: after, maxPoints, smoothing: factor });
      expect(got).toEqual(reference(stored, after, maxPoints, factor));
      expect(got.points.length).toBeLessThanOrEqual(maxPoints);
    });
  }

  it('a series no longer than maxPoints comes back whole', () => {
    expect(store.metrics(run.id, { afterStep: 4000, maxPoints: 1000 })).toEqual(reference(stored, 4000, 1000, 0));
  });
});
