/** `synth --db` records a run; `runs list|show|export|import` read it back, through the real CLI. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { shortSchedule, tempDir } from '../helpers/lab';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('synth --db and runs', () => {
  const db = join(tmp.dir, 'lab.sqlite');
  const schedule = join(tmp.dir, 'schedule.json');
  writeFileSync(schedule, JSON.stringify(shortSchedule(5)));

  it('records a synthesis run whose stored figures match the printed ones', () => {
    const r = runCli(['synth', '--schedule', schedule, '--db', db, '--name', 'from the cli', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const [summary] = r.lines() as [{ softLinks: number; testWorst: number; steps: number; runId: number; db: string }];
    expect(summary.runId).toBe(1);
    expect(summary.db).toBe(db);

    const list = runCli(['runs', 'list', '--db', db, '--json']);
    expect(list.status, list.stderr).toBe(0);
    const [run] = list.lines() as [
      { id: number; name: string; status: string; softLinks: number; testWorst: number; steps: number; tags: string[] },
    ];
    expect(run).toMatchObject({
      id: 1,
      name: 'from the cli',
      status: 'completed',
      softLinks: summary.softLinks,
      testWorst: summary.testWorst,
      steps: summary.steps,
    });
    expect(run.tags).toEqual(['cli']);

    const show = runCli(['runs', 'show', '--db', db, '--run', '1', '--json']);
    const detail = show.lines()[0] as {
      metrics: { total: number; lastStep: number };
      events: { kind: string }[];
      snapshots: { reason: string }[];
    };
    expect(detail.metrics.total).toBe(summary.steps);
    expect(detail.metrics.lastStep).toBe(summary.steps);
    expect(detail.events.map((e) => e.kind)).toContain('stop');
    expect(detail.snapshots.map((s) => s.reason)).toEqual(expect.arrayContaining(['start', 'final']));

    // the database is sound
    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  }, 60_000);

  it('exports a run and imports it into another database with the same content', () => {
    const out = join(tmp.dir, 'run1.json');
    expect(runCli(['runs', 'export', '--db', db, '--run', '1', '--out', out]).status).toBe(0);
    const other = join(tmp.dir, 'other.sqlite');
    const imp = runCli(['runs', 'import', '--db', other, '--file', out, '--json']);
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.lines()[0]).toEqual({ ids: [1] });
    const a = runCli(['runs', 'show', '--db', db, '--run', '1', '--json']).lines()[0] as {
      run: Record<string, unknown>;
      metrics: unknown;
      snapshots: unknown[];
    };
    const b = runCli(['runs', 'show', '--db', other, '--run', '1', '--json']).lines()[0] as typeof a;
    expect(b.metrics).toEqual(a.metrics);
    expect(b.snapshots.length).toBe(a.snapshots.length);
    expect({ ...b.run, createdAt: 0 }).toEqual({ ...a.run, createdAt: 0 });
  }, 60_000);

  it('names what is wrong: a missing database, an unknown run, a file that is not an export', () => {
    const missing = runCli(['runs', 'list', '--db', join(tmp.dir, 'nope.sqlite')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no lab database/);
    const unknown = runCli(['runs', 'show', '--db', db, '--run', '99']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/99/);
    const bad = join(tmp.dir, 'bad.json');
    writeFileSync(bad, '{"format": "something else"}');
    const imp = runCli(['runs', 'import', '--db', db, '--file', bad]);
    expect(imp.status).toBe(1);
    expect(imp.stderr).toMatch(/not a run export: 0\.format/);
  }, 60_000);
});
