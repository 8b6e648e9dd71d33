/**
 * The renderer's sweep logic: the New-run form's Sweep mode (each refusal beside its row,
 * naming the field; the run count before starting; the request it sends is the one the lab's
 * own spec schema accepts and expands to the same points) and the sweep page's figures and
 * scatter data.
 */
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '@shared/api/records';
import type { SweepRun } from '@shared/api/sweep-records';
import { defaultSchedule } from '@shared/synthesis/schedule';
import { SweepSpecSchema, sweepPoints } from '@shared/sweeps/sweep-spec';
import { checkSweepForm, sweepablePaths, type SweepForm } from '../../src-renderer/runs/new/sweep-form';
import { figureOf, scatterOf, successText, sweepFields } from '../../src-renderer/sweeps/sweep-view';

const schedule = defaultSchedule(1) as unknown as Record<string, unknown>;
const base = { problem: 'duplicates', name: 'lr sweep' };
const form = (f: Partial<SweepForm>): SweepForm => ({ axes: [], combine: 'grid', concurrency: '2', confirm: false, ...f });

describe('sweep form', () => {
  it('counts a grid and sends a spec the lab accepts, expanding to the same points', () => {
    const c = checkSweepForm(
      form({
        axes: [
          { path: 'seed', values: '1-3' },
          { path: 'optimizer.lr', values: '0.003,0.01' },
        ],
      }),
      schedule,
      base,
    );
    expect(c.errors).toEqual({});
    expect(c.runs).toBe(6);
    const spec = SweepSpecSchema.parse(c.spec);
    expect(spec.concurrency).toBe(2);
    expect(spec.name).toBe('lr sweep');
    expect(sweepPoints(spec)).toEqual([
      { seed: 1, 'optimizer.lr': 0.003 },
      { seed: 1, 'optimizer.lr': 0.01 },
      { seed: 2, 'optimizer.lr': 0.003 },
      { seed: 2, 'optimizer.lr': 0.01 },
      { seed: 3, 'optimizer.lr': 0.003 },
      { seed: 3, 'optimizer.lr': 0.01 },
    ]);
  });

  it('refuses, beside the row and naming the field: an unknown field, a refused value, bad text, a zip of unequal axes', () => {
    const unknown = checkSweepForm(form({ axes: [{ path: 'optimizer.nope', values: '1,2' }] }), schedule, base);
    expect(unknown.errors['axes.0']?.[0]).toMatch(/^optimizer\.nope is not a field of this schedule: optimizer has no field "nope"/);
    expect(unknown.spec).toBeUndefined();

    const refused = checkSweepForm(form({ axes: [{ path: 'optimizer.lr', values: '0.01,-1' }] }), schedule, base);
    expect(refused.errors['axes.0']?.[0]).toMatch(/^optimizer\.lr = -1 is refused: /);
    expect(refused.runs).toBe(2);
    expect(refused.spec).toBeUndefined();

    const text = checkSweepForm(form({ axes: [{ path: 'seed', values: '5-1' }] }), schedule, base);
    expect(text.errors['axes.0']?.[0]).toBe('seed: to must be ≥ from');

    const zip = checkSweepForm(
      form({
        combine: 'zip',
        axes: [
          { path: 'seed', values: '1-3' },
          { path: 'optimizer.lr', values: '0.01,0.02' },
        ],
      }),
      schedule,
      base,
    );
    expect(zip.errors['axes.1']?.[0]).toMatch(/a zip needs axes of equal length: axes\[0\] has 3 values, axes\[1\] has 2/);

    const twice = checkSweepForm(
      form({
        axes: [
          { path: 'seed', values: '1-3' },
          { path: 'seed', values: '4-5' },
        ],
      }),
      schedule,
      base,
    );
    expect(twice.errors['axes.1']?.[0]).toMatch(/seed is already the path of axes\[0\]/);

    const empty = checkSweepForm(form({ axes: [{ path: '', values: '1' }] }), schedule, base);
    expect(empty.errors['axes.0']).toEqual(['choose a schedule field']);
  });

  it('refuses concurrency 0 or text, and a sweep of more than 10,000 runs until confirmed', () => {
    const axes = [{ path: 'seed', values: '1-3' }];
    expect(checkSweepForm(form({ axes, concurrency: '0' }), schedule, base).errors['concurrency']).toEqual([
      'concurrency must be at least 1',
    ]);
    expect(checkSweepForm(form({ axes, concurrency: 'two' }), schedule, base).errors['concurrency']).toEqual([
      'concurrency must be a whole number',
    ]);
    const big = [
      { path: 'seed', values: '1-200' },
      { path: 'optimizer.lr', values: 'random:0.001..0.1:60:log' },
    ];
    const unconfirmed = checkSweepForm(form({ axes: big }), schedule, base);
    expect(unconfirmed.runs).toBe(12_000);
    expect(unconfirmed.needsConfirm).toBe(true);
    expect(unconfirmed.errors['confirm']?.[0]).toMatch(/12000 runs/);
    expect(unconfirmed.spec).toBeUndefined();
    const confirmed = checkSweepForm(form({ axes: big, confirm: true }), schedule, base);
    expect(confirmed.errors).toEqual({});
    expect(SweepSpecSchema.parse(confirmed.spec).confirm).toBe(true);
  });

  it('offers the schedule leaves as fields (seed first; no lists, no matrix)', () => {
    const paths = sweepablePaths(schedule);
    expect(paths[0]).toBe('seed');
    expect(paths).toContain('optimizer.lr');
    expect(paths).toContain('estimator.kind');
    expect(paths.some((p) => p.startsWith('training'))).toBe(false);
  });
});

describe('sweep page figures', () => {
  const run = (id: number, o: Partial<RunSummary>): RunSummary =>
    ({
      id,
      startedAt: null,
      endedAt: null,
      softLinks: null,
      testWorst: null,
      testLoss: null,
      finalLoss: null,
      steps: 0,
      ...o,
    }) as RunSummary;
  const points: SweepRun[] = [
    { index: 0, point: { seed: 3 }, passed: true, run: run(11, { softLinks: 9, startedAt: 1000, endedAt: 3500, testWorst: 0.01 }) },
    { index: 1, point: { seed: 1 }, passed: false, run: run(12, { softLinks: 14, startedAt: 1000, endedAt: 2000, testWorst: Number.NaN }) },
    { index: 2, point: { seed: 2 }, passed: null, run: run(13, {}) },
    { index: 3, point: { seed: 'x' }, passed: null, run: run(14, { softLinks: 5 }) },
  ];

  it('plots numeric field values against a figure the run has, x ascending, and counts what it leaves out', () => {
    expect(scatterOf(points, 'seed', 'softLinks')).toEqual({ xs: [1, 3], ys: [14, 9], runIds: [12, 11], leftOut: 2 });
    expect(scatterOf(points, 'seed', 'seconds')).toEqual({ xs: [1, 3], ys: [1, 2.5], runIds: [12, 11], leftOut: 2 });
    expect(scatterOf(points, 'seed', 'testWorst').runIds).toEqual([11]);
    expect(figureOf(points[2]!.run, 'seconds')).toBeNull();
  });

  it('names the fields in axis order and says the success rate in words', () => {
    expect(sweepFields({ spec: { axes: [{ path: 'optimizer.lr' }, { path: 'seed' }] }, points: [] })).toEqual(['optimizer.lr', 'seed']);
    expect(successText({ runs: 4, finished: 3, passed: 2, successRate: 2 / 3 })).toBe('2 of 3 finished runs passed (67 %)');
    expect(successText({ runs: 4, finished: 0, passed: 0, successRate: null })).toBe('no run has finished yet (0 of 4)');
  });
});
