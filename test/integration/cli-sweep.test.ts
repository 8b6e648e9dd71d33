/**
 * `sweep` through the real CLI: a small grid on a real lab file — one JSON line per run as it
 * ends and the summary line {"sweep","runs","passed","bestRunId"} exactly, agreeing with the
 * database; bad axes and an unreachable cluster refused with a readable message and nothing
 * created.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/store/run-store';
import { runCli } from '../helpers/cli';
import { tempDir, tinySchedule } from '../helpers/lab';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('cli sweep', () => {
  it('prints a line per finished run and the summary line, as stored', () => {
    const db = join(tmp.dir, 'lab.sqlite');
    const schedule = join(tmp.dir, 'tiny.json');
    writeFileSync(schedule, JSON.stringify(tinySchedule(1)));
    const r = runCli(
      [
        'sweep',
        '--db',
        db,
        '--schedule',
        schedule,
        '--over',
        'seed=1-2',
        '--over',
        'optimizer.lr=0.02,0.05',
        '--concurrency',
        '2',
        '--json',
      ],
      300_000,
    );
    expect(r.stderr).toContain('4 runs, 2 at once');
    expect(r.status).toBe(0);
    const lines = r.lines();
    expect(lines).toHaveLength(5);
    const summary = lines[4]!;
    expect(Object.keys(summary)).toEqual(['sweep', 'runs', 'passed', 'bestRunId']);
    const runs = lines.slice(0, 4);
    expect(runs.map((l) => JSON.stringify(l['point'])).sort()).toEqual(
      [
        { seed: 1, 'optimizer.lr': 0.02 },
        { seed: 1, 'optimizer.lr': 0.05 },
        { seed: 2, 'optimizer.lr': 0.02 },
        { seed: 2, 'optimizer.lr': 0.05 },
      ]
        .map((p) => JSON.stringify(p))
        .sort(),
    );
    const store = RunStore.open(db, { readonly: true });
    try {
      const sweep = store.sweeps.get(summary['sweep'] as number);
      expect(summary['runs']).toBe(4);
      expect(summary['passed']).toBe(runs.filter((l) => l['passed'] === true).length);
      expect(summary['passed']).toBe(sweep.passed);
      expect(summary['bestRunId']).toBe(sweep.bestRunId);
      for (const l of runs) {
        const run = store.getRun(l['runId'] as number);
        expect(l['status']).toBe(run.status);
        expect(run.status).toBe('completed');
        expect(l['softLinks']).toBe(run.softLinks);
        expect(run.schedule.seed).toBe((l['point'] as { seed: number }).seed);
      }
    } finally {
      store.close();
    }
  });

  it('refuses an unknown field and an unreachable cluster, creating nothing', () => {
    const db = join(tmp.dir, 'bad.sqlite');
    const unknown = runCli(['sweep', '--db', db, '--over', 'optimizer.lrr=0.1', '--json']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/error: axes\[0\]\.path: unknown schedule field optimizer\.lrr: optimizer has no field "lrr"/);
    expect(unknown.stdout).toBe('');
    const store = RunStore.open(db, { readonly: true });
    try {
      expect(store.sweeps.list()).toHaveLength(0);
      expect(store.listRuns().total).toBe(0);
    } finally {
      store.close();
    }
    const elsewhere = join(tmp.dir, 'never.sqlite');
    const unreachable = runCli(['sweep', '--db', elsewhere, '--over', 'seed=1-2', '--cluster', 'redis://:secret@127.0.0.1:1', '--json']);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: cannot reach the cluster's Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/m);
    expect(unreachable.stderr).not.toContain('secret');
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(elsewhere)).toBe(false);
    const zero = runCli(['sweep', '--db', db, '--over', 'seed=1-2', '--concurrency', '0']);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toContain('--concurrency must be a positive integer');
  });
});
