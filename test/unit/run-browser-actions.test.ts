/** The run browser's actions through the API: trash (running runs left alone), tags on many runs with their undo, exports, bounded concurrency. */
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src-shared/api/records';
import type { RunExport } from '../../src-shared/api/run-export';
import {
  changeTags,
  checkTag,
  editTags,
  exportJson,
  mapLimit,
  purgeRuns,
  restoreRuns,
  restoreTags,
  tagCounts,
  trashRuns,
  untrashable,
  type BrowserClient,
} from '../../src-renderer/runs/browser/actions';
import { runSummary } from '../helpers/run-summary';

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return runSummary({ name: 'run', status: 'completed', ...over });
}

function fakeClient(runs: RunSummary[]) {
  const calls: [string, unknown][] = [];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const client: BrowserClient = {
    'runs.trash': async (p) => {
      calls.push(['trash', p]);
      return { count: p.ids.length };
    },
    'runs.restore': async (p) => {
      calls.push(['restore', p]);
      return { count: p.ids.length };
    },
    'runs.purge': async (p) => {
      calls.push(['purge', p]);
      return { count: p.ids.length };
    },
    'runs.update': async (p) => {
      calls.push(['update', p]);
      const r = byId.get(p.id);
      if (!r) throw new Error(`run ${p.id} does not exist`);
      const next = { ...r, ...(p.tags ? { tags: [...p.tags].sort() } : {}) };
      byId.set(p.id, next);
      return next;
    },
    'runs.export': async (p) => {
      calls.push(['export', p]);
      return p.ids.map(
        (id) => ({ format: 'dmm-lab-run', version: 1, run: { id }, metrics: [], events: [], snapshots: [] }) as unknown as RunExport,
      );
    },
    'runs.get': async () => {
      throw new Error('not used');
    },
  };
  return { client, calls, byId };
}

describe('actions', () => {
  it('trash leaves running and paused runs alone and says so', async () => {
    const runs = [
      summary({ id: 1 }),
      summary({ id: 2, status: 'running' }),
      summary({ id: 3, status: 'queued' }),
      summary({ id: 4, status: 'paused' }),
    ];
    expect(untrashable(runs).map((r) => r.id)).toEqual([2, 4]);
    const { client, calls } = fakeClient(runs);
    const out = await trashRuns(client, runs);
    expect(out).toEqual({ moved: 2, ids: [1, 3], skipped: [runs[1], runs[3]] });
    expect(calls).toEqual([['trash', { ids: [1, 3] }]]);
    expect((await trashRuns(client, [runs[1] as RunSummary])).moved).toBe(0);
    expect(calls).toHaveLength(1); // nothing to send
    expect(await restoreRuns(client, [1, 3])).toBe(2);
    expect(await purgeRuns(client, [])).toBe(0);
  });

  it('tags: added to and removed from many runs, only the changed ones written, undone exactly', async () => {
    const runs = [summary({ id: 1, tags: ['a'] }), summary({ id: 2, tags: ['a', 'b'] }), summary({ id: 3, tags: ['b'] })];
    const { client, calls, byId } = fakeClient(runs);
    const change = await changeTags(client, runs, ['b'], []);
    expect(change.updated.map((r) => r.id)).toEqual([1]); // 2 and 3 have it already
    expect(byId.get(1)?.tags).toEqual(['a', 'b']);
    const removal = await changeTags(client, [...byId.values()], [], ['a']);
    expect(removal.updated.map((r) => r.id)).toEqual([1, 2]);
    await restoreTags(client, removal.before);
    await restoreTags(client, change.before);
    expect([...byId.values()].map((r) => r.tags)).toEqual([['a'], ['a', 'b'], ['b']]);
    expect(calls.every(([m]) => m === 'update')).toBe(true);
  });

  it('tags are checked before anything is sent', async () => {
    expect(checkTag('  x ')).toEqual({ tag: 'x' });
    expect(checkTag('   ')).toEqual({ error: 'a tag cannot be empty' });
    expect(checkTag('y'.repeat(101))).toEqual({ error: 'a tag has at most 100 characters' });
    const full = summary({ id: 9, tags: Array.from({ length: 50 }, (_, i) => `t${i}`) });
    const { client, calls } = fakeClient([full]);
    await expect(changeTags(client, [full], ['one-more'], [])).rejects.toThrow('run 9 would have 51 tags; at most 50');
    expect(calls).toEqual([]);
    expect(editTags(['b', 'a'], ['c', 'a'], ['b'])).toEqual(['a', 'c']);
    expect(tagCounts([summary({ tags: ['x', 'y'] }), summary({ tags: ['y'] })])).toEqual([
      { tag: 'y', count: 2 },
      { tag: 'x', count: 1 },
    ]);
  });

  it('JSON export: one run is one object, several an array (as `runs export` writes them), asked for in chunks', async () => {
    const { client, calls } = fakeClient([]);
    expect(JSON.parse((await exportJson(client, [5])).text)).toMatchObject({ format: 'dmm-lab-run', run: { id: 5 } });
    const many = await exportJson(
      client,
      Array.from({ length: 120 }, (_, i) => i + 1),
    );
    expect(many.count).toBe(120);
    expect((JSON.parse(many.text) as unknown[]).length).toBe(120);
    expect(calls.filter(([m]) => m === 'export').map(([, p]) => (p as { ids: number[] }).ids.length)).toEqual([1, 50, 50, 20]);
  });

  it('mapLimit keeps order, bounds concurrency and reports a failure once all settled', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, x));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
    const done: number[] = [];
    await expect(
      mapLimit([1, 2, 3], 3, async (x) => {
        if (x === 1) throw new Error('boom');
        await new Promise((r) => setTimeout(r, 5));
        done.push(x);
      }),
    ).rejects.toThrow('boom');
    expect(done).toEqual([2, 3]);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});
