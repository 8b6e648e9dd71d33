/**
 * `synth --seeds` through the real CLI: three seeds of a small schedule in two worker
 * processes give one JSON line per seed and the summary line in its fixed form; each circuit
 * file holds the links its line reports and its test-suite error agrees with an independent
 * evaluation on the compiled engine; with --db each seed is its own completed run with its
 * certificate event; bad ranges are refused naming the option.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prototypeMatrixSpec } from '../../src-shared/io/prototype-matrix';
import { matrixLinks } from '../../src-shared/machine/spec';
import { DetectorLoss } from '../../src-shared/problems/duplicates/loss';
import { parseVValueJson } from '../../src-shared/vvalue/parse';
import { RunStore } from '../../src-main/store/run-store';
import { runCli } from '../helpers/cli';

const tmp = mkdtempSync(join(tmpdir(), 'dmm-seeds-'));

const TEST_SUITE = [{ text: 'ab.', cycles: 40 }];

/** A 2-layer, 1-copy start, two short strings and small budgets: seconds per seed. */
const SMALL = {
  start: { kind: 'generate', architecture: { layers: 2, copies: 1, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale: 0.01 } },
  training: {
    strings: [
      { text: 'aba.', cycles: 50 },
      { text: 'b..', cycles: 40 },
    ],
  },
  testSuite: TEST_SUITE,
  dense: { steps: 60 },
  rounds: { retrain: { chunk: 10, budget: 30, fineBudget: 20 }, fineTries: 3, fineBelow: 10 },
  stop: { targetLinks: 4, stepBudget: 400 },
  polish: { steps: 20 },
  regrow: { max: 0 },
  certificate: { enabled: true, steps: 20, lr: 0.01, restartAbove: false },
  restarts: { max: 0, validation: [{ text: 'aab.', cycles: 50 }] },
};

function worstOf(file: string): { links: number; worst: number } {
  const spec = prototypeMatrixSpec(parseVValueJson(readFileSync(file), file));
  const loss = new DetectorLoss(
    spec,
    TEST_SUITE.map((s) => s.text),
    undefined,
    'compiled',
  );
  const w = loss.paramVector(spec.trainable);
  let worst = 0;
  for (const s of TEST_SUITE) worst = Math.max(worst, loss.fit(w, s.text, s.cycles, 'exact').worstError);
  return { links: matrixLinks(spec.trainable).length, worst };
}

describe('synth --seeds (CLI)', () => {
  it('runs three seeds in two workers: a line each, the summary, the circuit files and one run per seed', () => {
    const schedule = join(tmp, 'small.json');
    writeFileSync(schedule, JSON.stringify(SMALL));
    const outDir = join(tmp, 'out');
    const db = join(tmp, 'lab.db');
    const r = runCli(
      ['synth', '--seeds', '2-4', '--workers', '2', '--schedule', schedule, '--out-dir', outDir, '--db', db, '--json'],
      600_000,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.lines();
    expect(lines).toHaveLength(4);
    const perSeed = lines.slice(0, 3);
    const summary = lines[3] as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(['seeds', 'passed', 'links', 'testWorst', 'seconds']);
    expect(summary['seeds']).toBe(3);

    // the lines come as seeds end; the summary's arrays are in seed order
    const bySeed = [2, 3, 4].map((n) => perSeed.find((l) => l['seed'] === n) as Record<string, unknown>);
    for (const l of bySeed) expect(l).toBeDefined();
    expect(summary['links']).toEqual(bySeed.map((l) => l['softLinks']));
    expect(summary['testWorst']).toEqual(bySeed.map((l) => l['testWorst']));
    expect(summary['seconds']).toEqual(bySeed.map((l) => l['seconds']));
    expect(summary['passed']).toBe(bySeed.filter((l) => l['passed'] === true).length);

    const store = RunStore.open(db);
    try {
      for (const [i, l] of bySeed.entries()) {
        const n = i + 2;
        expect(l['status']).toBe('completed');
        const file = join(outDir, `seed-${n}.json`);
        expect(l['out']).toBe(file);
        expect(existsSync(file)).toBe(true);
        const { links, worst } = worstOf(file);
        expect(links).toBe(l['softLinks']);
        expect(worst).toBeCloseTo(l['testWorst'] as number, 9);
        // its own run, completed, with the certificate (or the reason it has none) in its event log
        const run = store.getRunSummary(l['runId'] as number);
        expect(run.status).toBe('completed');
        expect(run.softLinks).toBe(l['softLinks']);
        expect(store.listEvents(run.id).some((e) => e.kind === 'certificate')).toBe(true);
      }
      expect(store.listRuns().total).toBe(3);
    } finally {
      store.close();
    }
  }, 600_000);

  it('refuses bad ranges naming --seeds, and --seeds with --seed', () => {
    for (const bad of ['5-1', '1-100000', '0', 'abc', '1-x']) {
      const r = runCli(['synth', '--seeds', bad, '--json']);
      expect(r.status, bad).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr, bad).toMatch(/--seeds/);
    }
    expect(runCli(['synth', '--seeds', '5-1']).stderr).toMatch(/the range 5-1 is empty/);
    expect(runCli(['synth', '--seeds', '1-100000']).stderr).toMatch(/100000 seeds is more than 1000/);
    const both = runCli(['synth', '--seeds', '1-2', '--seed', '3']);
    expect(both.status).not.toBe(0);
    expect(both.stderr).toMatch(/--seeds and --seed/);
  }, 120_000);
});
