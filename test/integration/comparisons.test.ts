/**
 * Saved circuit comparisons through the lab's API handlers on a real SQLite file:
 * every call goes through `dispatch` (the contract's validation, then the handler, then the
 * store), as a transport would send it. Create, list, update, reopen, delete; references to
 * nothing, malformed references and pairs, unknown ids; a corrupted row; the migration of a
 * version-1 database that already holds runs.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch, type ApiReply } from '../../src-shared/api/dispatch';
import { circuitRefParts, ComparisonSchema, type Comparison, type ComparisonInfo } from '../../src-shared/api/records';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { openLab, type Lab } from '../../src-main/lab/lab';
import { migrate, MIGRATIONS, SCHEMA_VERSION } from '../../src-main/store/migrations';
import { RunStore } from '../../src-main/store/run-store';
import { packKeys, packWeights } from '../../src-main/store/snapshot-codec';
import { tempDir } from '../helpers/lab';

const tmp = tempDir('dmm-comparisons-');
const file = join(tmp.dir, 'lab.sqlite');
let lab: Lab;
let runId = 0;
let snapId = 0;
let archId = 0;

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

const links = [
  { to: 'accum-1-1', toPort: 'dict-2', from: 'input', fromPort: 'char' },
  { to: 'output', toPort: 'dict-2', from: 'accum-1-1', fromPort: 'dict' },
];

beforeAll(() => {
  lab = openLab({ db: file, concurrency: 1 });
  const run = lab.store.createRun({ name: 'finished', schedule: defaultSchedule(1), status: 'completed' });
  runId = run.id;
  snapId = lab.store.saveSnapshot(run.id, { step: 10, reason: 'final', preregLoss: 0.5, links, weights: [1, 0.5] }).id;
  archId = lab.store.saveArchitecture({ name: 'tiny', graph: { neurons: [{ name: 'accum-1-1', type: 'accum' }], matrix: {} } }).id;
});

afterAll(async () => {
  await lab?.close();
  tmp.cleanup();
});

describe('comparisons through the API', () => {
  let saved: Comparison;

  it('saves a comparison and reads it back, in the list too', async () => {
    saved = await call<Comparison>('comparisons.save', {
      name: '  snapshot vs hand  ',
      a: `snap:${snapId}`,
      b: 'hand',
      pairs: [['accum-1-1', 'accum']],
    });
    expect(ComparisonSchema.parse(saved)).toEqual(saved);
    expect(saved).toMatchObject({ name: 'snapshot vs hand', a: `snap:${snapId}`, b: 'hand', pairs: [['accum-1-1', 'accum']] });
    expect(saved.createdAt).toBe(saved.updatedAt);
    expect(await call('comparisons.get', { id: saved.id })).toEqual(saved);
    const list = await call<ComparisonInfo[]>('comparisons.list', {});
    expect(list).toEqual([
      {
        id: saved.id,
        name: 'snapshot vs hand',
        a: `snap:${snapId}`,
        b: 'hand',
        pairCount: 1,
        createdAt: saved.createdAt,
        updatedAt: saved.updatedAt,
        problem: null,
      },
    ]);
  });

  it('pairs default to none; every kind of reference is accepted when it points at something stored', async () => {
    const c = await call<Comparison>('comparisons.save', { name: 'run vs arch', a: `run:${runId}`, b: `arch:${archId}` });
    expect(c.pairs).toEqual([]);
    const list = await call<ComparisonInfo[]>('comparisons.list', {});
    expect(list.map((x) => x.id)).toEqual([c.id, saved.id]); // newest first
    await call('comparisons.delete', { id: c.id });
  });

  it('replaces name, circuits and pairs of a saved one (same id, createdAt kept)', async () => {
    await new Promise((r) => setTimeout(r, 5));
    const updated = await call<Comparison>('comparisons.save', {
      id: saved.id,
      name: 'renamed',
      a: `run:${runId}`,
      b: 'hand',
      pairs: [
        ['accum-1-1', 'accum'],
        ['output', 'output'],
      ],
    });
    expect(updated.id).toBe(saved.id);
    expect(updated.createdAt).toBe(saved.createdAt);
    expect(updated.updatedAt).toBeGreaterThan(saved.updatedAt);
    expect(updated).toMatchObject({
      name: 'renamed',
      a: `run:${runId}`,
      pairs: [
        ['accum-1-1', 'accum'],
        ['output', 'output'],
      ],
    });
    expect((await call<ComparisonInfo[]>('comparisons.list', {})).map((x) => x.pairCount)).toEqual([2]);
    saved = updated;
  });

  it('refuses unknown ids with not-found', async () => {
    expect(await failure('comparisons.get', { id: 9999 })).toEqual({ code: 'not-found', message: 'comparison 9999 does not exist' });
    expect(await failure('comparisons.delete', { id: 9999 })).toEqual({ code: 'not-found', message: 'comparison 9999 does not exist' });
    expect(await failure('comparisons.save', { id: 9999, name: 'x', a: 'hand', b: 'hand' })).toEqual({
      code: 'not-found',
      message: 'comparison 9999 does not exist',
    });
    expect((await failure('comparisons.get', { id: -1 })).code).toBe('bad-request');
  });

  it('refuses references to nothing and malformed references, naming the side', async () => {
    expect(await failure('comparisons.save', { name: 'x', a: 'snap:424242', b: 'hand' })).toEqual({
      code: 'bad-request',
      message: 'circuit a: snapshot 424242 does not exist',
    });
    expect(await failure('comparisons.save', { name: 'x', a: 'hand', b: 'run:777' })).toEqual({
      code: 'bad-request',
      message: 'circuit b: run 777 does not exist',
    });
    expect(await failure('comparisons.save', { name: 'x', a: 'hand', b: 'arch:31337' })).toEqual({
      code: 'bad-request',
      message: 'circuit b: architecture 31337 does not exist',
    });
    for (const bad of ['snap:abc', 'file:/etc/passwd', 'snap:0', 'hand ', '', 'run:1;DROP TABLE runs']) {
      const e = await failure('comparisons.save', { name: 'x', a: bad, b: 'hand' });
      expect(e.code).toBe('bad-request');
      expect(e.message).toContain('a: a circuit is snap:ID, run:ID, arch:ID, hand or teacher:PROBLEM');
    }
    expect(await failure('comparisons.save', { name: '   ', a: 'hand', b: 'hand' })).toMatchObject({ code: 'bad-request' });
  });

  it('refuses malformed pairs, naming the pair, and stores nothing', async () => {
    const before = await call<ComparisonInfo[]>('comparisons.list', {});
    const twice = await failure('comparisons.save', {
      name: 'x',
      a: 'hand',
      b: 'hand',
      pairs: [
        ['accum', 'accum'],
        ['accum', 'norm'],
      ],
    });
    expect(twice).toEqual({ code: 'bad-request', message: 'comparisons.save: pairs.1.0: neuron "accum" of circuit A is paired twice' });
    const twiceB = await failure('comparisons.save', {
      name: 'x',
      a: 'hand',
      b: 'hand',
      pairs: [
        ['accum', 'dot'],
        ['norm', 'dot'],
      ],
    });
    expect(twiceB.message).toContain('pairs.1.1: neuron "dot" of circuit B is paired twice');
    for (const pairs of [[['only-one']], [['a', '']], [['a', 'b', 'c']], ['a-b'], [[1, 2]], { a: 'b' }]) {
      const e = await failure('comparisons.save', { name: 'x', a: 'hand', b: 'hand', pairs });
      expect(e.code).toBe('bad-request');
      expect(e.message).toMatch(/^comparisons\.save: pairs/);
    }
    // the store checks too when called directly (not through a transport)
    expect(() =>
      lab.store.comparisons.save({
        name: 'x',
        a: 'hand',
        b: 'hand',
        pairs: [
          ['a', 'b'],
          ['a', 'c'],
        ],
      }),
    ).toThrow('pairs: 1.0: neuron "a" of circuit A is paired twice');
    expect(await call<ComparisonInfo[]>('comparisons.list', {})).toEqual(before);
  });

  it('a comparison outlives the run it refers to (purged)', async () => {
    const run = lab.store.createRun({ name: 'doomed', schedule: defaultSchedule(2), status: 'completed' });
    const c = await call<Comparison>('comparisons.save', { name: 'doomed vs hand', a: `run:${run.id}`, b: 'hand' });
    await call('runs.trash', { ids: [run.id] });
    await call('runs.purge', { ids: [run.id] });
    expect(await call('comparisons.get', { id: c.id })).toEqual(c);
    await call('comparisons.delete', { id: c.id });
    expect((await failure('comparisons.get', { id: c.id })).code).toBe('not-found');
  });

  it('a row corrupted on disk is named when opened and still listed (so it can be deleted)', async () => {
    const bad = await call<Comparison>('comparisons.save', { name: 'to corrupt', a: 'hand', b: 'hand' });
    lab.store.db.prepare('UPDATE comparisons SET pairs = ? WHERE id = ?').run('[["x"', bad.id);
    expect(await failure('comparisons.get', { id: bad.id })).toEqual({
      code: 'internal',
      message: `comparison ${bad.id} ("to corrupt"): stored pairs is corrupted`,
    });
    const listed = (await call<ComparisonInfo[]>('comparisons.list', {})).find((x) => x.id === bad.id);
    expect(listed?.problem).toBe(`comparison ${bad.id} ("to corrupt"): stored pairs is corrupted`);
    expect(await call<Comparison>('comparisons.get', { id: saved.id })).toEqual(saved); // the others still open
    await call('comparisons.delete', { id: bad.id });
  });

  it('survives closing and reopening the file', async () => {
    await lab.close();
    lab = openLab({ db: file, concurrency: 1 });
    expect(await call('comparisons.get', { id: saved.id })).toEqual(saved);
  });
});

describe('migration', () => {
  it('a version-1 database with runs gains the comparisons table and keeps its runs and snapshots', () => {
    const f = join(tmp.dir, 'v1.sqlite');
    const raw = new Database(f);
    migrate(raw, MIGRATIONS.slice(0, 1));
    expect(raw.pragma('user_version', { simple: true })).toBe(1);
    // a run and its snapshot written by a version-1 build, before comparisons existed
    const schedule = defaultSchedule(7);
    const oldRun = raw
      .prepare(
        `INSERT INTO runs (name, problem, status, estimator, seed, schedule, created_at, ended_at, steps, step_budget, final_loss)
         VALUES ('old', 'duplicates', 'completed', ?, 7, ?, 1000, 2000, 10, ?, 0.25) RETURNING id`,
      )
      .pluck()
      .get(schedule.estimator.kind, JSON.stringify(schedule), schedule.stop.stepBudget) as number;
    const keyIds = links.map(
      (l) =>
        raw
          .prepare('INSERT INTO link_keys (to_neuron, to_port, from_neuron, from_port) VALUES (?, ?, ?, ?) RETURNING id')
          .pluck()
          .get(l.to, l.toPort, l.from, l.fromPort) as number,
    );
    const oldSnap = raw
      .prepare(
        `INSERT INTO snapshots (run_id, step, reason, soft_links, prereg_loss, created_at, keys, weights)
         VALUES (?, 10, 'final', 2, 0.5, 2000, ?, ?) RETURNING id`,
      )
      .pluck()
      .get(oldRun, packKeys(Uint32Array.from(keyIds)), packWeights(Float64Array.of(1, -0.5))) as number;
    raw.close();

    const v1 = RunStore.open(f); // migrates 1 → latest
    try {
      expect(v1.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
      const cols = (v1.db.prepare('PRAGMA table_info(comparisons)').all() as { name: string }[]).map((c) => c.name);
      expect(cols).toEqual(['id', 'name', 'circuit_a', 'circuit_b', 'pairs', 'created_at', 'updated_at']);
      // the old run and snapshot read back as written
      const run = v1.getRun(oldRun);
      expect(run).toMatchObject({ id: oldRun, name: 'old', status: 'completed', seed: 7, steps: 10 });
      expect(run.schedule).toEqual(schedule);
      expect(v1.listRuns().runs.map((r) => r.id)).toEqual([oldRun]);
      const snap = v1.getSnapshot(oldSnap);
      expect(snap).toMatchObject({ id: oldSnap, runId: oldRun, step: 10, reason: 'final', softLinks: 2, preregLoss: 0.5 });
      expect(snap.weights).toEqual({ links, weights: [1, -0.5] });
      // and comparisons can refer to them
      const saved = v1.comparisons.save({ name: 'old run against its snapshot', a: `run:${oldRun}`, b: `snap:${oldSnap}` });
      expect(v1.comparisons.get(saved.id)).toMatchObject({ a: `run:${oldRun}`, b: `snap:${oldSnap}`, pairs: [] });
      expect(() => v1.comparisons.save({ name: 'x', a: `snap:${oldSnap + 1}`, b: 'hand' })).toThrow(
        `snapshot ${oldSnap + 1} does not exist`,
      );
      expect(v1.integrityCheck()).toEqual([]);
    } finally {
      v1.close();
    }
  });
});

describe('circuitRefParts', () => {
  it('splits every kind of reference and refuses anything else', () => {
    expect(circuitRefParts('hand')).toEqual({ kind: 'hand' });
    expect(circuitRefParts('snap:12')).toEqual({ kind: 'snap', id: 12 });
    expect(circuitRefParts('run:1')).toEqual({ kind: 'run', id: 1 });
    expect(circuitRefParts('arch:9007199254740991')).toEqual({ kind: 'arch', id: 9007199254740991 });
    for (const bad of ['', 'hand:1', 'snap:', 'snap:0', 'snap:01', 'run:-1', 'arch:1.5', 'foo:1', ' run:1', 'RUN:1']) {
      expect(circuitRefParts(bad), bad).toBeUndefined();
    }
  });
});
