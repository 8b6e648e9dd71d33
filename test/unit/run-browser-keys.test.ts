/** The run browser's keys (a pure function) and its live rows (events batched through the throttle). */
import { describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../src-shared/api/contract';
import { browserKeyAction, type KeyContext, type KeyPress } from '../../src-renderer/runs/browser/keys';
import { followLiveRuns } from '../../src-renderer/runs/browser/live-updates';
import type { LiveBatch } from '../../src-renderer/runs/browser/run-rows';
import { runSummary as summary } from '../helpers/run-summary';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  defaultPrevented: false,
  ...mods,
});
const ctx: KeyContext = {
  inControl: false,
  dialogOpen: false,
  pageSize: 12,
  canOpen: true,
  hasSelection: true,
  hasFocus: true,
  canUndo: true,
};

describe('browserKeyAction', () => {
  it('moves, pages and jumps, extending with Shift', () => {
    expect(browserKeyAction(press('ArrowDown'), ctx)).toEqual({ kind: 'move', by: 1, extend: false });
    expect(browserKeyAction(press('ArrowUp', { shiftKey: true }), ctx)).toEqual({ kind: 'move', by: -1, extend: true });
    expect(browserKeyAction(press('PageDown'), ctx)).toEqual({ kind: 'move', by: 12, extend: false });
    expect(browserKeyAction(press('PageUp'), ctx)).toEqual({ kind: 'move', by: -12, extend: false });
    expect(browserKeyAction(press('Home', { shiftKey: true }), ctx)).toEqual({ kind: 'focus', at: 'first', extend: true });
    expect(browserKeyAction(press('End'), ctx)).toEqual({ kind: 'focus', at: 'last', extend: false });
  });

  it('opens, clears, toggles, deletes, selects all and undoes only when there is something to act on', () => {
    expect(browserKeyAction(press('Enter'), ctx)).toEqual({ kind: 'open' });
    expect(browserKeyAction(press('Enter'), { ...ctx, canOpen: false })).toBeUndefined();
    expect(browserKeyAction(press('Escape'), ctx)).toEqual({ kind: 'clear' });
    expect(browserKeyAction(press('Escape'), { ...ctx, hasSelection: false })).toBeUndefined();
    expect(browserKeyAction(press(' '), ctx)).toEqual({ kind: 'toggle' });
    expect(browserKeyAction(press(' '), { ...ctx, hasFocus: false })).toBeUndefined();
    expect(browserKeyAction(press('Delete'), ctx)).toEqual({ kind: 'delete' });
    expect(browserKeyAction(press('Backspace'), ctx)).toBeUndefined();
    expect(browserKeyAction(press('Backspace', { metaKey: true }), ctx)).toEqual({ kind: 'delete' });
    expect(browserKeyAction(press('a', { ctrlKey: true }), ctx)).toEqual({ kind: 'select-all' });
    expect(browserKeyAction(press('A', { metaKey: true }), ctx)).toEqual({ kind: 'select-all' });
    expect(browserKeyAction(press('z', { ctrlKey: true }), ctx)).toEqual({ kind: 'undo' });
    expect(browserKeyAction(press('z', { ctrlKey: true, shiftKey: true }), ctx)).toBeUndefined();
    expect(browserKeyAction(press('z', { ctrlKey: true }), { ...ctx, canUndo: false })).toBeUndefined();
    expect(browserKeyAction(press('a'), ctx)).toBeUndefined();
  });

  it('leaves keys alone in controls, with a dialog open, with Alt, or when already handled', () => {
    expect(browserKeyAction(press('ArrowDown'), { ...ctx, inControl: true })).toBeUndefined();
    expect(browserKeyAction(press('Delete'), { ...ctx, dialogOpen: true })).toBeUndefined();
    expect(browserKeyAction(press('ArrowDown', { altKey: true }), ctx)).toBeUndefined();
    expect(browserKeyAction(press('ArrowDown', { defaultPrevented: true }), ctx)).toBeUndefined();
  });
});

describe('followLiveRuns', () => {
  it('applies the latest state of each run in batches, at most once per interval, and says when the trash may have changed', async () => {
    vi.useFakeTimers();
    try {
      let listener: ((e: ApiEvent) => void) | undefined;
      const batches: LiveBatch[] = [];
      const known = new Map([[1, summary({ id: 1 })]]);
      let trashChecks = 0;
      const off = followLiveRuns(
        { on: (l) => ((listener = l), () => (listener = undefined)) },
        { get: (id) => known.get(id), applyLive: (b) => void batches.push(b) },
        () => trashChecks++,
      );
      listener!({ name: 'run.changed', data: summary({ id: 1, name: 'first' }) }); // served at once
      listener!({ name: 'run.changed', data: summary({ id: 1, name: 'second' }) });
      listener!({ name: 'run.changed', data: summary({ id: 1, name: 'third' }) });
      listener!({ name: 'run.removed', data: { id: 2 } });
      await vi.advanceTimersByTimeAsync(150);
      expect(batches.map((b) => [b.changed.map((r) => r.name), b.removed])).toEqual([
        [['first'], []],
        [['third'], [2]],
      ]);
      expect(trashChecks).toBe(1); // the removal (run 1 stayed out of the trash)
      listener!({ name: 'run.changed', data: summary({ id: 1, deletedAt: 5 }) });
      expect(trashChecks).toBe(2);
      off(); // the screen is gone: the batch still waiting is dropped with it
      expect(listener).toBeUndefined();
      await vi.advanceTimersByTimeAsync(500);
      expect(batches).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
