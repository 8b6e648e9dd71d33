/** Hyperparameters as flattened schedule paths, and their differences between runs (src-renderer/runs/detail/hyper.ts). */
import { describe, expect, it } from 'vitest';
import { defaultSchedule, scheduleFromOverrides } from '../../src-shared/synthesis/schedule';
import { diffHyperparameters, flattenSchedule, formatScalar } from '../../src-renderer/runs/detail/hyper';

describe('flattenSchedule', () => {
  it('flattens objects to dotted paths and arrays of objects to indices', () => {
    const flat = flattenSchedule(defaultSchedule(7));
    expect(flat.get('seed')).toBe(7);
    expect(flat.get('optimizer.lr')).toBe(0.02);
    expect(flat.get('rounds.cut.kind')).toBe('fraction');
    expect(flat.get('training.strings[0].text')).toBe('abca.');
    expect(flat.get('training.strings[0].cycles')).toBe(60);
    expect(flat.get('start.architecture.types')).toBe('[accum, norm, compare, dot]'); // scalars stay one value
    for (const v of flat.values()) expect(['string', 'number', 'boolean'].includes(typeof v) || v === null).toBe(true);
  });

  it('keeps empty containers, nulls and a scalar root', () => {
    expect([...flattenSchedule({ a: {}, b: [], c: null, d: [{ e: 1 }, 'x'] })]).toEqual([
      ['a', '{}'],
      ['b', '[]'],
      ['c', null],
      ['d[0].e', 1],
      ['d[1]', 'x'],
    ]);
    expect([...flattenSchedule(3)]).toEqual([['', 3]]);
  });
});

describe('diffHyperparameters', () => {
  it('lines up every path of every run and flags those that differ', () => {
    const a = defaultSchedule(1);
    const b = scheduleFromOverrides({ optimizer: { lr: 0.05 }, rounds: { cut: { kind: 'count', count: 10 } } }, 2);
    const rows = diffHyperparameters([a, b]);
    const byPath = new Map(rows.map((r) => [r.path, r]));
    expect(byPath.get('optimizer.lr')).toEqual({ path: 'optimizer.lr', values: [0.02, 0.05], differs: true });
    expect(byPath.get('optimizer.beta1')?.differs).toBe(false);
    expect(byPath.get('seed')?.differs).toBe(true);
    // a path one run lacks
    expect(byPath.get('rounds.cut.fraction')).toEqual({ path: 'rounds.cut.fraction', values: [0.5, undefined], differs: true });
    expect(byPath.get('rounds.cut.count')).toEqual({ path: 'rounds.cut.count', values: [undefined, 10], differs: true });
    expect(
      rows
        .filter((r) => r.differs)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['optimizer.lr', 'rounds.cut.count', 'rounds.cut.fraction', 'rounds.cut.kind', 'seed']);
    // first-seen order: the first run's paths first
    expect(rows.findIndex((r) => r.path === 'rounds.cut.count')).toBeGreaterThan(rows.findIndex((r) => r.path === 'rounds.cut.fraction'));
  });

  it('of identical runs, nothing differs; of one run, nothing differs', () => {
    expect(diffHyperparameters([defaultSchedule(1), defaultSchedule(1)]).some((r) => r.differs)).toBe(false);
    expect(diffHyperparameters([defaultSchedule(1)]).some((r) => r.differs)).toBe(false);
    expect(diffHyperparameters([])).toEqual([]);
  });

  it('formats cells', () => {
    expect(formatScalar(undefined)).toBe('—');
    expect(formatScalar(null)).toBe('null');
    expect(formatScalar(1e-8)).toBe('1e-8');
    expect(formatScalar(true)).toBe('true');
  });
});
