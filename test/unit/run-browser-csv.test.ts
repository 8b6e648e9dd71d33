/** CSV export of the run browser's visible columns. */
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src-shared/api/records';
import { COLUMNS, DEFAULT_COLUMNS, normalizeColumns, toggleColumn } from '../../src-renderer/runs/browser/columns';
import { csvField, runsToCsv } from '../../src-renderer/runs/browser/csv';
import { runSummary } from '../helpers/run-summary';

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return runSummary({
    status: 'completed',
    seed: 7,
    createdAt: Date.UTC(2025, 10, 24, 16, 0, 0),
    startedAt: Date.UTC(2025, 10, 24, 16, 0, 1),
    endedAt: Date.UTC(2025, 10, 24, 16, 5, 31),
    steps: 500,
    stepBudget: 30_000,
    softLinks: 8,
    finalLoss: 0.000123456789,
    bestLoss: 1e-5,
    testLoss: 0,
    tags: ['a', 'b'],
    startPoint: 'generated L2 K1',
    ...over,
  });
}

const ctx = { architectures: new Map([[3, 'reference v2']]), now: Date.UTC(2025, 10, 24, 17) };

describe('csv', () => {
  it('quotes what needs quoting and neutralises formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField(-0.5)).toBe('-0.5'); // numbers are numbers
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('exports the given columns in order, full precision, ISO times, tags joined by ;', () => {
    const runs = [
      summary(),
      summary({ id: 2, name: 'b, "quoted"', architectureId: 3, tags: [], startedAt: null, endedAt: null, softLinks: null }),
    ];
    const csv = runsToCsv(
      runs,
      ['id', 'name', 'architecture', 'startedAt', 'duration', 'softLinks', 'finalLoss', 'testLoss', 'testWorst', 'tags'],
      ctx,
    );
    expect(csv.split('\r\n')).toEqual([
      'id,name,architecture,startedAt,duration,softLinks,finalLoss,testLoss,testWorst,tags',
      '1,run 1,generated L2 K1,2025-11-24T16:00:01.000Z,330000,8,0.000123456789,0,,a;b', // no library architecture: the schedule's start point
      '2,"b, ""quoted""",reference v2,,,,0.000123456789,0,,',
      '',
    ]);
  });

  it('every column has a CSV value and a text for a run', () => {
    for (const c of COLUMNS) {
      expect(typeof c.text(summary(), ctx)).toBe('string');
      expect(['string', 'number', 'object']).toContain(typeof c.csv(summary(), ctx));
    }
  });
});

describe('columns', () => {
  it('keeps table order, drops unknown names, never ends up empty', () => {
    expect(normalizeColumns(['tags', 'nope', 'name', 'name', 7])).toEqual(['name', 'tags']);
    expect(normalizeColumns([])).toEqual(['name']);
    expect(toggleColumn(DEFAULT_COLUMNS, 'id', true)[0]).toBe('id');
    expect(toggleColumn(['name'], 'name', false)).toEqual(['name']);
    expect(toggleColumn(DEFAULT_COLUMNS, 'tags', false)).not.toContain('tags');
  });

  it('sortable columns are run fields of the contract; architecture and tags are not sortable', async () => {
    const { RUN_FIELDS } = await import('../../src-shared/api/contract');
    for (const c of COLUMNS) if (c.sort !== undefined) expect(RUN_FIELDS).toContain(c.sort);
    expect(COLUMNS.find((c) => c.id === 'architecture')?.sort).toBeUndefined();
    expect(COLUMNS.find((c) => c.id === 'tags')?.sort).toBeUndefined();
  });
});
