/**
 * Files that are not ours, or are newer, or are damaged, with real SQLite files, the real CLI
 * and the real browser host:
 *
 * - someone else's SQLite file (user_version 0, its own tables), a file with another
 *   application's application_id, a lab database from a newer build (rollback journal, so a
 *   switch to WAL would show in its header), and a file that is not SQLite are each refused
 *   with a clear message by the lab, the host, `runs list`, `synth --db` and `runs import` —
 *   and left byte for byte as they were, with nothing written beside them;
 * - a lab database with one damaged page: `quick_check` at open notices, the lab opens it
 *   read-only (writes refused, the file not written), what is readable still reads and
 *   exports, and the damaged part gives a clear error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openLab } from '../../src-main/lab/lab';
import { RunStore } from '../../src-main/store/run-store';
import { LAB_APPLICATION_ID, migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src-main/store/migrations';
import type { Metric } from '../../src-shared/api/records';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { runCli } from '../helpers/cli';
import { startHostProcess } from '../helpers/host';
import { shortSchedule, tempDir, tinySchedule } from '../helpers/lab';

const tmp = tempDir('dmm-fault-files-');
afterAll(() => tmp.cleanup());

const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
/** Everything in the file's folder (each case has its own). */
const folder = (f: string) => readdirSync(join(f, '..')).sort();

function caseDir(name: string): string {
  const d = join(tmp.dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const scheduleFile = join(tmp.dir, 'tiny-schedule.json');
writeFileSync(scheduleFile, JSON.stringify(tinySchedule(1)));

function foreignFile(): string {
  const f = join(caseDir('foreign'), 'notes.db');
  const db = new Database(f);
  db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine'), ('not yours');");
  db.close();
  return f;
}

function otherAppFile(): string {
  const f = join(caseDir('other-app'), 'app.db');
  const db = new Database(f);
  db.pragma('application_id = 305419896'); // 0x12345678
  db.exec('CREATE TABLE runs (id INTEGER PRIMARY KEY)');
  db.close();
  return f;
}

function newerLabFile(): string {
  const f = join(caseDir('newer'), 'lab.sqlite');
  const s = RunStore.open(f);
  s.createRun({ name: 'from the future', schedule: defaultSchedule(1) });
  s.close();
  const db = new Database(f);
  db.pragma('journal_mode = DELETE'); // a rollback-journal file: a switch to WAL would change its header
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  return f;
}

function textFile(): string {
  const f = join(caseDir('text'), 'lab.sqlite');
  writeFileSync(f, 'this is a shopping list, not a database\n'.repeat(50));
  return f;
}

describe('files that are not ours, or are newer, are refused and left byte for byte alone', () => {
  const cases: [string, () => string, RegExp][] = [
    ['another program’s SQLite file', foreignFile, /is not a DMM Lab database \(it has tables notes but not the lab's/],
    ['a file with another application_id', otherAppFile, /is not a DMM Lab database \(its application_id is 0x12345678/],
    ['a lab database from a newer build', newerLabFile, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this build`)],
    ['a file that is not SQLite', textFile, /is not a SQLite database/],
  ];
  for (const [what, make, message] of cases) {
    it(
      what,
      async () => {
        const f = make();
        const before = { hash: hash(f), files: folder(f) };
        expect(() => openLab({ db: f })).toThrow(message);
        for (const args of [
          ['runs', 'list', '--db', f],
          ['runs', 'show', '--db', f, '--run', '1'],
          ['runs', 'import', '--db', f, '--file', f],
          ['synth', '--db', f, '--schedule', scheduleFile, '--no-progress'],
        ]) {
          const r = runCli(args);
          expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(1);
          expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
          if (args[1] !== 'import') expect(r.stderr).toMatch(message); // import reads its --file first: this one is not an export
        }
        await expect(startHostProcess(f)).rejects.toThrow(message);
        expect(hash(f)).toBe(before.hash);
        expect(folder(f)).toEqual(before.files);
      },
      120_000,
    );
  }

  it('an older lab database (before the file identity) is still recognised by its tables and upgraded', async () => {
    const f = join(caseDir('older'), 'lab.sqlite');
    // what a build before the file identity wrote: the first two migrations, no application_id
    const raw = new Database(f);
    migrate(raw, MIGRATIONS.slice(0, 2));
    const run = {
      id: raw
        .prepare(
          `INSERT INTO runs (name, problem, status, estimator, seed, schedule, created_at, ended_at, steps, step_budget)
           VALUES ('old', 'duplicates', 'completed', 'gradient', 1, ?, 1000, 2000, 10, 100) RETURNING id`,
        )
        .pluck()
        .get(JSON.stringify(defaultSchedule(1))) as number,
    };
    expect(raw.pragma('application_id', { simple: true })).toBe(0);
    raw.close();
    const lab = openLab({ db: f, readers: false });
    expect(lab.store.getRun(run.id).name).toBe('old');
    expect(lab.store.db.pragma('application_id', { simple: true })).toBe(LAB_APPLICATION_ID);
    await lab.close();
  });
});

describe('a lab database with a damaged page', () => {
  it('opens read-only: quick_check names the damage, writes are refused, what is readable still reads and exports', async () => {
    const dir = caseDir('damaged');
    const f = join(dir, 'lab.sqlite');
    const s = RunStore.open(f);
    const keep = s.createRun({ name: 'intact', schedule: defaultSchedule(1) });
    const m = (step: number): Metric => ({ step, phase: 'dense', preregLoss: 1, loss: 1, l1: 1, lambda1: 0, softLinks: 5, wallMs: step });
    s.appendMetrics(keep.id, [m(1), m(2), m(3)]);
    s.setStatus(keep.id, 'completed', 'done');
    const big = s.createRun({ name: 'big', schedule: defaultSchedule(2) });
    s.appendMetrics(
      big.id,
      Array.from({ length: 20_000 }, (_, i) => m(i + 1)),
    );
    s.setStatus(big.id, 'completed', 'done');
    // the last leaf page of the metrics table: part of the big run's rows
    const page = s.db.prepare("SELECT max(pageno) FROM dbstat WHERE name = 'metrics' AND pagetype = 'leaf'").pluck().get() as number;
    const pageSize = s.db.pragma('page_size', { simple: true }) as number;
    s.db.pragma('wal_checkpoint(TRUNCATE)');
    s.close();
    const bytes = readFileSync(f);
    bytes.fill(0xa5, (page - 1) * pageSize, page * pageSize);
    writeFileSync(f, bytes);
    const damaged = hash(f);

    const lab = openLab({ db: f, readers: false });
    try {
      expect(lab.health.status.mode).toBe('read-only');
      expect(lab.health.status.reason).toMatch(/the database is damaged \(quick_check: .+\), so the lab opened it read-only/);
      const h = lab.service.handlers;
      expect((h['runs.list']({}) as { total: number }).total).toBe(2);
      const exported = h['runs.export']({ ids: [keep.id] }) as { metrics: unknown[] }[];
      expect(exported[0]!.metrics).toHaveLength(3);
      expect(() => h['runs.export']({ ids: [big.id] })).toThrow(/malformed|corrupt/i);
      expect(() => h['runs.start']({ problem: 'duplicates', schedule: shortSchedule(1) })).toThrow(/read-only \(the database is damaged/);
      expect(() => h['runs.update']({ id: keep.id, notes: 'x' })).toThrow(/read-only/);
      expect(h['lab.status']({})).toMatchObject({ mode: 'read-only' });
    } finally {
      await lab.close();
    }
    expect(hash(f)).toBe(damaged); // nothing written into the damaged file
  });
});
