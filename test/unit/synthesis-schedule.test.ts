/**
 * Synthesis schedules as plain data (src-shared/synthesis/schedule.ts): the default is
 * valid, partial overrides merge over it (objects merge, arrays and another variant of a
 * discriminated union replace), bad values are refused with the offending path named,
 * and a schedule survives a JSON round trip.
 */
import { describe, expect, it } from 'vitest';
import { defaultSchedule, parseSchedule, ScheduleError, scheduleFromOverrides, type Schedule } from '../../src-shared/synthesis/schedule';

/** The ScheduleError thrown by f (fails the test when f does not throw one). */
function scheduleError(f: () => unknown): ScheduleError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScheduleError);
    return e as ScheduleError;
  }
  return expect.fail('expected a ScheduleError, nothing was thrown');
}

const jsonRoundTrip = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('defaultSchedule', () => {
  it('is valid as it stands and parses to itself', () => {
    for (const seed of [0, 1, 12345, 2 ** 31 - 1]) {
      const s = defaultSchedule(seed);
      expect(s.seed).toBe(seed);
      expect(parseSchedule(s)).toEqual(s);
    }
  });

  it('describes the reference protocol: the 5×2 architecture of spec §5, exact gradients, Adam betas (0.9, 0.999)', () => {
    const s = defaultSchedule();
    expect(s.start.kind).toBe('generate');
    if (s.start.kind !== 'generate') return;
    expect(s.start.architecture).toMatchObject({ layers: 5, copies: 2, skip: true, scale: 0.01 });
    expect([...s.start.architecture!.types].sort()).toEqual(['accum', 'compare', 'dot', 'norm']);
    expect(s.estimator).toEqual({ kind: 'gradient', gradients: 'exact' });
    expect(s.optimizer.beta1).toBe(0.9);
    expect(s.optimizer.beta2).toBe(0.999);
    expect(s.training.strings.length).toBeGreaterThan(0);
    expect(s.testSuite.length).toBeGreaterThan(0);
  });

  it('is plain data: a JSON round trip changes nothing and the copy is still valid', () => {
    const s = defaultSchedule(7);
    const copy = jsonRoundTrip(s);
    expect(copy).toEqual(s);
    expect(parseSchedule(copy)).toEqual(s);
    // every leaf is a JSON value (no undefined, functions, NaN or typed arrays hiding in it)
    expect(JSON.stringify(copy)).toBe(JSON.stringify(s));
  });

  it('returns fresh objects: mutating one default does not leak into the next', () => {
    const a = defaultSchedule();
    (a.training.strings as { text: string; cycles: number }[]).push({ text: 'zz', cycles: 30 });
    a.optimizer.lr = 123;
    if (a.start.kind === 'generate') a.start.architecture?.types.pop();
    const b = defaultSchedule();
    expect(b.training.strings).toHaveLength(a.training.strings.length - 1);
    expect(b.optimizer.lr).not.toBe(123);
    if (b.start.kind === 'generate') expect(b.start.architecture?.types).toHaveLength(4);
  });
});

describe('scheduleFromOverrides', () => {
  it('with no overrides is the default schedule (with the given seed)', () => {
    expect(scheduleFromOverrides({})).toEqual(defaultSchedule(1));
    expect(scheduleFromOverrides({}, 42)).toEqual(defaultSchedule(42));
    expect(scheduleFromOverrides(undefined, 9)).toEqual(defaultSchedule(9));
  });

  it('merges nested objects: only the given fields change', () => {
    const d = defaultSchedule();
    const s = scheduleFromOverrides({ optimizer: { lr: 0.5 }, rounds: { retrain: { chunk: 7 }, accept: { tolerance: 3 } } });
    expect(s.optimizer).toEqual({ ...d.optimizer, lr: 0.5 });
    expect(s.rounds.retrain).toEqual({ ...d.rounds.retrain, chunk: 7 });
    expect(s.rounds.accept).toEqual({ ...d.rounds.accept, tolerance: 3 });
    // everything else is untouched
    expect({ ...s, optimizer: d.optimizer, rounds: d.rounds }).toEqual(d);
  });

  it('merges a start of the same kind field by field', () => {
    const s = scheduleFromOverrides({ start: { kind: 'generate', architecture: { layers: 2, copies: 1 } } });
    const d = defaultSchedule();
    expect(s.start.kind).toBe('generate');
    if (s.start.kind !== 'generate' || d.start.kind !== 'generate') return;
    expect(s.start.architecture).toEqual({ ...d.start.architecture, layers: 2, copies: 1 });
  });

  it('replaces arrays instead of merging them element by element', () => {
    const strings = [{ text: 'ab.', cycles: 40 }];
    const s = scheduleFromOverrides({ training: { strings }, testSuite: [{ text: 'q', cycles: 20 }] });
    expect(s.training.strings).toEqual(strings);
    expect(s.testSuite).toEqual([{ text: 'q', cycles: 20 }]);
    const t = scheduleFromOverrides({ start: { kind: 'generate', architecture: { types: ['dot'] } } });
    if (t.start.kind === 'generate') expect(t.start.architecture?.types).toEqual(['dot']);
  });

  it('replaces a discriminated union when the kind changes (no fields of the old variant survive)', () => {
    const es = { kind: 'es', sigma: 0.05, population: 4, weightDecay: 0.001, workers: 0 } as const;
    const s = scheduleFromOverrides({ estimator: es });
    expect(s.estimator).toEqual(es);
    expect(s.estimator).not.toHaveProperty('gradients');

    const cut = scheduleFromOverrides({ rounds: { cut: { kind: 'count', count: 3 } } });
    expect(cut.rounds.cut).toEqual({ kind: 'count', count: 3 });
    expect(cut.rounds.cut).not.toHaveProperty('fraction');

    const start = scheduleFromOverrides({ start: { kind: 'matrix', matrix: { output: { 'dict-1': { const_1: { const_1: 1 } } } } } });
    expect(start.start.kind).toBe('matrix');
    expect(start.start).not.toHaveProperty('architecture');
    if (start.start.kind === 'matrix') expect(start.start.name).toBe('matrix'); // the schema's default
  });

  it('a partial variant of another kind is not completed from the old one: its missing fields are named', () => {
    const err = scheduleError(() => scheduleFromOverrides({ estimator: { kind: 'es', sigma: 0.1 } }));
    const text = err.message;
    expect(text).toMatch(/estimator\.population/);
    expect(text).toMatch(/estimator\.weightDecay/);
    expect(text).toMatch(/estimator\.workers/);
    expect(text).not.toMatch(/estimator\.sigma/);
  });

  it('the seed argument wins over a seed in the overrides', () => {
    expect(scheduleFromOverrides({ seed: 5 }).seed).toBe(5);
    expect(scheduleFromOverrides({ seed: 5 }, 11).seed).toBe(11);
  });

  it('does not modify the overrides it is given', () => {
    const o = { optimizer: { lr: 0.3 }, training: { strings: [{ text: 'ab', cycles: 30 }] } };
    const before = jsonRoundTrip(o);
    scheduleFromOverrides(o, 4);
    expect(o).toEqual(before);
  });

  it('a merged schedule survives a JSON round trip unchanged', () => {
    const s = scheduleFromOverrides(
      {
        start: {
          kind: 'repair',
          architecture: { layers: 3, copies: 1, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale: 0.01 },
          remove: [],
          perturb: 0.2,
        },
        estimator: { kind: 'es', sigma: 0.02, population: 8, weightDecay: 0, workers: 0 },
        training: { strings: [{ text: 'aa.', cycles: 40 }], curriculum: { startCycles: 10, steps: 20 } },
      },
      3,
    );
    const copy = jsonRoundTrip(s);
    expect(copy).toEqual(s);
    expect(parseSchedule(copy)).toEqual(s);
  });
});

describe('invalid schedules throw a ScheduleError naming the offending path', () => {
  const cases: [string, unknown, string][] = [
    ['NaN learning rate', { optimizer: { lr: Number.NaN } }, 'optimizer.lr'],
    ['negative learning rate', { optimizer: { lr: -0.01 } }, 'optimizer.lr'],
    ['zero learning rate', { optimizer: { lr: 0 } }, 'optimizer.lr'],
    ['infinite learning rate', { optimizer: { lr: Number.POSITIVE_INFINITY } }, 'optimizer.lr'],
    ['beta1 of 1', { optimizer: { beta1: 1 } }, 'optimizer.beta1'],
    ['unknown estimator kind', { estimator: { kind: 'magic' } }, 'estimator.kind'],
    ['ES with σ = 0', { estimator: { kind: 'es', sigma: 0, population: 2, weightDecay: 0, workers: 0 } }, 'estimator.sigma'],
    ['ES with no population', { estimator: { kind: 'es', sigma: 0.1, population: 0, weightDecay: 0, workers: 0 } }, 'estimator.population'],
    ['no training strings', { training: { strings: [] } }, 'training.strings'],
    [
      'an empty training string',
      {
        training: {
          strings: [
            { text: 'ab', cycles: 30 },
            { text: '', cycles: 30 },
          ],
        },
      },
      'training.strings.1.text',
    ],
    ['a fractional window', { training: { strings: [{ text: 'ab', cycles: 2.5 }] } }, 'training.strings.0.cycles'],
    ['an empty test suite', { testSuite: [] }, 'testSuite'],
    ['cut fraction 1', { rounds: { cut: { kind: 'fraction', fraction: 1 } } }, 'rounds.cut.fraction'],
    ['cut fraction above 1', { rounds: { cut: { fraction: 1.5 } } }, 'rounds.cut.fraction'],
    ['cut fraction 0', { rounds: { cut: { fraction: 0 } } }, 'rounds.cut.fraction'],
    ['backtrack gentler 1', { rounds: { backtrack: { gentler: 1 } } }, 'rounds.backtrack.gentler'],
    ['negative seed', { seed: -1 }, 'seed'],
    ['fractional seed', { seed: 1.5 }, 'seed'],
    ['zero layers', { start: { kind: 'generate', architecture: { layers: 0 } } }, 'start.architecture.layers'],
    ['repeated types', { start: { kind: 'generate', architecture: { types: ['dot', 'dot'] } } }, 'start.architecture.types'],
    ['unknown neuron type', { start: { kind: 'generate', architecture: { types: ['accum', 'blob'] } } }, 'start.architecture.types.1'],
    ['negative λ1', { dense: { l1: -0.001 } }, 'dense.l1'],
    ['zero step budget', { stop: { stepBudget: 0 } }, 'stop.stepBudget'],
    ['a string where a number belongs', { polish: { steps: '10' } }, 'polish.steps'],
  ];
  for (const [what, overrides, path] of cases) {
    it(`${what} → ${path}`, () => {
      const err = scheduleError(() => scheduleFromOverrides(overrides));
      expect(
        err.issues.some((i) => i.startsWith(`${path}: `)),
        err.message,
      ).toBe(true);
      expect(err.message).toContain(path);
    });
  }

  it('a non-object schedule is refused at the root', () => {
    for (const bad of [null, 5, 'schedule', [defaultSchedule()]]) {
      const err = scheduleError(() => scheduleFromOverrides(bad));
      expect(err.message).toMatch(/\(root\)/);
    }
  });

  it('parseSchedule refuses an incomplete schedule and names every missing section', () => {
    const { optimizer: _o, stop: _s, ...rest } = defaultSchedule();
    const err = scheduleError(() => parseSchedule(rest));
    expect(err.issues.some((i) => i.startsWith('optimizer'))).toBe(true);
    expect(err.issues.some((i) => i.startsWith('stop'))).toBe(true);
    expect(err.issues).toHaveLength(2);
  });

  it('parseSchedule refuses a version other than 1', () => {
    const s: Schedule = defaultSchedule();
    expect(scheduleError(() => parseSchedule({ ...s, version: 2 })).message).toMatch(/version/);
  });
});
