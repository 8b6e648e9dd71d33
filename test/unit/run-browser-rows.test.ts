/** Loading the run table in pages, live updates in place, background reloads, and the ≤ 10 Hz throttle. */
import { describe, expect, it, vi } from 'vitest';
import type { RunQuery } from '../../src-shared/api/contract';
import type { RunSummary } from '../../src-shared/api/records';
import { RunRows, mayMatch, withProgress, type ChangeReason, type RowsSnapshot } from '../../src-renderer/runs/browser/run-rows';
import { throttle, type Clock } from '../../src-renderer/lib/throttle';
import { runSummary } from '../helpers/run-summary';

function summary(over: Partial<RunSummary> = {}): RunSummary {
  const done = { status: 'completed', seed: 7, startedAt: 1, endedAt: 2, steps: 500, stepBudget: 30_000, softLinks: 8 } as const;
  return runSummary({ ...done, finalLoss: 0.1, bestLoss: 1e-5, testLoss: 0, ...over });
}

/** A fake lab: runs newest first, filtered by trash only, paged. */
function fakeLab(n: number) {
  const runs: RunSummary[] = Array.from({ length: n }, (_, i) => summary({ id: i + 1, name: `run ${i + 1}` }));
  const calls: RunQuery[] = [];
  let gate: Promise<void> | undefined;
  const list = async (q: RunQuery) => {
    calls.push(q);
    if (gate) await gate;
    const matching = runs.filter((r) => (r.deletedAt !== null) === (q.trash === true)).sort((a, b) => b.id - a.id);
    const offset = q.offset ?? 0;
    return { total: matching.length, runs: matching.slice(offset, q.limit === undefined ? undefined : offset + q.limit) };
  };
  return {
    runs,
    calls,
    list,
    hold(): () => void {
      let open!: () => void;
      gate = new Promise<void>((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

function track() {
  const log: [ChangeReason, RowsSnapshot][] = [];
  return { log, onChange: (s: RowsSnapshot, r: ChangeReason) => log.push([r, s]) };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('RunRows', () => {
  it('loads a small first page, then the rest, and ends complete', async () => {
    const lab = fakeLab(450);
    const t = track();
    const rows = new RunRows(lab.list, t.onChange, { first: 50, next: 200 });
    await rows.load({});
    expect(lab.calls.map((q) => [q.offset, q.limit])).toEqual([
      [0, 50],
      [50, 200],
      [250, 200],
    ]);
    expect(t.log.map(([r, s]) => [r, s.rows.length, s.total, s.complete, s.loading])).toEqual([
      ['start', 0, 0, false, true],
      ['page', 50, 450, false, true],
      ['page', 250, 450, false, true],
      ['page', 450, 450, true, false],
    ]);
    expect(rows.idAt(0)).toBe(450);
    expect(rows.indexOf(1)).toBe(449);
    expect(rows.get(7)?.name).toBe('run 7');
  });

  it('a newer query wins over a slower older one', async () => {
    const lab = fakeLab(10);
    const t = track();
    const rows = new RunRows(lab.list, t.onChange, { first: 5, next: 5 });
    const release = lab.hold();
    const first = rows.load({ sort: { field: 'seed', dir: 'asc' } });
    release();
    const second = rows.load({ trash: true });
    await Promise.all([first, second]);
    expect(rows.snapshot.query).toEqual({ trash: true });
    expect(rows.snapshot.rows).toEqual([]);
  });

  it('shows an error, and a reload keeps the rows it has', async () => {
    const t = track();
    let fail = false;
    const lab = fakeLab(3);
    const rows = new RunRows((q) => (fail ? Promise.reject(new Error('runs.list: database is locked')) : lab.list(q)), t.onChange);
    await rows.load({});
    fail = true;
    await rows.load({}, 'refresh');
    expect(rows.snapshot.error).toBe('runs.list: database is locked');
    expect(rows.snapshot.rows).toHaveLength(3);
    fail = false;
    await rows.load({});
    expect(rows.snapshot.error).toBeUndefined();
  });

  it('live changes replace rows in place, drop the ones leaving the view, and reload for new ones', async () => {
    const lab = fakeLab(5);
    const t = track();
    const rows = new RunRows(lab.list, t.onChange);
    await rows.load({});
    const before = rows.snapshot.rows;
    rows.applyLive({ changed: [{ ...(lab.runs[2] as RunSummary), name: 'renamed' }], removed: [], progress: [] });
    expect(rows.snapshot.rows).not.toBe(before); // a new snapshot
    expect(rows.get(3)?.name).toBe('renamed');
    expect(rows.indexOf(3)).toBe(2); // same place

    // trashed elsewhere: leaves the (live) view
    lab.runs[4] = { ...(lab.runs[4] as RunSummary), deletedAt: 1 };
    rows.applyLive({ changed: [lab.runs[4]], removed: [1], progress: [] });
    expect(rows.snapshot.rows.map((r) => r.id)).toEqual([4, 3, 2]);
    expect(rows.snapshot.total).toBe(3);

    // a new run: reloaded in the background and swapped in whole
    lab.runs.push(summary({ id: 6, name: 'new' }));
    const calls = lab.calls.length;
    rows.applyLive({ changed: [lab.runs[5] as RunSummary], removed: [], progress: [] });
    await flush();
    expect(lab.calls.length).toBe(calls + 1);
    expect(t.log.at(-1)?.[0]).toBe('replaced');
    // run 1 was removed from the table by the event, but the fake lab still lists it
    expect(rows.snapshot.rows.map((r) => r.id)).toEqual([6, 4, 3, 2, 1]);
  });

  it('progress events update figures in place', async () => {
    const lab = fakeLab(2);
    const rows = new RunRows(lab.list, () => {});
    await rows.load({});
    rows.applyLive({
      changed: [],
      removed: [],
      progress: [
        { runId: 2, step: 700, stepBudget: 900, phase: 'sparsify', softLinks: 120, preregLoss: 0.5, lambda1: 0.003, wallMs: 1000 },
      ],
    });
    expect(rows.get(2)).toMatchObject({ steps: 700, stepBudget: 900, softLinks: 120, finalLoss: 0.5, bestLoss: 1e-5 });
  });

  it('events during a load are not lost: the newest summary wins and a reload follows', async () => {
    const lab = fakeLab(6);
    const rows = new RunRows(lab.list, () => {}, { first: 2, next: 2 });
    const release = lab.hold();
    const loading = rows.load({});
    const calls = lab.calls.length;
    const changed = { ...(lab.runs[0] as RunSummary), name: 'changed meanwhile' };
    rows.applyLive({ changed: [changed], removed: [], progress: [] }); // run 1 comes in the last page
    release();
    await loading; // the pages still said 'run 1': the event is newer
    expect(rows.get(1)?.name).toBe('changed meanwhile');
    lab.runs[0] = changed; // what the reload then reads
    await flush();
    expect(lab.calls.length).toBeGreaterThan(calls + 3); // three pages, then the reload
    expect(rows.get(1)?.name).toBe('changed meanwhile');
  });

  it('never lists a run twice when a new one shifts the pages', async () => {
    const lab = fakeLab(4);
    let n = 0;
    const rows = new RunRows(
      async (q) => {
        if (n++ === 1) lab.runs.push(summary({ id: 5 })); // created between two pages
        return lab.list(q);
      },
      () => {},
      { first: 2, next: 2 },
    );
    await rows.load({});
    const ids = rows.snapshot.rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('what can be told client-side about belonging to a view', () => {
    const r = summary({ status: 'running', tags: ['x'] });
    expect(mayMatch(r, {})).toBe(true);
    expect(mayMatch(r, { trash: true })).toBe(false);
    expect(mayMatch({ ...r, deletedAt: 5 }, { trash: true })).toBe(true);
    expect(mayMatch(r, { status: ['completed'] })).toBe(false);
    expect(mayMatch(r, { status: [] })).toBe(true);
    expect(mayMatch(r, { tag: 'y' })).toBe(false);
    expect(
      withProgress(summary({ bestLoss: null }), {
        runId: 1,
        step: 3,
        stepBudget: 9,
        phase: 'dense',
        softLinks: 4,
        preregLoss: null,
        lambda1: 0,
        wallMs: 0,
      }).bestLoss,
    ).toBeNull();
  });
});

describe("throttle (a synchronous task: the browser's live rows)", () => {
  it('runs at most once per interval and always after the last request', async () => {
    vi.useFakeTimers();
    try {
      const clock: Clock = {
        now: () => Date.now(),
        setTimeout: (f, ms) => setTimeout(f, ms),
        clearTimeout: (h) => clearTimeout(h as number),
      };
      const runs: number[] = [];
      const t0 = Date.now();
      const th = throttle(() => void runs.push(Date.now() - t0), 100, undefined, clock);
      for (let ms = 0; ms < 1000; ms += 5) {
        th.request();
        await vi.advanceTimersByTimeAsync(5);
      }
      await vi.advanceTimersByTimeAsync(200);
      expect(runs.length).toBeLessThanOrEqual(11);
      expect(runs.length).toBeGreaterThanOrEqual(9);
      for (let i = 1; i < runs.length; i++) expect((runs[i] as number) - (runs[i - 1] as number)).toBeGreaterThanOrEqual(100);
      expect(runs.at(-1)).toBeGreaterThanOrEqual(995 - 100); // the last request was served
      const served = runs.length;
      th.request(); // an interval has passed: served at once
      expect(runs.length).toBe(served + 1);
      th.request(); // within the interval: waits…
      th.dispose(); // …and is dropped with the throttle
      await vi.advanceTimersByTimeAsync(500);
      expect(runs.length).toBe(served + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});
