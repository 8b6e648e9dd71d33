/**
 * Problems in a real SQLite lab, through the API handlers: the built-ins are there at
 * open as version 1, a saved definition becomes the next version (an identical one stores
 * nothing), a bad one is refused naming the field with nothing stored, a run records the
 * version it uses and its process gets that version's definition, and a database written
 * before problem versions existed (schema 2, with a run) gains them with its run pointed
 * at its problem's first version.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch, type ApiReply } from '../../src-shared/api/dispatch';
import type { ProblemInfo, ProblemVersion, RunSummary } from '../../src-shared/api/records';
import { builtinProblemInputs } from '../../src-shared/problems/builtin/index';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { openLab, type Lab } from '../../src-main/lab/lab';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src-main/store/migrations';
import { RunStore } from '../../src-main/store/run-store';
import { tempDir } from '../helpers/lab';

const tmp = tempDir('dmm-problems-');
const file = join(tmp.dir, 'lab.sqlite');
let lab: Lab;

async function call<T>(method: string, params: unknown): Promise<T> {
  const r: ApiReply = await dispatch(lab.service.handlers, method, params);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result as T;
}

async function failure(method: string, params: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(lab.service.handlers, method, params);
  if (r.ok) throw new Error(`${method} succeeded but should have failed: ${JSON.stringify(r.result)}`);
  return r.error;
}

const lastThree = () => JSON.parse(JSON.stringify(builtinProblemInputs()[4])) as Record<string, any>;
const versionCount = () => lab.store.db.prepare('SELECT count(*) FROM problem_versions').pluck().get() as number;

beforeAll(() => {
  lab = openLab({ db: file, concurrency: 0 });
});

afterAll(async () => {
  await lab?.close();
  tmp.cleanup();
});

describe('problems through the API', () => {
  it('lists the built-in problems at version 1 with what they compare and their teacher size', async () => {
    const list = await call<ProblemInfo[]>('problems.list', {});
    expect(list.map((p) => [p.id, p.version, p.teacherLinks, p.builtin])).toEqual([
      ['adjacent-repeat', 1, 12, true],
      ['bracket-count', 1, 9, true],
      ['duplicates', 1, 8, true],
      ['last-three', 1, 5, true],
      ['self-wave', 1, 7, true],
      ['self-wave-8', 1, 17, true],
      ['word-duplicates', 1, 8, true],
    ]);
    const lt = list.find((p) => p.id === 'last-three');
    expect(lt?.outputs).toEqual([{ neuron: 'output', port: 'dict-1', compare: 'tree', under: [] }]);
    expect(list.find((p) => p.id === 'word-duplicates')?.input).toBe('tokens');
    // the duplicates row keeps its title from the first schema version
    expect(list.find((p) => p.id === 'duplicates')?.name).toBe('Duplicate characters');
  });

  it('a changed definition is the next version; the same definition again stores nothing', async () => {
    const def = lastThree();
    def['description'] = 'last three, with a longer test';
    def['data'].test.push({ text: 'abcdefghijklmnop', cycles: 180 });
    const v2 = await call<ProblemInfo>('problems.save', { definition: def });
    expect([v2.id, v2.version, v2.versions, v2.builtin]).toEqual(['last-three', 2, 2, false]);
    const before = versionCount();
    const again = await call<ProblemInfo>('problems.save', { definition: def });
    expect(again.version).toBe(2);
    expect(versionCount()).toBe(before);
    const got = await call<ProblemVersion>('problems.get', { id: 'last-three' });
    expect(got.info.version).toBe(2);
    expect(got.history.map((h) => [h.version, h.builtin])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect((got.definition['data'] as { test: unknown[] }).test).toHaveLength(7);
    const first = await call<ProblemVersion>('problems.get', { id: 'last-three', version: 1 });
    expect(first.definition['description']).not.toBe(def['description']);
  });

  it('a new problem (a renamed copy) is stored as its version 1', async () => {
    const def = lastThree();
    def['name'] = 'last-three-copy';
    const v = await call<ProblemInfo>('problems.save', { definition: def });
    expect([v.id, v.version]).toEqual(['last-three-copy', 1]);
  });

  it('bad definitions are refused naming the field, and nothing is stored', async () => {
    const cases: [string, (d: Record<string, any>) => void, RegExp][] = [
      [
        'no output',
        (d) => (d['teacher'].neurons = d['teacher'].neurons.filter((n: { type: string }) => n.type !== 'output')),
        /teacher.neurons: the teacher has no output neuron/,
      ],
      ['missing port', (d) => (d['outputs'][0].port = 'nope'), /outputs\.0\.port: output neuron "output" has no port "nope"/],
      ['empty strings', (d) => (d['data'].validation = []), /data\.validation: must contain at least one string/],
      ['push without cap', (d) => delete d['teacher'].neurons[5].params, /teacher\.neurons\.5\.params\.depth/],
      ['empty vocabulary', (d) => (d['input'] = { kind: 'tokens', vocabulary: [] }), /input\.vocabulary/],
      ['not an object', (d) => (d['teacher'] = 'x'), /teacher: /],
    ];
    const before = versionCount();
    const problems = (lab.store.db.prepare('SELECT count(*) FROM problems').pluck().get() as number) ?? 0;
    for (const [what, mutate, message] of cases) {
      const def = lastThree();
      def['name'] = 'never-stored';
      mutate(def);
      const e = await failure('problems.save', { definition: def });
      expect(e.code, what).toBe('bad-request');
      expect(e.message, what).toMatch(message);
    }
    expect(versionCount()).toBe(before);
    expect(lab.store.db.prepare('SELECT count(*) FROM problems').pluck().get()).toBe(problems);
    expect((await failure('problems.get', { id: 'never-stored' })).code).toBe('not-found');
  });

  it("a run records its problem's version and its process is given that version's definition", async () => {
    const run = await call<RunSummary>('runs.start', { problem: 'last-three', schedule: { seed: 3 } });
    expect([run.problem, run.problemVersion]).toEqual(['last-three', 2]);
    // the schedule is the problem's defaults: its data and generated start
    const detail = lab.store.getRun(run.id);
    expect(detail.schedule.training.strings.map((s) => s.text)).toEqual(['abc', 'abcd', 'hello', 'aab']);
    expect(detail.schedule.start).toMatchObject({ kind: 'generate', architecture: { types: ['identity', 'norm', 'push'], pushDepth: 2 } });
    expect(detail.schedule.testSuite).toHaveLength(7);
    const used = lab.store.runProblem(run.id);
    expect([used.problem.name, used.version, used.problem.data.test.length]).toEqual(['last-three', 2, 7]);
    // an older version on request
    const old = await call<RunSummary>('runs.start', { problem: 'last-three', problemVersion: 1, schedule: {} });
    expect(old.problemVersion).toBe(1);
    expect(lab.store.runProblem(old.id).problem.data.test).toHaveLength(6);
    // a default run is the duplicate detector's
    const dup = await call<RunSummary>('runs.start', { schedule: {} });
    expect([dup.problem, dup.problemVersion]).toEqual(['duplicates', 1]);
    expect(lab.store.getRun(dup.id).schedule).toEqual(defaultSchedule(1));
    expect((await failure('runs.start', { problem: 'nope', schedule: {} })).message).toMatch(/problem "nope" does not exist/);
    expect((await failure('runs.start', { problem: 'last-three', problemVersion: 9, schedule: {} })).message).toMatch(/no version 9/);
  });
});

describe('migration', () => {
  it('a schema-3 database with a run gains problem versions; the run points at its first version', () => {
    const f = join(tmp.dir, 'v2.sqlite');
    const raw = new Database(f);
    migrate(raw, MIGRATIONS.slice(0, 3));
    const schedule = defaultSchedule(5);
    const oldRun = raw
      .prepare(
        `INSERT INTO runs (name, problem, status, estimator, seed, schedule, created_at, ended_at, steps, step_budget)
         VALUES ('old', 'duplicates', 'completed', 'gradient', 5, ?, 1000, 2000, 10, 100) RETURNING id`,
      )
      .pluck()
      .get(JSON.stringify(schedule)) as number;
    raw.close();
    const store = RunStore.open(f);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(4);
      expect(store.getRunSummary(oldRun)).toMatchObject({ problem: 'duplicates', problemVersion: 1 });
      expect(store.runProblem(oldRun).problem.name).toBe('duplicates');
      expect(store.listProblems()).toHaveLength(7);
      expect(store.integrityCheck()).toEqual([]);
    } finally {
      store.close();
    }
    // opening again writes nothing new
    const again = RunStore.open(f);
    try {
      expect(again.db.prepare('SELECT count(*) FROM problem_versions').pluck().get()).toBe(7);
    } finally {
      again.close();
    }
  });

  it('a stored definition corrupted on disk is reported naming the problem and version', () => {
    const f = join(tmp.dir, 'corrupt.sqlite');
    const store = RunStore.open(f);
    try {
      store.db.prepare("UPDATE problem_versions SET definition = '{\"name\": 1}' WHERE problem = 'bracket-count'").run();
      expect(() => store.getProblem('bracket-count')).toThrow(/problem bracket-count version 1: stored definition is corrupted/);
      expect(store.getProblem('last-three').info.version).toBe(1);
    } finally {
      store.close();
    }
  });
});
