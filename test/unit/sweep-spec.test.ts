/** Sweep definitions: how axes expand to points (grid, zip, ranges, seeded samples), sizes and the refusals. */
import { describe, expect, it } from 'vitest';
import {
  axisValues,
  checkSweepSize,
  missingField,
  pointLabel,
  setPath,
  sweepPoints,
  SweepSpecError,
  SweepSpecSchema,
  type SweepSpecInput,
} from '../../src-shared/sweeps/sweep-spec';

const spec = (over: Partial<SweepSpecInput>) => SweepSpecSchema.parse({ concurrency: 2, axes: [], ...over });

describe('sweep points', () => {
  it('a grid is every combination, the last axis fastest', () => {
    const s = spec({
      axes: [
        { kind: 'range', path: 'seed', from: 1, to: 3 },
        { kind: 'values', path: 'optimizer.lr', values: [0.01, 0.02] },
      ],
    });
    expect(sweepPoints(s)).toEqual([
      { seed: 1, 'optimizer.lr': 0.01 },
      { seed: 1, 'optimizer.lr': 0.02 },
      { seed: 2, 'optimizer.lr': 0.01 },
      { seed: 2, 'optimizer.lr': 0.02 },
      { seed: 3, 'optimizer.lr': 0.01 },
      { seed: 3, 'optimizer.lr': 0.02 },
    ]);
    // keys in axis order (a point prints as the axes were given)
    expect(Object.keys(sweepPoints(s)[0]!)).toEqual(['seed', 'optimizer.lr']);
  });

  it('a zip takes the i-th value of every axis; unequal lengths are refused naming the axis', () => {
    const s = spec({
      combine: 'zip',
      axes: [
        { kind: 'range', path: 'seed', from: 10, to: 14, step: 2 },
        { kind: 'values', path: 'dense.l1', values: [0, 0.1, 0.2] },
      ],
    });
    expect(sweepPoints(s)).toEqual([
      { seed: 10, 'dense.l1': 0 },
      { seed: 12, 'dense.l1': 0.1 },
      { seed: 14, 'dense.l1': 0.2 },
    ]);
    const bad = spec({ combine: 'zip', axes: [s.axes[0]!, { kind: 'values', path: 'dense.l1', values: [1, 2] }] });
    expect(() => sweepPoints(bad)).toThrow(/^axes\[1\]: a zip needs axes of equal length: axes\[0\] has 3 values, axes\[1\] has 2/);
  });

  it('random samples are reproducible from their seed, inside their bounds, and log-uniform on a log scale', () => {
    const a = {
      kind: 'random' as const,
      path: 'optimizer.lr',
      count: 400,
      min: 1e-4,
      max: 1e-1,
      seed: 7,
      scale: 'log' as const,
      integer: false,
    };
    const v1 = axisValues(a) as number[];
    expect(axisValues(a)).toEqual(v1);
    expect(axisValues({ ...a, seed: 8 })).not.toEqual(v1);
    for (const v of v1) expect(v >= 1e-4 && v <= 1e-1).toBe(true);
    // log-uniform over three decades: about a third of the samples in each decade
    const below = v1.filter((v) => v < 1e-3).length / v1.length;
    expect(below).toBeGreaterThan(0.25);
    expect(below).toBeLessThan(0.42);
    const ints = axisValues({ ...a, scale: 'linear', min: 1, max: 6, integer: true }) as number[];
    expect(new Set(ints).size).toBeGreaterThan(3);
    for (const v of ints) expect(Number.isInteger(v) && v >= 1 && v <= 6).toBe(true);
  });

  it('refuses a path given twice, more than 10,000 runs without confirm, and a bad axis in the schema', () => {
    expect(() =>
      checkSweepSize(
        spec({
          axes: [
            { kind: 'range', path: 'seed', from: 1, to: 2 },
            { kind: 'values', path: 'seed', values: [3] },
          ],
        }),
      ),
    ).toThrow('axes[1].path: seed is already the path of axes[0]');
    const big = spec({
      axes: [
        { kind: 'range', path: 'seed', from: 1, to: 101 },
        { kind: 'range', path: 'dense.steps', from: 1, to: 100 },
      ],
    });
    let err: unknown;
    try {
      checkSweepSize(big);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SweepSpecError);
    expect((err as SweepSpecError).field).toBe('confirm');
    expect((err as Error).message).toContain('10100 runs');
    expect(checkSweepSize({ ...big, confirm: true })).toBe(10_100);
    const r = SweepSpecSchema.safeParse({ concurrency: 0, axes: [{ kind: 'range', path: 'seed', from: 3, to: 1 }] });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('concurrency');
    expect(paths).toContain('axes.0.to');
  });
});

describe('dotted paths', () => {
  it('setPath copies along the path and leaves the original alone', () => {
    const o = { optimizer: { lr: 1, beta1: 0.9 }, seed: 1 };
    const n = setPath(o, 'optimizer.lr', 0.5);
    expect(n).toEqual({ optimizer: { lr: 0.5, beta1: 0.9 }, seed: 1 });
    expect(o.optimizer.lr).toBe(1);
    expect(setPath({}, 'a.b.c', 2)).toEqual({ a: { b: { c: 2 } } });
  });

  it('missingField names the first missing part and what its parent has', () => {
    const s = { optimizer: { lr: 1, beta1: 0.9 }, seed: 1 };
    expect(missingField(s, 'optimizer.lr')).toBeUndefined();
    expect(missingField(s, 'optimizer.lrr')).toBe('optimizer has no field "lrr" (it has lr, beta1)');
    expect(missingField(s, 'seed.x')).toBe('seed is not an object of fields');
    expect(pointLabel({ seed: 3, 'optimizer.lr': 0.01, 'x.kind': 'a' })).toBe('seed=3 optimizer.lr=0.01 x.kind=a');
  });
});
