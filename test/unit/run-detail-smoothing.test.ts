/**
 * Smoothing of the loss curves in the main process (src-main/store/smoothing.ts and the
 * `smoothing` parameter of runs.metrics): a debiased EMA over the full series in step order,
 * before downsampling, that incremental fetches (afterStep) continue bit for bit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API } from '../../src-shared/api/contract';
import type { Metric } from '../../src-shared/api/records';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { RunStore } from '../../src-main/store/run-store';
import {
  advanceMetricState,
  advanceRawRows,
  EMA_START,
  emaSmooth,
  emaStep,
  METRIC_SMOOTHING_START,
  smoothMetrics,
  SmoothingCache,
} from '../../src-main/store/smoothing';

describe('emaSmooth', () => {
  it('is the exponentially weighted mean of the points so far (debiased: starts at the first value)', () => {
    const a = 0.5;
    const { values } = emaSmooth([4, 2, 8], a);
    expect(values[0]).toBe(4);
    // weights 1, a over (2, 4): (2 + 0.5·4) / 1.5
    expect(values[1]).toBeCloseTo((2 + a * 4) / (1 + a), 12);
    expect(values[2]).toBeCloseTo((8 + a * 2 + a * a * 4) / (1 + a + a * a), 12);
  });

  it('with factor 0 returns the series unchanged', () => {
    const xs = [3, 1.5, -2, 1e-9, 7];
    expect(emaSmooth(xs, 0).values).toEqual(xs);
  });

  it('a constant series stays constant; a step is approached geometrically', () => {
    expect(emaSmooth([2, 2, 2, 2], 0.9).values.every((v) => v !== null && Math.abs(v - 2) < 1e-12)).toBe(true);
    const { values } = emaSmooth([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1], 0.5);
    expect(values[10]).toBeGreaterThan(0);
    expect(values[10]).toBeLessThan(1);
    expect(values[12]).toBeGreaterThan(values[11] as number);
  });

  it('keeps a non-finite point as null and leaves the average untouched by it', () => {
    const { values } = emaSmooth([1, null, Number.NaN, Number.POSITIVE_INFINITY, 3], 0.5);
    expect(values.slice(1, 4)).toEqual([null, null, null]);
    expect(values[4]).toBeCloseTo((3 + 0.5 * 1) / 1.5, 12);
    expect(emaSmooth([null, null], 0.5).values).toEqual([null, null]);
  });

  it('continues from a state exactly as one pass over the whole series', () => {
    const xs = Array.from({ length: 500 }, (_, i) => Math.exp(-i / 80) + 0.1 * Math.sin(i * 1.7));
    const whole = emaSmooth(xs, 0.97).values;
    const head = emaSmooth(xs.slice(0, 123), 0.97);
    const tail = emaSmooth(xs.slice(123), 0.97, head.state).values;
    expect([...head.values, ...tail]).toEqual(whole); // bit for bit
  });

  it('refuses a factor outside [0, 1)', () => {
    expect(() => emaSmooth([1], 1)).toThrow(/\[0, 1\)/);
    expect(() => emaSmooth([1], -0.1)).toThrow(RangeError);
    expect(() => emaSmooth([1], Number.NaN)).toThrow(RangeError);
    expect(emaStep(EMA_START, 5, 0.3).value).toBe(5);
  });
});

const metric = (step: number, preregLoss: number | null): Metric => ({
  step,
  phase: step <= 100 ? 'dense' : 'sparsify',
  preregLoss,
  loss: preregLoss === null ? null : preregLoss + 0.05,
  l1: 10,
  lambda1: 0.001,
  softLinks: 1486 - step,
  wallMs: step * 5,
});

describe('smoothMetrics', () => {
  it('replaces loss and preregLoss only', () => {
    const pts = [metric(1, 4), metric(2, 2)];
    const { points } = smoothMetrics(pts, 0.5);
    expect(points[0]).toEqual(pts[0]);
    expect(points[1]).toEqual({ ...pts[1], preregLoss: (2 + 0.5 * 4) / 1.5, loss: (2.05 + 0.5 * 4.05) / 1.5 });
    expect(advanceMetricState(METRIC_SMOOTHING_START, pts, 0.5)).toEqual(smoothMetrics(pts, 0.5).state);
  });
});

describe('advanceRawRows and SmoothingCache', () => {
  it('advanceRawRows is advanceMetricState on SQLite rows, bit for bit', () => {
    const pts = Array.from({ length: 300 }, (_, i) => metric(i + 1, i === 77 ? null : Math.cos(i) + 2));
    const raw = pts.map((m) => [m.loss, m.preregLoss] as const);
    expect(advanceRawRows(METRIC_SMOOTHING_START, raw, 0.97)).toEqual(advanceMetricState(METRIC_SMOOTHING_START, pts, 0.97));
    expect(advanceRawRows(METRIC_SMOOTHING_START, raw, 0.97)).toEqual(smoothMetrics(pts, 0.97).state);
  });

  it('gives a state back only for the same run, factor and step, while the row there is unchanged', () => {
    const cache = new SmoothingCache(2);
    const state = smoothMetrics([metric(1, 3)], 0.5).state;
    const row = { loss: 3.05, preregLoss: 3 };
    cache.remember(1, 0.5, 10, state, row);
    expect(cache.lookup(1, 0.5, 10, () => row)).toBe(state);
    expect(cache.lookup(1, 0.9, 10, () => row)).toBeUndefined();
    expect(cache.lookup(2, 0.5, 10, () => row)).toBeUndefined();
    expect(cache.lookup(1, 0.5, 11, () => row)).toBeUndefined();
    expect(cache.lookup(1, 0.5, 10, () => ({ loss: 3.05, preregLoss: 2.5 }))).toBeUndefined(); // the row changed: dropped
    expect(cache.lookup(1, 0.5, 10, () => row)).toBeUndefined();
    cache.remember(1, 0.5, 10, state, row);
    cache.remember(1, 0.5, 20, state, row);
    cache.remember(1, 0.5, 30, state, row); // over capacity: the least recently used goes
    expect(cache.size).toBe(2);
    expect(cache.lookup(1, 0.5, 10, () => row)).toBeUndefined();
    expect(cache.lookup(1, 0.5, 30, () => row)).toBe(state);
  });
});

describe('runs.metrics with smoothing (store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmm-smoothing-'));
  const store = RunStore.open(join(dir, 'lab.db'));
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = store.createRun({ schedule: defaultSchedule(1) });
  const n = 3000;
  const series = Array.from({ length: n }, (_, i) => {
    const step = i + 1;
    if (step === 1700) return metric(step, null); // a non-finite point
    return metric(step, 10 * Math.exp(-step / 400) + (step % 97 === 0 ? 5 : 0) + 0.01 * Math.sin(step));
  });
  store.appendMetrics(run.id, series);
  const factor = 0.9;
  const expected = smoothMetrics(series, factor).points;

  it('smooths the full series in step order', () => {
    const page = store.metrics(run.id, { smoothing: factor });
    expect(page.total).toBe(n);
    expect(page.points).toEqual(expected);
    expect(page.points[1699]?.preregLoss).toBeNull();
  });

  it('smooths before downsampling: the downsampled points are points of the smoothed full series', () => {
    const page = store.metrics(run.id, { smoothing: factor, maxPoints: 200 });
    expect(page.points.length).toBeLessThanOrEqual(200);
    for (const p of page.points) expect(p).toEqual(expected[p.step - 1]);
    // and differ from downsampling the raw series and smoothing that
    const naive = smoothMetrics(store.metrics(run.id, { maxPoints: 200 }).points, factor).points;
    expect(naive.map((p) => p.preregLoss)).not.toEqual(page.points.map((p) => p.preregLoss));
  });

  it('incremental fetches (afterStep) of a growing run continue the same curve bit for bit', () => {
    const growing = store.createRun({ schedule: defaultSchedule(2) });
    const got: Metric[] = [];
    let after = 0;
    let from = 0;
    for (const upto of [1, 250, 1699, 1700, 2222, n]) {
      store.appendMetrics(growing.id, series.slice(from, upto)); // the run reports a batch…
      from = upto;
      const page = store.metrics(growing.id, { afterStep: after, smoothing: factor }); // …the screen polls
      expect(page.points.every((p) => p.step > after)).toBe(true);
      got.push(...page.points);
      after = page.lastStep;
    }
    expect(got).toEqual(expected);
    // downsampled polls (more new points than maxPoints) continue the same curve too
    const polled = store.createRun({ schedule: defaultSchedule(3) });
    let last = 0;
    let prev = 0;
    for (const upto of [700, 1500, 1699, 2600, n]) {
      store.appendMetrics(polled.id, series.slice(prev, upto));
      prev = upto;
      const page = store.metrics(polled.id, { afterStep: last, smoothing: factor, maxPoints: 100 });
      for (const p of page.points) expect(p).toEqual(expected[p.step - 1]);
      last = page.lastStep;
    }
    const tail = store.metrics(run.id, { afterStep: 2500, smoothing: factor });
    expect(tail.points).toEqual(expected.slice(2500));
  });

  it('a run whose steps are rewritten (continued from an earlier snapshot) is smoothed from its new rows', () => {
    const cont = store.createRun({ schedule: defaultSchedule(4) });
    store.appendMetrics(cont.id, series.slice(0, 1000));
    const first = store.metrics(cont.id, { smoothing: factor });
    expect(first.lastStep).toBe(1000);
    // steps 601… are replaced by other values (what a continuation from step 600 writes)
    const rewritten = series
      .slice(0, 1200)
      .map((m) => (m.step > 600 ? { ...m, preregLoss: (m.preregLoss ?? 0) * 3, loss: (m.loss ?? 0) * 3 } : m));
    store.appendMetrics(cont.id, rewritten.slice(600));
    const page = store.metrics(cont.id, { afterStep: 1000, smoothing: factor }); // the cached state at 1000 is stale
    expect(page.points).toEqual(smoothMetrics(rewritten, factor).points.slice(1000));
  });

  it('smoothing 0 or absent gives the raw series; a bad factor is a bad request', () => {
    expect(store.metrics(run.id, { smoothing: 0 }).points).toEqual(series.map((m) => ({ ...m })));
    expect(() => store.metrics(run.id, { smoothing: 1 })).toThrow(/\[0, 1\)/);
  });

  it('is an optional parameter of the runs.metrics contract, in [0, 1)', () => {
    const params = API['runs.metrics'].params;
    expect(params.safeParse({ id: 1 }).success).toBe(true);
    expect(params.safeParse({ id: 1, smoothing: 0.95 }).success).toBe(true);
    expect(params.safeParse({ id: 1, smoothing: 1 }).success).toBe(false);
    expect(params.safeParse({ id: 1, smoothing: -0.5 }).success).toBe(false);
  });
});
