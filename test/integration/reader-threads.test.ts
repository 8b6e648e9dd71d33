/**
 * Reads off the writer's event loop, on a real SQLite file: a run's export produced page by
 * page is byte for byte the document `exportRun` builds whole; reader threads (real worker
 * threads with their own read-only connections) answer every read exactly as the store
 * does in-process, see what the writer commits, and stream an export piece by piece.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ReaderPool } from '../../src-main/lab/reader-pool';
import { exportRunChunks, exportRunsChunks } from '../../src-main/store/export-stream';
import { RunStore } from '../../src-main/store/run-store';
import type { Metric } from '../../src-shared/api/records';
import { unwrapReply } from '../../src-shared/api/dispatch';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { storeFiles } from '../helpers/store';

const files = storeFiles('dmm-readers-');
const store = files.open('lab.db');
const pool = new ReaderPool({ db: files.path('lab.db') });
afterAll(async () => {
  await pool.close();
});

const metric = (step: number): Metric => ({
  step,
  phase: step < 50 ? 'dense' : 'sparsify',
  preregLoss: step % 17 === 0 ? Number.NaN : 1 / step,
  loss: step % 23 === 0 ? Number.POSITIVE_INFINITY : 2 / step,
  l1: step,
  lambda1: 0.001,
  softLinks: 100 - (step % 10),
  wallMs: step * 1.5,
});

function seedRun(name: string, steps: number): number {
  const run = store.createRun({ name, schedule: defaultSchedule(3), tags: ['t'] });
  store.appendMetrics(
    run.id,
    Array.from({ length: steps }, (_, i) => metric(i + 1)),
  );
  for (let i = 0; i < 12; i++) store.appendEvent(run.id, { step: i * 3, kind: i % 2 ? 'cut' : 'phase', data: { kind: 'x', i } });
  const links = [
    { to: 'output', toPort: 'dict-1', from: 'accum-1-1', fromPort: 'dict' },
    { to: 'accum-1-1', toPort: 'dict-2', from: 'input', fromPort: 'char' },
  ];
  store.saveSnapshot(run.id, { step: 1, reason: 'start', preregLoss: 3, links, weights: [0.5, -0] });
  store.saveSnapshot(run.id, { step: steps, reason: 'final', preregLoss: 0.25, links, weights: [5e-324, 1e300] });
  return run.id;
}

const a = seedRun('paged', 1234);
const b = seedRun('second', 40);

describe('paged export', () => {
  it('is byte for byte the whole document, for any page size', () => {
    const whole = JSON.stringify(store.exportRun(a));
    for (const page of [1, 7, 1000, 5000]) expect([...exportRunChunks(store, a, page)].join('')).toBe(whole);
    expect([...exportRunsChunks(store, [a, b], 100)].join('')).toBe(JSON.stringify([store.exportRun(a), store.exportRun(b)]));
    // pieces stay small: a page of metrics at most
    const sizes = [...exportRunChunks(store, a, 100)].map((p) => p.length);
    expect(Math.max(...sizes)).toBeLessThan(100 * 400);
  });

  it('a missing run fails before the first piece', () => {
    const g = exportRunsChunks(store, [a, 987654]);
    expect(() => g.next()).toThrow(/run 987654 does not exist/);
  });
});

describe('kept curves (series-cache.ts)', () => {
  it('follow appended rows and a run that continues from its own snapshot, as a fresh read does', () => {
    const id = seedRun('growing', 3000);
    const fresh = () => {
      const other = RunStore.open(files.path('lab.db'), { readonly: true });
      try {
        return [other.metrics(id, { maxPoints: 60 }), other.metrics(id, { maxPoints: 60, smoothing: 0.7, afterStep: 100 })];
      } finally {
        other.close();
      }
    };
    const cached = () => [store.metrics(id, { maxPoints: 60 }), store.metrics(id, { maxPoints: 60, smoothing: 0.7, afterStep: 100 })];
    expect(cached()).toEqual(fresh());
    store.appendMetrics(
      id,
      Array.from({ length: 500 }, (_, i) => ({ ...metric(3001 + i), preregLoss: 10 + i })),
    );
    expect(cached()).toEqual(fresh());
    // continue from the snapshot at step 1: every later row goes and new ones come
    store.setStatus(id, 'completed', 'done');
    const first = store.listSnapshots(id)[0]!;
    store.reopenRun(id, first.id);
    store.appendMetrics(
      id,
      Array.from({ length: 2000 }, (_, i) => ({ ...metric(i + 2), preregLoss: 5 + (i % 7), wallMs: 0.25 * i })),
    );
    expect(cached()).toEqual(fresh());
  });
});

describe('reader threads', () => {
  it('answer every read exactly as the store does in-process', async () => {
    const read = async (method: string, params: unknown) => unwrapReply(method as never, await pool.call(method, params));
    expect(await read('runs.list', {})).toEqual(store.listRuns({}));
    expect(await read('runs.get', { id: a })).toEqual(store.getRun(a));
    expect(await read('runs.metrics', { id: a, maxPoints: 200 })).toEqual(JSON.parse(JSON.stringify(store.metrics(a, { maxPoints: 200 }))));
    expect(await read('runs.metrics', { id: a, smoothing: 0.5, afterStep: 10 })).toEqual(
      JSON.parse(JSON.stringify(store.metrics(a, { smoothing: 0.5, afterStep: 10 }))),
    );
    expect(await read('runs.events', { id: a, afterId: 2, limit: 5 })).toEqual(store.listEvents(a, 2, 5));
    const snaps = store.listSnapshots(a);
    expect(await read('runs.snapshots', { id: a })).toEqual(snaps);
    expect(await read('snapshots.get', { id: snaps[1]!.id })).toEqual(JSON.parse(JSON.stringify(store.getSnapshot(snaps[1]!.id))));
  });

  it('refuse bad parameters and unknown ids with the same errors, and writes are not theirs', async () => {
    expect(await pool.call('runs.get', { id: 'seven' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await pool.call('runs.get', { id: 987654 })).toMatchObject({ ok: false, error: { code: 'not-found', message: /987654/ } });
    expect(await pool.call('runs.start', { schedule: {} })).toMatchObject({
      ok: false,
      error: { code: 'bad-request', message: /not a read/ },
    });
  });

  it('see what the writer commits', async () => {
    const before = (unwrapReply('runs.list', await pool.call('runs.list', {})) as { total: number }).total;
    const run = store.createRun({ name: 'late', schedule: defaultSchedule(4) });
    const after = unwrapReply('runs.list', await pool.call('runs.list', {})) as { total: number; runs: { id: number }[] };
    expect(after.total).toBe(before + 1);
    expect(after.runs.map((r) => r.id)).toContain(run.id);
  });

  it('stream an export piece by piece, the same text as in-process; a missing run fails before any piece', async () => {
    const pieces: string[] = [];
    for await (const p of pool.exportPieces([a, b])) pieces.push(p);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(JSON.stringify([store.exportRun(a), store.exportRun(b)]));
    const missing = pool.exportPieces([987654])[Symbol.asyncIterator]();
    await expect(missing.next()).rejects.toThrow(/987654/);
    // the lane still serves afterwards
    expect((unwrapReply('runs.get', await pool.call('runs.get', { id: b })) as { id: number }).id).toBe(b);
  });
});
