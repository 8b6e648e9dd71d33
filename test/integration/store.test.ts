/**
 * The run store on a real SQLite file: migrations, the status lifecycle, listing with
 * filters/sorting/conditions (expected results recomputed here from the inserted data),
 * tags and notes, corrupted rows, trash/restore/purge (the file shrinks), export/import
 * between two stores, recovery after a crash, architectures, hyperparameter sets, events,
 * and hostile filter strings.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUN_FIELDS, type RunField, type RunQuery } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/api/dispatch';
import { FINAL_STATUSES, RUN_STATUSES, RunDetailSchema, RunSummarySchema, type RunStatus } from '../../src-shared/api/records';
import { RunExportSchema, type RunExport } from '../../src-shared/api/run-export';
import { defaultSchedule, type Schedule } from '../../src-shared/synthesis/schedule';
import { Rng } from '../../src-shared/util/rng';
import { openDatabase } from '../../src-main/store/database';
import { migrate, MIGRATIONS, SCHEMA_VERSION, SchemaVersionError } from '../../src-main/store/migrations';
import { RunStore, type Link } from '../../src-main/store/run-store';
import { storeFiles } from '../helpers/store';

/** Stores with a clock that ticks 1000 ms per call from a fixed epoch. */
const { path, open, stores } = storeFiles('dmm-store-', () => {
  let t = 1_700_000_000_000;
  return () => (t += 1000);
});

function apiError(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

const schedule = (seed: number, edit: (s: Schedule) => void = () => {}): Schedule => {
  const s = defaultSchedule(seed);
  edit(s);
  return s;
};

const fileSize = (f: string): number => statSync(f).size + (existsSync(`${f}-wal`) ? statSync(`${f}-wal`).size : 0);

describe('opening and migrations', () => {
  it('creates the schema once, with WAL, foreign keys and incremental auto-vacuum; data survives a reopen', () => {
    const f = path('migrate.db');
    const s1 = open('migrate.db');
    const db = s1.db;
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(2); // INCREMENTAL
    const tables = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'architectures',
      'comparisons',
      'events',
      'hyper_sets',
      'link_keys',
      'metrics',
      'problem_versions',
      'problems',
      'run_deliveries',
      'run_tags',
      'runs',
      'saved_views',
      'snapshots',
      'sweeps',
    ]);
    const builtins = s1.listProblems();
    expect(builtins.find((p) => p.id === 'duplicates')).toMatchObject({
      version: 1,
      builtin: true,
      description: expect.stringContaining('duplicate'),
    });
    const run = s1.createRun({ name: 'keeper', schedule: schedule(3), tags: ['x'] });
    s1.close();

    const s2 = RunStore.open(f);
    stores.push(s2);
    expect(s2.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(s2.listProblems()).toEqual(builtins); // the built-ins were written once
    expect(s2.getRun(run.id)).toMatchObject({ name: 'keeper', tags: ['x'], seed: 3 });
    expect(migrate(s2.db)).toEqual([]);
    s2.close();
  });

  it('refuses a database written by a newer build, and leaves it untouched', () => {
    const f = path('newer.db');
    openDatabase(f).close();
    const raw = new Database(f);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    expect(() => openDatabase(f)).toThrow(SchemaVersionError);
    expect(() => RunStore.open(f)).toThrow(
      new RegExp(`schema version ${SCHEMA_VERSION + 5}, newer than this build of DMM Lab knows \\(${SCHEMA_VERSION}\\)`),
    );
    const again = new Database(f);
    expect(again.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5);
    again.close();
  });

  it('applies each migration in a transaction: a failing one leaves no trace', () => {
    const db = new Database(':memory:');
    const ok = { version: 1, name: 'a', up: 'CREATE TABLE a (x)' };
    const bad = {
      version: 2,
      name: 'b',
      up: (d: Database.Database) => {
        d.exec('CREATE TABLE b (x)');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [ok, bad])).toThrow('boom');
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['a']);
    expect(() => migrate(db, [{ version: 2, name: 'gap', up: '' }])).toThrow(/malformed/);
    db.close();
  });

  it('the status CHECK constraint knows exactly RUN_STATUSES', () => {
    const s = open('statuses.db');
    for (const status of RUN_STATUSES) expect(s.createRun({ schedule: schedule(1), status }).status).toBe(status);
    expect(() =>
      s.db
        .prepare(
          "INSERT INTO runs (name, problem, status, estimator, seed, schedule, created_at) VALUES ('x', 'duplicates', 'bogus', 'gradient', 1, '{}', 0)",
        )
        .run(),
    ).toThrow(/CHECK constraint/);
  });
});

describe('runs', () => {
  it('createRun fills the summary from the schedule and validates references', () => {
    const s = open('create.db');
    const run = s.createRun({ schedule: schedule(42, (x) => (x.stop.stepBudget = 1234)), tags: ['b', 'a', 'a', ' '] });
    expect(RunSummarySchema.parse(run)).toEqual(run);
    expect(run).toMatchObject({
      name: `run ${run.id}`,
      problem: 'duplicates',
      status: 'queued',
      statusReason: '',
      estimator: 'gradient',
      seed: 42,
      verdict: 'none',
      // the most steps the run can take: (restarts.max + 1) attempts × (budget + (regrow.max + 1) polishes)
      stepBudget: 4 * (1234 + 4 * 400),
      steps: 0,
      tags: ['a', 'b'],
      startedAt: null,
      endedAt: null,
      deletedAt: null,
      finalLoss: null,
    });
    const detail = s.getRun(run.id);
    expect(RunDetailSchema.parse(detail)).toEqual(detail);
    expect(detail.schedule).toEqual(schedule(42, (x) => (x.stop.stepBudget = 1234)));
    expect(apiError(() => s.createRun({ schedule: schedule(1), problem: 'nope' }))).toMatchObject({
      code: 'bad-request',
      message: 'unknown problem "nope"',
    });
    expect(apiError(() => s.createRun({ schedule: schedule(1), parentRunId: 999 })).message).toBe('parent run 999 does not exist');
    expect(apiError(() => s.createRun({ schedule: schedule(1), architectureId: 5 })).message).toBe('architecture 5 does not exist');
    expect(apiError(() => s.createRun({ schedule: { ...schedule(1), seed: -3 } })).message).toMatch(/invalid schedule: seed/);
    expect(apiError(() => s.getRun(999))).toMatchObject({ code: 'not-found', message: 'run 999 does not exist' });
  });

  it('status lifecycle: timestamps, reasons, and final statuses never change', () => {
    const s = open('lifecycle.db');
    const run = s.createRun({ schedule: schedule(1) });
    const running = s.setStatus(run.id, 'running');
    expect(running.startedAt).not.toBeNull();
    const paused = s.setStatus(run.id, 'paused', 'user');
    expect(paused).toMatchObject({ status: 'paused', statusReason: 'user', startedAt: running.startedAt, endedAt: null });
    const again = s.setStatus(run.id, 'running');
    expect(again.startedAt).toBe(running.startedAt); // set once
    expect(again.statusReason).toBe('');
    const done = s.setStatus(run.id, 'completed', 'target reached', { endedAt: 123 });
    expect(done).toMatchObject({ status: 'completed', statusReason: 'target reached', endedAt: 123 });
    expect(s.setStatus(run.id, 'completed')).toEqual(done); // same status: no-op
    for (const to of RUN_STATUSES.filter((x) => x !== 'completed')) {
      expect(apiError(() => s.setStatus(run.id, to))).toMatchObject({ code: 'conflict' });
    }
    for (const final of FINAL_STATUSES) {
      const r = s.createRun({ schedule: schedule(1) });
      const ended = s.setStatus(r.id, final, 'why');
      expect(ended.endedAt).not.toBeNull();
      expect(apiError(() => s.setStatus(r.id, 'running')).message).toMatch(new RegExp(`run ${r.id} is ${final}`));
      expect(s.getRunSummary(r.id).status).toBe(final);
    }
    expect(apiError(() => s.setStatus(999, 'running')).code).toBe('not-found');
    expect(apiError(() => s.setStatus(run.id, 'nonsense' as RunStatus)).code).toBe('bad-request');
  });

  it('figures: non-finite losses become null', () => {
    const s = open('figures.db');
    const run = s.createRun({ schedule: schedule(1) });
    const f = s.updateRunFigures(run.id, { steps: 10, softLinks: 12, finalLoss: NaN, bestLoss: 0.25, testLoss: Infinity, testWorst: 0.01 });
    expect(f).toMatchObject({ steps: 10, softLinks: 12, finalLoss: null, bestLoss: 0.25, testLoss: null, testWorst: 0.01 });
    expect(RunSummarySchema.safeParse(f).success).toBe(true);
  });

  it('tags and notes: edit, replace, find', () => {
    const s = open('tags.db');
    const a = s.createRun({ name: 'first', schedule: schedule(1), tags: ['keep', 'old'] });
    const b = s.createRun({ name: 'second', schedule: schedule(2) });
    const edited = s.updateRun(a.id, { name: 'renamed', tags: ['zeta', 'keep', 'zeta'], notes: 'Converged after the Second cut' });
    expect(edited).toMatchObject({ name: 'renamed', tags: ['keep', 'zeta'] });
    expect(s.getRun(a.id).notes).toBe('Converged after the Second cut');
    expect(s.updateRun(b.id, { notes: 'x' }).tags).toEqual([]);
    expect(s.listRuns({ tag: 'old' }).total).toBe(0);
    expect(s.listRuns({ tag: 'zeta' }).runs.map((r) => r.id)).toEqual([a.id]);
    expect(s.listRuns({ text: 'second CUT' }).runs.map((r) => r.id)).toEqual([a.id]); // in notes
    expect(s.listRuns({ text: 'ZET' }).runs.map((r) => r.id)).toEqual([a.id]); // in a tag
    expect(
      s
        .listRuns({ text: 'second' })
        .runs.map((r) => r.id)
        .sort(),
    ).toEqual([a.id, b.id].sort()); // name of b, notes of a
    expect(s.updateRun(a.id, { tags: [] }).tags).toEqual([]);
    expect(apiError(() => s.updateRun(77, { name: 'x' })).code).toBe('not-found');
  });
});

// ------------------------------------------------------------------ listing

interface Model {
  id: number;
  name: string;
  problem: string;
  status: RunStatus;
  estimator: string;
  seed: number;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  steps: number;
  softLinks: number | null;
  finalLoss: number | null;
  bestLoss: number | null;
  testLoss: number | null;
  testWorst: number | null;
  tags: string[];
  notes: string;
  deleted: boolean;
  schedule: Schedule;
}

const fieldValue = (m: Model, f: RunField): number | string | null =>
  f === 'duration'
    ? m.startedAt !== null && m.endedAt !== null
      ? m.endedAt - m.startedAt
      : null
    : (m[f as keyof Model] as number | string | null);

function pathValue(m: Model, p: string): unknown {
  let x: unknown = m.schedule;
  for (const k of p.split('.')) x = typeof x === 'object' && x !== null ? (x as Record<string, unknown>)[k] : undefined;
  return x;
}

/** The query evaluated in plain TypeScript over the model. */
function expected(models: readonly Model[], q: RunQuery): { total: number; ids: number[] } {
  let rows = models.filter((m) => m.deleted === (q.trash ?? false));
  if (q.status?.length) rows = rows.filter((m) => q.status!.includes(m.status));
  if (q.tag !== undefined) rows = rows.filter((m) => m.tags.includes(q.tag!));
  if (q.text !== undefined && q.text.trim() !== '') {
    const t = q.text.trim().toLowerCase();
    rows = rows.filter((m) => [m.name, m.problem, m.notes, ...m.tags].some((x) => x.toLowerCase().includes(t)));
  }
  for (const c of q.where ?? []) {
    const get = (m: Model): unknown =>
      (RUN_FIELDS as readonly string[]).includes(c.field) ? fieldValue(m, c.field as RunField) : pathValue(m, c.field);
    const cv = c.value as number; // the generated conditions are numeric
    const test = (v: number): boolean => ({ '<': v < cv, '<=': v <= cv, '=': v === cv, '!=': v !== cv, '>=': v >= cv, '>': v > cv })[c.op];
    rows = rows.filter((m) => {
      const v = get(m);
      return typeof v === 'number' && test(v);
    });
  }
  const sort = q.sort;
  if (sort) {
    const sign = sort.dir === 'asc' ? 1 : -1;
    const key = (m: Model): number | string | null => {
      const v = fieldValue(m, sort.field);
      return sort.field === 'name' && typeof v === 'string' ? v.toLowerCase() : v;
    };
    rows = [...rows].sort((a, b) => {
      const va = key(a);
      const vb = key(b);
      if (va === null || vb === null) return va === vb ? sign * (a.id - b.id) : va === null ? 1 : -1;
      if (va < vb) return -sign;
      if (va > vb) return sign;
      return sign * (a.id - b.id);
    });
  } else rows = [...rows].sort((a, b) => b.id - a.id);
  const total = rows.length;
  const start = q.offset ?? 0;
  return { total, ids: rows.slice(start, q.limit === undefined ? undefined : start + q.limit).map((m) => m.id) };
}

describe('listRuns', () => {
  const s = open('list.db');
  const rng = new Rng(2024);
  const models: Model[] = [];
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const maybe = <T>(x: T, p = 0.25): T | null => (rng.next() < p ? null : x);
  const names = [
    'alpha run',
    'Beta',
    'gamma-3',
    'Ärger im Büro',
    'sparse 20',
    'delta',
    "Robert'); DROP TABLE runs;--",
    '100% sparse',
    'under_score',
  ];
  for (let i = 0; i < 40; i++) {
    const lr = pick([0.01, 0.02, 0.005]);
    const es = rng.next() < 0.3;
    const sched = schedule(rng.int(1000), (x) => {
      x.optimizer.lr = lr;
      x.dense.steps = 100 * rng.int(6);
      if (es) x.estimator = { kind: 'es', sigma: 0.01, population: 8, weightDecay: 0, workers: 0 };
    });
    const tags = ['alpha', 'beta', 'gamma', 'Grün'].filter(() => rng.next() < 0.4);
    const notes = pick(['', 'a Needle in the notes', 'nothing here', 'NEEDLE', 'ünïcode NOTES']);
    const name = `${pick(names)} ${i}`;
    const run = s.createRun({ name, schedule: sched, tags });
    const status = pick(RUN_STATUSES);
    let startedAt: number | null = null;
    let endedAt: number | null = null;
    if (status !== 'queued') {
      startedAt = 1_000_000 + rng.int(1000) * 1000;
      s.setStatus(run.id, 'running', '', { startedAt });
      if (status !== 'running') {
        const end = FINAL_STATUSES.includes(status) ? startedAt + rng.int(500) * 1000 : undefined;
        s.setStatus(run.id, status, 'r', end !== undefined ? { endedAt: end } : {});
        endedAt = end ?? null;
      }
    }
    const fig = {
      steps: rng.int(5000),
      softLinks: maybe(rng.int(1500)),
      finalLoss: maybe(rng.next() < 0.2 ? 0.5 : rng.next()),
      bestLoss: maybe(rng.next() * 0.5),
      testLoss: maybe(rng.next()),
      testWorst: maybe(rng.next(), 0.5),
    };
    s.updateRunFigures(run.id, fig);
    if (notes) s.updateRun(run.id, { notes });
    const deleted = rng.next() < 0.15;
    if (deleted) s.trash([run.id]);
    models.push({
      id: run.id,
      name,
      problem: 'duplicates',
      status,
      estimator: es ? 'es' : 'gradient',
      seed: sched.seed,
      createdAt: run.createdAt,
      startedAt,
      endedAt,
      ...fig,
      tags,
      notes,
      deleted,
      schedule: sched,
    });
  }

  const check = (q: RunQuery): void => {
    const want = expected(models, q);
    const got = s.listRuns(q);
    expect({ q, total: got.total, ids: got.runs.map((r) => r.id) }).toEqual({ q, ...want });
  };

  it('summaries carry the stored fields', () => {
    const { runs } = s.listRuns({ limit: 100_000 });
    for (const r of runs) {
      const m = models.find((x) => x.id === r.id)!;
      expect(RunSummarySchema.parse(r)).toEqual(r);
      expect(r).toMatchObject({
        name: m.name,
        status: m.status,
        estimator: m.estimator,
        seed: m.seed,
        tags: [...m.tags].sort(),
        steps: m.steps,
      });
      expect([r.softLinks, r.finalLoss, r.bestLoss, r.testLoss, r.testWorst]).toEqual([
        m.softLinks,
        m.finalLoss,
        m.bestLoss,
        m.testLoss,
        m.testWorst,
      ]);
    }
  });

  it('filters by status, tag, text and trash', () => {
    check({});
    check({ trash: true });
    check({ status: ['running', 'paused'] });
    check({ status: [] });
    check({ status: ['completed'], trash: true });
    for (const tag of ['alpha', 'beta', 'gamma', 'Grün', 'grün', 'missing']) check({ tag });
    for (const text of ['needle', 'NEEDLE', 'ärger', 'ÄRGER', 'grün', 'gamma', 'DUPLICATES', 'notes', ' sparse ', '100%', 'under_', 'zzz'])
      check({ text });
    check({ text: 'needle', tag: 'alpha', status: ['completed', 'failed', 'stopped', 'diverged', 'interrupted'] });
  });

  it('numeric conditions on run fields and schedule paths', () => {
    check({ where: [{ field: 'finalLoss', op: '<=', value: 0.5 }] });
    check({ where: [{ field: 'finalLoss', op: '=', value: 0.5 }] });
    check({ where: [{ field: 'finalLoss', op: '!=', value: 0.5 }] });
    check({
      where: [
        { field: 'softLinks', op: '>', value: 700 },
        { field: 'steps', op: '<', value: 2500 },
      ],
    });
    check({ where: [{ field: 'duration', op: '>=', value: 250_000 }] });
    check({ where: [{ field: 'startedAt', op: '>', value: 1_500_000 }] });
    check({ where: [{ field: 'optimizer.lr', op: '=', value: 0.02 }] });
    check({ where: [{ field: 'optimizer.lr', op: '<', value: 0.015 }] });
    check({
      where: [
        { field: 'dense.steps', op: '>=', value: 300 },
        { field: 'optimizer.lr', op: '!=', value: 0.01 },
      ],
    });
    check({ where: [{ field: 'estimator.population', op: '=', value: 8 }] });
    check({ where: [{ field: 'start.kind', op: '>', value: 0 }] }); // a string: never matches
    check({ where: [{ field: 'no.such.path', op: '<', value: 1e9 }] });
    check({ where: [{ field: 'seed', op: '<', value: 500 }], text: 'a' });
    expect(apiError(() => s.listRuns({ where: [{ field: 'name', op: '<', value: 3 }] })).code).toBe('bad-request');
    expect(apiError(() => s.listRuns({ where: [{ field: 'optimizer..lr', op: '<', value: 3 }] })).message).toMatch(/schedule path/);
  });

  it('sorts on every field both ways with nulls last, and pages', () => {
    for (const field of RUN_FIELDS) for (const dir of ['asc', 'desc'] as const) check({ sort: { field, dir } });
    check({ sort: { field: 'finalLoss', dir: 'asc' }, offset: 3, limit: 5 });
    check({ sort: { field: 'duration', dir: 'desc' }, offset: 0, limit: 7, status: ['completed', 'failed'] });
    check({ sort: { field: 'name', dir: 'asc' }, offset: 100, limit: 5 });
    check({ trash: true, sort: { field: 'bestLoss', dir: 'desc' }, limit: 2 });
  });

  it('hostile strings in text and tag filters are just strings', () => {
    const hostile = [
      "'; DROP TABLE runs; --",
      "x' OR '1'='1",
      '" OR 1=1 --',
      "Robert'); DROP TABLE runs;--",
      '%',
      '_',
      '\\',
      ')) OR 1=1 --',
      '\u0000',
    ];
    for (const text of hostile) check({ text });
    for (const tag of hostile) check({ tag });
    expect(s.listRuns({ text: "Robert'); DROP" }).total).toBe(models.filter((m) => !m.deleted && m.name.startsWith('Robert')).length);
    expect(apiError(() => s.listRuns({ where: [{ field: 'x) OR 1=1 --', op: '>', value: 0 }] })).code).toBe('bad-request');
    expect(apiError(() => s.listRuns({ sort: { field: 'id; DROP TABLE runs' as RunField, dir: 'asc' } })).code).toBe('bad-request');
    expect(s.db.prepare('SELECT count(*) FROM runs').pluck().get()).toBe(models.length);
    expect(s.integrityCheck()).toEqual([]);
  });
});

// ------------------------------------------------------------------ corrupted rows, trash, export

const links = (n: number, prefix: string): Link[] =>
  Array.from({ length: n }, (_, i) => ({ to: `${prefix}-${i % 30}`, toPort: 'x', from: `src-${Math.floor(i / 30)}`, fromPort: 'dict-1' }));

function fill(s: RunStore, runId: number, rng: Rng, { metrics = 200, snapshots = 3, width = 300, prefix = 'dot' } = {}): void {
  const ms = Array.from({ length: metrics }, (_, i) => ({
    step: i + 1,
    phase: 'dense' as const,
    preregLoss: 10 / (i + 1) + rng.next() * 0.01,
    loss: 1,
    l1: 2,
    lambda1: 0.001,
    softLinks: width,
    wallMs: i * 3,
  }));
  for (let i = 0; i < ms.length; i += 50) s.appendMetrics(runId, ms.slice(i, i + 50));
  for (let k = 0; k < snapshots; k++) {
    s.saveSnapshot(runId, {
      step: k * 10,
      reason: k === 0 ? 'start' : 'interval',
      preregLoss: rng.next(),
      links: links(width, prefix),
      weights: Float64Array.from({ length: width }, () => rng.normal()),
    });
  }
  s.appendEvent(runId, { step: 5, kind: 'cut', data: { removed: 3, why: 'threshold' } });
}

describe('corrupted rows', () => {
  it('a corrupted schedule names the run; the others still list and read', () => {
    const s = open('corrupt-schedule.db');
    const a = s.createRun({ name: 'a', schedule: schedule(1) });
    const b = s.createRun({ name: 'b', schedule: schedule(2) });
    const c = s.createRun({ name: 'c', schedule: schedule(3) });
    s.db.prepare('UPDATE runs SET schedule = ? WHERE id = ?').run('{"version": 1, "seed": ', b.id);
    s.db.prepare('UPDATE runs SET schedule = ? WHERE id = ?').run('{"version": 1, "seed": "seven"}', c.id);
    const eb = apiError(() => s.getRun(b.id));
    expect(eb.code).toBe('internal');
    expect(eb.message).toMatch(new RegExp(`^run ${b.id}: stored schedule is corrupted: `));
    expect(apiError(() => s.getRun(c.id)).message).toMatch(new RegExp(`^run ${c.id}: stored schedule is corrupted: .*seed`));
    expect(s.getRun(a.id).schedule.seed).toBe(1);
    expect(s.listRuns().runs.map((r) => r.name)).toEqual(['c', 'b', 'a']);
    expect(s.listRuns({ where: [{ field: 'optimizer.lr', op: '>', value: 0 }] }).runs.map((r) => r.name)).toEqual(['a']); // c has no optimizer, b is not JSON
    expect(s.getRunSummary(b.id).name).toBe('b');
    expect(s.integrityCheck()).toEqual([`run ${b.id}: stored schedule is corrupted: not valid JSON`]);
    expect(apiError(() => s.exportRun(b.id)).message).toMatch(`run ${b.id}`);
    // trash and purge still work on it
    expect(s.trash([b.id])).toBe(1);
    expect(s.purge([b.id])).toBe(1);
  });
});

describe('trash, restore, purge', () => {
  it('moves runs in and out of the trash, purges only trashed ones, frees their space and their link keys', () => {
    const f = path('purge.db');
    const s = open('purge.db');
    const rng = new Rng(9);
    const keep = s.createRun({ name: 'keep', schedule: schedule(1) });
    const doomed = [s.createRun({ name: 'doomed 1', schedule: schedule(2) }), s.createRun({ name: 'doomed 2', schedule: schedule(3) })];
    fill(s, keep.id, rng, { snapshots: 5, width: 400, prefix: 'shared' });
    for (const d of doomed) fill(s, d.id, rng, { metrics: 3000, snapshots: 60, width: 1486, prefix: `only-${d.id}` });
    const child = s.createRun({
      name: 'child',
      schedule: schedule(4),
      parentRunId: doomed[0]!.id,
      parentSnapshotId: s.listSnapshots(doomed[0]!.id)[2]!.id,
    });
    const keysBefore = s.db.prepare('SELECT count(*) FROM link_keys').pluck().get() as number;

    expect(s.trash([doomed[0]!.id, doomed[1]!.id, keep.id, 999])).toBe(3);
    expect(s.trash([keep.id])).toBe(0); // already there
    expect(s.listRuns().runs.map((r) => r.name)).toEqual(['child']);
    expect(s.listRuns({ trash: true }).total).toBe(3);
    expect(s.getRunSummary(keep.id).deletedAt).not.toBeNull();
    expect(s.restore([keep.id, child.id])).toBe(1);
    expect(s.listRuns().runs.map((r) => r.name)).toEqual(['child', 'keep']);
    expect(s.purge([keep.id, child.id])).toBe(0); // live runs are never purged

    s.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = fileSize(f);
    const t0 = performance.now();
    expect(s.purge(doomed.map((d) => d.id))).toBe(2);
    const ms = performance.now() - t0;
    const after = fileSize(f);
    console.log(
      `store: purge of 2 runs (6000 metrics, 120 snapshots × 1486 weights): ${ms.toFixed(0)} ms, file ${before} → ${after} bytes`,
    );
    expect(after).toBeLessThan(before / 3);

    for (const d of doomed) expect(apiError(() => s.getRun(d.id)).code).toBe('not-found');
    expect(s.db.prepare('SELECT count(*) FROM metrics WHERE run_id IN (?, ?)').pluck().get(doomed[0]!.id, doomed[1]!.id)).toBe(0);
    expect(s.db.prepare('SELECT count(*) FROM link_keys').pluck().get()).toBe(keysBefore - 2 * 1486);
    expect(s.getRunSummary(child.id)).toMatchObject({ parentRunId: null, parentSnapshotId: null });
    for (const snap of s.listSnapshots(keep.id)) expect(s.getSnapshotWeights(snap.id).links).toEqual(links(400, 'shared'));
    expect(s.metrics(keep.id).total).toBe(200);
    expect(s.integrityCheck()).toEqual([]);
    // new snapshots after a purge intern keys again
    s.saveSnapshot(child.id, { step: 1, reason: 'start', preregLoss: 1, links: links(10, 'only-2'), weights: new Float64Array(10) });
    expect(s.integrityCheck()).toEqual([]);
  });
});

describe('export and import', () => {
  const strip = (e: RunExport) => ({
    run: { ...e.run, id: 0, parentRunId: null, parentSnapshotId: null, architectureId: null, hyperSetId: null },
    metrics: e.metrics,
    events: e.events.map((x) => ({ ...x, id: 0, runId: 0 })),
    snapshots: e.snapshots.map((x) => ({ ...x, id: 0, runId: 0 })),
  });

  it('a run exported from one store and imported into another has the same content', () => {
    const a = open('export-a.db');
    const b = open('export-b.db');
    const rng = new Rng(4);
    const arch = a.saveArchitecture({ name: 'arch', graph: { neurons: [], matrix: { x: { y: { z: { w: 1 } } } } } });
    const parent = a.createRun({ name: 'parent', schedule: schedule(7), tags: ['t1', 't2'], architectureId: arch.id });
    fill(a, parent.id, rng);
    a.appendMetrics(parent.id, [
      { step: 201, phase: 'polish', preregLoss: NaN, loss: Infinity, l1: -Infinity, lambda1: 0, softLinks: 3, wallMs: 1 },
    ]);
    a.updateRun(parent.id, { notes: 'notes survive' });
    a.setStatus(parent.id, 'running');
    a.setStatus(parent.id, 'diverged', 'loss is NaN');
    a.updateRunFigures(parent.id, { testLoss: 0.25, testWorst: 0.5 });
    const snap = a.listSnapshots(parent.id)[1]!;
    const child = a.createRun({ name: 'child', schedule: schedule(8), parentRunId: parent.id, parentSnapshotId: snap.id });
    fill(a, child.id, rng, { snapshots: 1 });
    a.setStatus(child.id, 'running');

    const exParent = a.exportRun(parent.id);
    const exChild = a.exportRun(child.id);
    expect(exParent.format).toBe('dmm-lab-run');
    expect(exParent.metrics).toHaveLength(201);
    expect(exParent.snapshots).toHaveLength(3);
    expect(RunExportSchema.safeParse(exChild).success).toBe(true); // finite metrics: valid as the contract says

    // alone: lineage to runs that do not exist here is cleared; a running run arrives interrupted
    const lone = b.importRun(exChild);
    expect(b.getRun(lone)).toMatchObject({
      parentRunId: null,
      parentSnapshotId: null,
      status: 'interrupted',
      statusReason: 'exported while running',
    });

    // together: lineage follows the new ids
    const [p2, c2] = b.importRuns([exParent, exChild]) as [number, number];
    const back = b.exportRun(p2);
    expect(strip(back)).toEqual(strip(exParent));
    expect(back.run.architectureId).toBeNull(); // not in this store
    expect(back.run).toMatchObject({
      status: 'diverged',
      statusReason: 'loss is NaN',
      notes: 'notes survive',
      tags: ['t1', 't2'],
      testLoss: 0.25,
    });
    const nonFinite = back.metrics.at(-1)!;
    expect([nonFinite.preregLoss, nonFinite.loss, nonFinite.l1]).toEqual([null, null, null]); // not finite
    const parsed = RunExportSchema.safeParse(exParent);
    expect(parsed.error?.issues ?? []).toEqual([]); // JSON-safe, valid as the contract says
    for (let i = 0; i < 3; i++) {
      const wa = a.getSnapshotWeights(exParent.snapshots[i]!.id).weights;
      const wb = b.getSnapshotWeights(back.snapshots[i]!.id).weights;
      expect(Buffer.compare(Buffer.from(wa.buffer), Buffer.from(wb.buffer))).toBe(0);
    }
    const c2run = b.getRun(c2);
    expect(c2run.parentRunId).toBe(p2);
    expect(b.getSnapshot(c2run.parentSnapshotId!).step).toBe(snap.step);
    expect(b.getSnapshot(c2run.parentSnapshotId!).runId).toBe(p2);

    // back into the store it came from: the parents exist there, lineage is kept
    const dup = a.importRun(exChild);
    expect(a.getRunSummary(dup)).toMatchObject({ parentRunId: parent.id, parentSnapshotId: snap.id });
    // a parent snapshot id that exists but belongs to another run is not trusted
    const mismatched = a.importRun({ ...exChild, run: { ...exChild.run, parentSnapshotId: exChild.snapshots[0]!.id } });
    expect(a.getRunSummary(mismatched)).toMatchObject({ parentRunId: parent.id, parentSnapshotId: null });

    // a JSON file trip (NaN and ±Infinity become null in JSON and come back as NaN)
    const viaJson = JSON.parse(JSON.stringify(exParent)) as RunExport;
    const p3 = b.importRun(viaJson);
    expect(b.metrics(p3).total).toBe(201);
    expect(b.metrics(p3).points.at(-1)!.loss).toBeNull(); // not finite
    expect(b.integrityCheck()).toEqual([]);

    expect(apiError(() => b.importRun({ ...exParent, run: { ...exParent.run, problem: 'other' } })).message).toMatch(
      /unknown problem "other"/,
    );
    expect(
      apiError(() => b.importRun({ ...exParent, run: { ...exParent.run, schedule: { ...exParent.run.schedule, seed: -1 } } })).code,
    ).toBe('bad-request');
  });
});

describe('recovery, events, architectures, hyperparameter sets', () => {
  it('markInterrupted turns running and paused runs into interrupted ones', () => {
    const f = path('crash.db');
    const s = open('crash.db');
    const q = s.createRun({ name: 'queued', schedule: schedule(1) });
    const r = s.createRun({ name: 'running', schedule: schedule(1) });
    const p = s.createRun({ name: 'paused', schedule: schedule(1) });
    const c = s.createRun({ name: 'completed', schedule: schedule(1) });
    s.setStatus(r.id, 'running');
    s.setStatus(p.id, 'running');
    s.setStatus(p.id, 'paused');
    s.setStatus(c.id, 'completed');
    s.close(); // the "crash"
    const again = RunStore.open(f);
    stores.push(again);
    expect(again.queuedRunIds()).toEqual([q.id]);
    expect(again.markInterrupted('the lab stopped')).toEqual([r.id, p.id]);
    expect(again.getRunSummary(r.id)).toMatchObject({ status: 'interrupted', statusReason: 'the lab stopped' });
    expect(again.getRunSummary(r.id).endedAt).not.toBeNull();
    expect(again.getRunSummary(p.id).status).toBe('interrupted');
    expect(again.getRunSummary(q.id).status).toBe('queued');
    expect(again.getRunSummary(c.id).status).toBe('completed');
    expect(again.markInterrupted('again')).toEqual([]);
  });

  it('events: append, page after an id, limit', () => {
    const s = open('events.db');
    const a = s.createRun({ schedule: schedule(1) });
    const b = s.createRun({ schedule: schedule(1) });
    const e1 = s.appendEvent(a.id, { step: 1, kind: 'cut', data: { removed: 10, nested: { x: [1, 2] } } });
    s.appendEvent(b.id, { step: 1, kind: 'other' });
    const e2 = s.appendEvent(a.id, { step: 2, kind: 'accept', data: { loss: NaN } });
    const e3 = s.appendEvent(a.id, { step: 3, kind: 'command', data: { kind: 'prune', threshold: 0.01 } });
    expect(e1).toMatchObject({ runId: a.id, step: 1, kind: 'cut', data: { removed: 10, nested: { x: [1, 2] } } });
    expect(s.listEvents(a.id).map((e) => e.id)).toEqual([e1.id, e2.id, e3.id]);
    expect(s.listEvents(a.id, e1.id).map((e) => e.id)).toEqual([e2.id, e3.id]);
    expect(s.listEvents(a.id, 0, 2).map((e) => e.id)).toEqual([e1.id, e2.id]);
    expect(s.listEvents(a.id)[1]!.data).toEqual({ loss: null });
    expect(apiError(() => s.appendEvent(999, { step: 0, kind: 'x' })).code).toBe('not-found');
    s.db.prepare('UPDATE events SET data = ? WHERE id = ?').run('{oops', e3.id);
    expect(s.listEvents(a.id)[2]!.data).toEqual({ corrupted: expect.stringContaining(`event ${e3.id}`) });
  });

  it('architectures: versions by name, soft links counted, delete clears the runs’ reference', () => {
    const s = open('arch.db');
    const graph = {
      neurons: [{ name: 'dot-1-1', type: 'dot' }],
      matrix: { 'dot-1-1': { x: { input: { char: 0.5, eos: -1 } }, y: { const_1: { out: 2 } } } },
    };
    const v1 = s.saveArchitecture({ name: 'small', description: 'first', graph });
    const v2 = s.saveArchitecture({ name: 'small', graph: { ...graph, positions: { 'dot-1-1': { x: 1, y: 2 } } } });
    const other = s.saveArchitecture({ name: 'other', graph: { neurons: [], matrix: {} } });
    expect([v1.version, v2.version, other.version]).toEqual([1, 2, 1]);
    expect(v1.graph.positions).toEqual({});
    expect(s.getArchitecture(v2.id).graph.positions).toEqual({ 'dot-1-1': { x: 1, y: 2 } });
    expect(s.listArchitectures().map((a) => [a.name, a.version, a.softLinks, a.description])).toEqual([
      ['other', 1, 0, ''],
      ['small', 1, 3, 'first'],
      ['small', 2, 3, ''],
    ]);
    const run = s.createRun({ schedule: schedule(1), architectureId: v1.id });
    s.deleteArchitecture(v1.id);
    expect(apiError(() => s.getArchitecture(v1.id)).code).toBe('not-found');
    expect(apiError(() => s.deleteArchitecture(v1.id)).code).toBe('not-found');
    expect(s.getRunSummary(run.id).architectureId).toBeNull();
    expect(s.saveArchitecture({ name: 'small', graph }).version).toBe(3);
    expect(apiError(() => s.saveArchitecture({ name: 'bad', graph: { neurons: 'no' } as never })).code).toBe('bad-request');
  });

  it('hyperparameter sets: upsert by name, get, delete', () => {
    const s = open('hyper.db');
    const h = s.saveHyperSet({ name: 'fast', description: 'quick', schedule: { optimizer: { lr: 0.05 } } });
    const h2 = s.saveHyperSet({ name: 'fast', description: 'quicker', schedule: { optimizer: { lr: 0.1 } } });
    expect(h2).toEqual({ ...h, description: 'quicker', schedule: { optimizer: { lr: 0.1 } } });
    s.saveHyperSet({ name: 'another', schedule: {} });
    expect(s.listHyperSets().map((x) => x.name)).toEqual(['another', 'fast']);
    expect(s.getHyperSet(h.id).schedule).toEqual({ optimizer: { lr: 0.1 } });
    const run = s.createRun({ schedule: schedule(1), hyperSetId: h.id });
    s.deleteHyperSet(h.id);
    expect(apiError(() => s.getHyperSet(h.id)).code).toBe('not-found');
    expect(s.getRunSummary(run.id).hyperSetId).toBeNull();
    expect(s.integrityCheck()).toEqual([]);
  });
});

describe('saved views', () => {
  it('are saved by name, replaced, listed, survive a reopen, and a corrupted one is skipped', () => {
    const file = 'views.db';
    let s = open(file);
    const v1 = s.saveView({
      name: 'small',
      view: { query: { where: [{ field: 'softLinks', op: '<=', value: 12 }] }, columns: ['id', 'softLinks'] },
    });
    s.saveView({ name: 'all', view: { query: {}, columns: ['id'] } });
    const v1b = s.saveView({ name: 'small', view: { query: { status: ['completed'] }, columns: ['id'] } });
    expect(v1b.id).toBe(v1.id);
    s.close();
    s = open(file);
    expect(s.listViews().map((v) => [v.name, v.view.columns])).toEqual([
      ['all', ['id']],
      ['small', ['id']],
    ]);
    expect(s.listViews().find((v) => v.name === 'small')!.view.query).toEqual({ status: ['completed'] });
    s.db.prepare("UPDATE saved_views SET view = '{broken' WHERE name = 'all'").run();
    expect(s.listViews().map((v) => v.name)).toEqual(['small']);
    s.deleteView(v1.id);
    expect(s.listViews()).toEqual([]);
    expect(() => s.deleteView(v1.id)).toThrow(/does not exist/);
  });
});

describe('start point label', () => {
  it('summarises the schedule’s starting point for the run browser', () => {
    const s = open('start-point.db');
    const generated = s.createRun({ schedule: schedule(1) });
    const base = schedule(2);
    const fromMatrix = s.createRun({ schedule: { ...base, start: { kind: 'matrix', name: 'sparse20', matrix: {} } } });
    const arch = base.start.kind === 'generate' ? base.start.architecture : undefined;
    expect(s.getRunSummary(generated.id).startPoint).toBe(`generated L${arch?.layers} K${arch?.copies}`);
    expect(s.getRunSummary(fromMatrix.id).startPoint).toBe('matrix sparse20');
    s.db.prepare("UPDATE runs SET schedule = '{broken' WHERE id = ?").run(generated.id);
    expect(s.listRuns({}).runs.find((r) => r.id === generated.id)?.startPoint).toBe('');
  });
});
