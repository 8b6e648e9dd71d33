/** The run browser's filter box: conditions and text in, contract Conditions or readable errors out. */
import { describe, expect, it } from 'vitest';
import { ConditionSchema, RunQuerySchema } from '../../src-shared/api/contract';
import {
  formatFilter,
  parseFilter,
  parseDate,
  parseDuration,
  resolveField,
  defaultCatalog,
  type FilterResult,
  type ParsedFilter,
} from '../../src-renderer/runs/browser/filter';
import { numericPaths, schedulePaths } from '../../src-renderer/runs/browser/schedule-paths';
import { ScheduleSchema } from '../../src-shared/synthesis/schedule';

const ok = (r: FilterResult): ParsedFilter => {
  if (!r.ok) throw new Error(`expected a valid filter, got: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.filter;
};
const errors = (r: FilterResult): string[] => {
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.filter)}`);
  return r.errors.map((e) => e.message);
};

describe('parseFilter', () => {
  it('reads the examples of the issue', () => {
    expect(ok(parseFilter('softLinks <= 12'))).toEqual({ conditions: [{ field: 'softLinks', op: '<=', value: 12 }], text: '' });
    expect(ok(parseFilter('testWorst < 0.05'))).toEqual({ conditions: [{ field: 'testWorst', op: '<', value: 0.05 }], text: '' });
    expect(ok(parseFilter('optimizer.lr = 0.02'))).toEqual({ conditions: [{ field: 'optimizer.lr', op: '=', value: 0.02 }], text: '' });
  });

  it('reads several conditions and free text, with or without separators and spaces', () => {
    const f = ok(parseFilter('softLinks<=12, testWorst < 5e-2 and optimizer.lr=0.02; sweep lr'));
    expect(f.conditions).toEqual([
      { field: 'softLinks', op: '<=', value: 12 },
      { field: 'testWorst', op: '<', value: 0.05 },
      { field: 'optimizer.lr', op: '=', value: 0.02 },
    ]);
    expect(f.text).toBe('sweep lr');
    expect(ok(parseFilter('repair  run softLinks > 8'))).toEqual({
      conditions: [{ field: 'softLinks', op: '>', value: 8 }],
      text: 'repair run',
    });
  });

  it('is empty for blank input', () => {
    expect(ok(parseFilter(''))).toEqual({ conditions: [], text: '' });
    expect(ok(parseFilter('  ,, ; '))).toEqual({ conditions: [], text: '' });
  });

  it('keeps "and" as text unless it joins conditions', () => {
    expect(ok(parseFilter('salt and pepper')).text).toBe('salt and pepper');
    expect(ok(parseFilter('steps > 5 AND seed = 3')).conditions).toHaveLength(2);
    expect(ok(parseFilter('steps > 5 && seed = 3')).text).toBe('');
  });

  it('normalises operators and field case, and knows two aliases', () => {
    const f = ok(
      parseFilter('softlinks == 8, TESTLOSS ≤ 1, seed <> 3, steps ≥ 10, steps => 11, steps =< 12, seed ≠ 4, links < 20, lr > 0.001'),
    );
    expect(f.conditions.map((c) => `${c.field} ${c.op} ${c.value}`)).toEqual([
      'softLinks = 8',
      'testLoss <= 1',
      'seed != 3',
      'steps >= 10',
      'steps >= 11',
      'steps <= 12',
      'seed != 4',
      'softLinks < 20',
      'optimizer.lr > 0.001',
    ]);
  });

  it('accepts schedule paths of every variant (ES, cut rules, curriculum)', () => {
    for (const p of [
      'estimator.sigma',
      'rounds.cut.threshold',
      'rounds.cut.fraction',
      'training.curriculum.steps',
      'start.architecture.layers',
      'dense.l1',
    ]) {
      expect(ok(parseFilter(`${p} > 0`)).conditions[0]?.field).toBe(p);
    }
  });

  it('reads dates for the time fields and durations for duration', () => {
    const f = ok(
      parseFilter('startedAt >= 2025-11-24, endedAt < 2025-11-24T17:30, duration > 1.5h, duration < 90s, createdAt > 1700000000000'),
    );
    expect(f.conditions.map((c) => c.value)).toEqual([
      new Date(2025, 10, 24).getTime(),
      new Date(2025, 10, 24, 17, 30).getTime(),
      5_400_000,
      90_000,
      1_700_000_000_000,
    ]);
    expect(parseDate('2025-02-30')).toBeUndefined();
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2d')).toBe(172_800_000);
  });

  it('quotes keep text that would read as a condition', () => {
    expect(ok(parseFilter('"a <= b", softLinks < 9'))).toEqual({ conditions: [{ field: 'softLinks', op: '<', value: 9 }], text: 'a <= b' });
    expect(ok(parseFilter('"say \\"hi\\""')).text).toBe('say "hi"');
  });

  it('explains what is wrong, with positions, and gives no conditions', () => {
    const input = 'softLinks <= abc';
    const r = parseFilter(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]?.message).toBe('softLinks <=: "abc" is not a number');
      expect(input.slice(r.errors[0]!.start, r.errors[0]!.end)).toBe('abc');
    }
    expect(errors(parseFilter('softlink < 3'))).toEqual(['unknown field "softlink": did you mean softLinks?']);
    expect(errors(parseFilter('retrain.lr < 3'))[0]).toMatch(/did you mean rounds\.retrain\.lr/);
    expect(errors(parseFilter('frobnicate > 1'))[0]).toMatch(/^unknown field "frobnicate": use a run figure/);
    expect(errors(parseFilter('status = 3'))[0]).toMatch(/use the status filter/);
    expect(errors(parseFilter('name = 3'))[0]).toMatch(/type it without an operator/);
    expect(errors(parseFilter('softLinks <='))).toEqual(['softLinks <= needs a value after it']);
    expect(errors(parseFilter('<= 12'))[0]).toMatch(/needs a field before it/);
    expect(errors(parseFilter('softLinks << 12'))[0]).toMatch(/unknown operator "<<"/);
    expect(errors(parseFilter('softLinks ! 12'))[0]).toMatch(/unknown operator "!"/);
    expect(errors(parseFilter('"open'))).toEqual(['a quote is not closed']);
    expect(errors(parseFilter('"soft" < 3'))[0]).toMatch(/cannot be quoted/);
    expect(errors(parseFilter('startedAt > yesterday'))[0]).toMatch(/is not a date/);
    expect(errors(parseFilter('duration > 5minutes'))[0]).toMatch(/is not a duration/);
    expect(ok(parseFilter('duration > 5min')).conditions[0]?.value).toBe(300_000);
    expect(errors(parseFilter('softLinks < 1e999'))[0]).toMatch(/is not a number/);
    expect(errors(parseFilter(Array.from({ length: 21 }, () => 'seed > 1').join(', ')))).toEqual(['at most 20 conditions']);
    expect(errors(parseFilter('x'.repeat(201)))[0]).toMatch(/longer than 200/);
  });

  it('reports every error, in order', () => {
    expect(errors(parseFilter('foo < 1, softLinks < x'))).toHaveLength(2);
  });

  it('gives only what the contract accepts', () => {
    const f = ok(parseFilter('softLinks <= 12, optimizer.lr = 0.02, startedAt > 2025-01-01, fine'));
    for (const c of f.conditions) expect(ConditionSchema.safeParse(c).success).toBe(true);
    expect(RunQuerySchema.safeParse({ where: f.conditions, text: f.text }).success).toBe(true);
  });
});

describe('formatFilter', () => {
  const roundTrip = (input: string): void => {
    const f = ok(parseFilter(input));
    expect(ok(parseFilter(formatFilter(f)))).toEqual(f);
  };

  it('writes a filter that reads back the same', () => {
    for (const input of [
      'softLinks <= 12',
      'softLinks <= 12, testWorst < 0.05, optimizer.lr = 0.02',
      'sweep lr',
      'steps > 5 salt and pepper',
      '"a <= b, c"',
      '"quote \\" and backslash \\\\"',
      'startedAt >= 2025-11-24, endedAt < 2025-11-24T17:30:15, duration > 90m, duration < 1234, createdAt > 12.5',
      'testLoss < 1e-7, seed != -3',
    ]) {
      roundTrip(input);
    }
  });

  it('is readable', () => {
    expect(
      formatFilter({
        conditions: [
          { field: 'duration', op: '>', value: 5_400_000 },
          { field: 'softLinks', op: '<=', value: 12 },
        ],
        text: 'repair',
      }),
    ).toBe('duration > 90m, softLinks <= 12, repair');
    expect(formatFilter({ conditions: [{ field: 'startedAt', op: '>=', value: new Date(2025, 10, 24).getTime() }], text: '' })).toBe(
      'startedAt >= 2025-11-24',
    );
  });
});

describe('fields', () => {
  it('schedule paths come from the schedule schema, every variant included', () => {
    const paths = schedulePaths();
    expect(paths).toContain('optimizer.lr');
    expect(paths).toContain('estimator.population');
    expect(paths).toContain('rounds.retrain.fineLr');
    expect(paths).not.toContain('version'); // a literal, not a number field
    expect(paths).not.toContain('training.strings');
    expect(numericPaths(ScheduleSchema)).toEqual(paths);
  });

  it('resolves exact, case-insensitive and unknown names', () => {
    const c = defaultCatalog();
    expect(resolveField('testWorst', c)).toEqual({ field: 'testWorst' });
    expect(resolveField('OPTIMIZER.LR', c)).toEqual({ field: 'optimizer.lr' });
    expect(resolveField('bestloss', c)).toEqual({ field: 'bestLoss' });
    expect(resolveField('fineLr', c)).toEqual({ error: 'unknown field "fineLr": did you mean rounds.retrain.fineLr?' });
  });
});

describe('the verdict condition', () => {
  it('verdict = failed (or !=, any case) is a condition the contract accepts and that reads back the same', () => {
    const r = parseFilter('Verdict = FAILED, softLinks <= 12');
    expect(r).toEqual({
      ok: true,
      filter: {
        conditions: [
          { field: 'verdict', op: '=', value: 'failed' },
          { field: 'softLinks', op: '<=', value: 12 },
        ],
        text: '',
      },
    });
    if (!r.ok) return;
    expect(RunQuerySchema.parse({ where: r.filter.conditions }).where).toEqual(r.filter.conditions);
    expect(formatFilter(r.filter)).toBe('verdict = failed, softLinks <= 12');
    expect(parseFilter('verdict != passed')).toMatchObject({
      ok: true,
      filter: { conditions: [{ field: 'verdict', op: '!=', value: 'passed' }] },
    });
  });

  it('refuses an order or an unknown verdict, saying what is allowed', () => {
    expect(parseFilter('verdict < failed')).toMatchObject({
      ok: false,
      errors: [{ message: 'verdict takes = or != (e.g. verdict = failed)' }],
    });
    expect(parseFilter('verdict = maybe')).toMatchObject({ ok: false, errors: [{ message: 'verdict is one of passed, failed, none' }] });
  });
});
