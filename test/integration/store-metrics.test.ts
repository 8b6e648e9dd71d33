/**
 * Metrics in the store: batches, the run figures they update, non-finite losses (diverged
 * runs), downsampling that keeps every bucket's extremes, and the cost of storing them.
 */
import { describe, expect, it } from 'vitest';
import type { Metric } from '../../src-shared/api/records';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { Rng } from '../../src-shared/util/rng';
import { downsample } from '../../src-main/store/downsample';
import { type Link } from '../../src-main/store/run-store';
import { storeFiles } from '../helpers/store';

const { open } = storeFiles('dmm-store-metrics-');

const metric = (step: number, preregLoss: number, extra: Partial<Metric> = {}): Metric => ({
  step,
  phase: 'dense',
  preregLoss,
  loss: preregLoss + 0.01,
  l1: 10,
  lambda1: 0.001,
  softLinks: 1486 - Math.floor(step / 10),
  wallMs: step * 7.5,
  ...extra,
});

describe('appendMetrics', () => {
  it('stores batches, replaces a re-sent step, and keeps the run figures', () => {
    const store = open('figures.db');
    const run = store.createRun({ schedule: defaultSchedule(1) });
    store.appendMetrics(run.id, [metric(1, 5), metric(2, 3), metric(3, 4)]);
    let s = store.getRunSummary(run.id);
    expect([s.steps, s.finalLoss, s.bestLoss, s.softLinks]).toEqual([3, 4, 3, 1486]);
    store.appendMetrics(run.id, [metric(3, 2.5), metric(4, 6, { softLinks: 700 })]); // step 3 re-sent with another value
    s = store.getRunSummary(run.id);
    expect([s.steps, s.finalLoss, s.bestLoss, s.softLinks]).toEqual([4, 6, 2.5, 700]);
    const page = store.metrics(run.id);
    expect(page.total).toBe(4);
    expect(page.points.map((p) => [p.step, p.preregLoss])).toEqual([
      [1, 5],
      [2, 3],
      [3, 2.5],
      [4, 6],
    ]);
    expect(page.points[3]).toEqual(metric(4, 6, { softLinks: 700 }));
    // polling: afterStep / lastStep
    expect(store.metrics(run.id, { afterStep: 2 })).toMatchObject({ total: 2, lastStep: 4 });
    expect(store.metrics(run.id, { afterStep: 4 })).toEqual({ total: 0, lastStep: 4, points: [] });
    expect(() => store.appendMetrics(4242, [metric(1, 1)])).toThrow(/run 4242 does not exist/);
    expect(() => store.metrics(4242)).toThrow(/run 4242 does not exist/);
  });

  it('stores NaN and ±Infinity figures as null (not finite), keeping the finite ones', () => {
    const file = 'nonfinite.db';
    let store = open(file);
    const run = store.createRun({ schedule: defaultSchedule(1) });
    store.appendMetrics(run.id, [
      metric(1, 2),
      metric(2, Infinity, { loss: -Infinity, l1: NaN }),
      metric(3, NaN, { loss: NaN, wallMs: NaN, lambda1: Infinity }),
    ]);
    store.close();
    store = open(file);
    const [a, b, c] = store.metrics(run.id).points as [Metric, Metric, Metric];
    expect(a).toEqual(metric(1, 2));
    expect([b.preregLoss, b.loss, b.l1]).toEqual([null, null, null]);
    expect([c.preregLoss, c.loss, c.wallMs, c.lambda1]).toEqual([null, null, null, null]);
    expect(c.softLinks).toBe(1486);
    // the run's figures are finite or null: the last step diverged, the best is the finite one
    const s = store.getRunSummary(run.id);
    expect([s.steps, s.finalLoss, s.bestLoss]).toEqual([3, null, 2]);
    const raw = store.db.prepare('SELECT prereg_loss FROM metrics WHERE run_id = ? ORDER BY step').pluck().all(run.id);
    expect(raw).toEqual([2, null, null]);
  });

  it('stores 10,000 metrics in batches of 50 with the right figures (the time is printed; npm run bench:ui measures it)', () => {
    const store = open('speed.db');
    const run = store.createRun({ schedule: defaultSchedule(1) });
    const rng = new Rng(3);
    const all = Array.from({ length: 10_000 }, (_, i) => metric(i + 1, 100 * Math.exp(-i / 2000) + rng.next()));
    const t0 = performance.now();
    for (let i = 0; i < all.length; i += 50) store.appendMetrics(run.id, all.slice(i, i + 50));
    const ms = performance.now() - t0;
    console.log(
      `store: 10,000 metrics in 200 batches of 50: ${ms.toFixed(1)} ms (${((ms / 10_000) * 1000).toFixed(2)} µs per metric, ${(ms / 200).toFixed(3)} ms per batch)`,
    );
    const s = store.getRunSummary(run.id);
    expect(s.steps).toBe(10_000);
    expect(s.finalLoss).toBe(all[9999]!.preregLoss);
    expect(s.bestLoss).toBe(Math.min(...all.map((m) => m.preregLoss as number)));
    expect(store.metrics(run.id).total).toBe(10_000);

    // a snapshot of the 1486-weight machine, for the record
    const links: Link[] = Array.from({ length: 1486 }, (_, i) => ({
      to: `n-${i % 40}`,
      toPort: `p${i % 3}`,
      from: `m-${Math.floor(i / 40)}`,
      fromPort: 'o',
    }));
    const weights = Float64Array.from(links, () => rng.normal());
    store.saveSnapshot(run.id, { step: 0, reason: 'start', preregLoss: 1, links, weights }); // interns the keys
    const t1 = performance.now();
    for (let k = 1; k <= 20; k++) store.saveSnapshot(run.id, { step: k, reason: 'interval', preregLoss: 1, links, weights });
    const t2 = performance.now();
    for (let k = 1; k <= 20; k++) store.getSnapshotWeights(k);
    const t3 = performance.now();
    console.log(`store: 1486-weight snapshot: save ${((t2 - t1) / 20).toFixed(2)} ms, read ${((t3 - t2) / 20).toFixed(2)} ms`);
    expect(store.integrityCheck()).toEqual([]);
  });
});

describe('downsampling', () => {
  const series = (losses: number[]): Metric[] => losses.map((l, i) => metric(i + 1, l));

  it('keeps first, last and each bucket’s min and max, in step order, at most maxPoints', () => {
    const rng = new Rng(11);
    const losses = Array.from({ length: 1003 }, () => rng.next());
    losses[500] = -5; // a dip
    losses[777] = 50; // a spike
    const pts = series(losses);
    for (const maxPoints of [2, 3, 4, 5, 10, 101, 1002, 1003, 5000]) {
      const d = downsample(pts, maxPoints);
      expect(d.length).toBeLessThanOrEqual(Math.max(maxPoints, 2));
      expect(d[0]).toBe(pts[0]);
      expect(d[d.length - 1]).toBe(pts[pts.length - 1]);
      for (let i = 1; i < d.length; i++) expect(d[i]!.step).toBeGreaterThan(d[i - 1]!.step);
      if (maxPoints >= 4) {
        expect(d.some((p) => p.preregLoss === -5)).toBe(true);
        expect(d.some((p) => p.preregLoss === 50)).toBe(true);
      }
    }
    expect(downsample(pts, 5000)).toEqual(pts);
  });

  it('checks every bucket independently', () => {
    // 2 + 10 buckets × 10 points; bucket b has its min at offset b % 10 and its max at 9 − b % 10
    const losses: number[] = [0];
    for (let b = 0; b < 10; b++) for (let k = 0; k < 10; k++) losses.push(k === b % 10 ? -1 - b : k === 9 - (b % 10) ? 100 + b : 1);
    losses.push(0);
    const d = downsample(series(losses), 22);
    const expected = [1];
    for (let b = 0; b < 10; b++) {
      const lo = 2 + 10 * b;
      const iMin = lo + (b % 10);
      const iMax = lo + 9 - (b % 10);
      expected.push(Math.min(iMin, iMax), Math.max(iMin, iMax));
    }
    expected.push(102);
    expect(d.map((p) => p.step)).toEqual(expected);
  });

  it('treats NaN as the highest value so a divergence stays visible', () => {
    const losses = Array.from({ length: 100 }, (_, i) => 1 / (i + 1));
    losses[40] = NaN;
    const d = downsample(series(losses), 6);
    expect(d.some((p) => Number.isNaN(p.preregLoss))).toBe(true);
  });

  it('through the store: extremes survive, total counts the raw points', () => {
    const store = open('downsample.db');
    const run = store.createRun({ schedule: defaultSchedule(1) });
    const rng = new Rng(5);
    const pts = Array.from({ length: 3000 }, (_, i) => metric(i + 1, 10 + rng.next()));
    pts[1234] = metric(1235, 0.001);
    pts[2345] = metric(2346, 99);
    for (let i = 0; i < pts.length; i += 500) store.appendMetrics(run.id, pts.slice(i, i + 500));
    const page = store.metrics(run.id, { maxPoints: 200 });
    expect(page.total).toBe(3000);
    expect(page.lastStep).toBe(3000);
    expect(page.points.length).toBeLessThanOrEqual(200);
    expect(page.points.length).toBeGreaterThan(150);
    const steps = page.points.map((p) => p.step);
    expect(steps).toContain(1);
    expect(steps).toContain(3000);
    expect(steps).toContain(1235);
    expect(steps).toContain(2346);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    const later = store.metrics(run.id, { afterStep: 2000, maxPoints: 50 });
    expect(later.total).toBe(1000);
    expect(later.points[0]!.step).toBe(2001);
    expect(later.points.map((p) => p.step)).toContain(2346);
  });
});
