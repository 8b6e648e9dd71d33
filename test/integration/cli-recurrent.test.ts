/**
 * `synth --topology recurrent` through the real CLI: two seeds of a fully connected
 * recurrent start (one copy of each type, tiny budgets) in two worker processes give one
 * JSON line per seed and the summary line in its fixed form; each stored run's schedule is
 * the recurrent start the flags asked for, and each circuit file holds only links of that
 * recurrent machine. Bad recurrent input is refused naming the field or flag.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVValueJson } from '../../src-shared/vvalue/parse';
import { linkLabel, matrixLinks } from '../../src-shared/machine/spec';
import { duplicatesFrame } from '../../src-shared/problems/duplicates/frame';
import { recurrentSpec } from '../../src-shared/synthesis/start';
import { RunStore } from '../../src-main/store/run-store';
import { runCli } from '../helpers/cli';

const tmp = mkdtempSync(join(tmpdir(), 'dmm-recurrent-'));

/** Two short strings and small budgets: seconds per seed. */
const TINY = {
  training: { strings: [{ text: 'aba.', cycles: 50 }] },
  testSuite: [{ text: 'ab.', cycles: 40 }],
  dense: { steps: 40 },
  rounds: { retrain: { chunk: 10, budget: 20, fineBudget: 10 }, fineTries: 2, fineBelow: 10 },
  stop: { targetLinks: 4, stepBudget: 200 },
  polish: { steps: 10 },
  regrow: { max: 0 },
  certificate: { enabled: false, steps: 10, lr: 0.01, restartAbove: false },
  restarts: { max: 0, validation: [{ text: 'aab.', cycles: 50 }] },
};

describe('synth --topology recurrent (CLI)', () => {
  it('runs two seeds of the recurrent start in two workers: a line each, the summary, a recurrent run per seed', () => {
    const schedule = join(tmp, 'tiny.json');
    writeFileSync(schedule, JSON.stringify(TINY));
    const outDir = join(tmp, 'out');
    const db = join(tmp, 'lab.db');
    const r = runCli(
      [
        'synth',
        '--topology',
        'recurrent',
        '--copies',
        '1',
        '--soft-accum-loop',
        '--seeds',
        '1-2',
        '--workers',
        '2',
        '--schedule',
        schedule,
        '--out-dir',
        outDir,
        '--db',
        db,
        '--json',
      ],
      600_000,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.lines();
    expect(lines).toHaveLength(3);
    const summary = lines[2] as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(['seeds', 'passed', 'links', 'testWorst', 'seconds']);
    expect(summary['seeds']).toBe(2);
    const bySeed = [1, 2].map((n) => lines.find((l) => l['seed'] === n) as Record<string, unknown>);
    expect(summary['links']).toEqual(bySeed.map((l) => l['softLinks']));

    const store = RunStore.open(db);
    try {
      for (const [i, l] of bySeed.entries()) {
        const run = store.getRun(l['runId'] as number);
        // the flags' recurrent start, and the recurrent defaults under the file's fields
        expect(run.schedule.start).toEqual({
          kind: 'generate',
          topology: 'recurrent',
          recurrent: { copies: 1, types: ['accum', 'norm', 'compare', 'dot'], scale: 0.01, accumLoop: 'soft' },
        });
        expect(run.schedule.optimizer.lr).toBe(0.003);
        expect(run.schedule.dense.steps).toBe(40);
        expect(run.schedule.seed).toBe(i + 1);
        // every link of the circuit is a link of that recurrent machine (its accumulator loop a soft link there)
        const machine = recurrentSpec(
          run.schedule.start.kind === 'generate' ? run.schedule.start.recurrent! : ({} as never),
          i + 1,
          duplicatesFrame(),
        );
        const allowed = new Set(matrixLinks(machine.trainable).map(linkLabel));
        expect(allowed.has('accum-1-1.dict-1 ← accum-1-1.dict')).toBe(true);
        expect(matrixLinks(machine.fixed).map(linkLabel)).not.toContain('accum-1-1.dict-1 ← accum-1-1.dict');
        const file = join(outDir, `seed-${i + 1}.json`);
        const links = matrixLinks(parseVValueJson(readFileSync(file, 'utf8')) as never).map(linkLabel);
        expect(links.length).toBe(l['softLinks']);
        for (const k of links) expect(allowed.has(k), k).toBe(true);
      }
    } finally {
      store.close();
    }
  }, 600_000);

  it('refuses bad recurrent input naming the field or the flag', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ copies: 0 }, /start\.recurrent\.copies: must be at least 1/],
      [{ copies: 2, types: ['accum', 'blob'] }, /start\.recurrent\.types\.1: unknown interneuron type "blob"/],
      [{ copies: 2, scale: 0 }, /start\.recurrent\.scale: must be > 0/],
      [{ copies: 2, scale: -1 }, /start\.recurrent\.scale: must be > 0/],
    ];
    for (const [recurrent, message] of cases) {
      const file = join(tmp, 'bad.json');
      writeFileSync(file, JSON.stringify({ start: { kind: 'generate', topology: 'recurrent', recurrent } }));
      const r = runCli(['synth', '--schedule', file, '--json']);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
    const flags: Array<[string[], RegExp]> = [
      [['--topology', 'recurrent', '--copies', '0'], /--copies must be a positive integer/],
      [['--topology', 'ring'], /--topology must be one of layered, recurrent/],
      [['--copies', '5'], /--copies goes with --topology recurrent/],
      [['--topology', 'recurrent', '--hard-accum-loop', '--soft-accum-loop'], /give one of them/],
      [['--topology', 'recurrent', '--seeds', '5-1'], /--seeds: the range 5-1 is empty/],
      [['--topology', 'recurrent', '--seeds', '1-100000'], /--seeds: 100000 seeds is more than 1000/],
    ];
    for (const [args, message] of flags) {
      const r = runCli(['synth', ...args, '--json']);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  }, 300_000);
});
