/** Saved views of the run browser: settings ↔ query ↔ saved view, sorting by header clicks, session memory. */
import { describe, expect, it } from 'vitest';
import { API } from '../../src-shared/api/contract';
import { DEFAULT_COLUMNS } from '../../src-renderer/runs/browser/columns';
import { parseFilter } from '../../src-renderer/runs/browser/filter';
import {
  DEFAULT_SETTINGS,
  INITIAL_MEMORY,
  filterTextOf,
  fromSavedView,
  nextSort,
  queryOf,
  recall,
  remember,
  sameSettings,
  toSavedView,
  type BrowserSettings,
} from '../../src-renderer/runs/browser/view-state';

const filter = (s: string) => {
  const r = parseFilter(s);
  if (!r.ok) throw new Error('bad filter');
  return r.filter;
};

const settings: BrowserSettings = {
  status: ['completed', 'stopped'],
  tag: 'paper',
  filter: filter('softLinks <= 12, optimizer.lr = 0.02, sweep'),
  sort: { field: 'testLoss', dir: 'asc' },
  columns: ['name', 'softLinks', 'testLoss'],
};

describe('view state', () => {
  it('the default view is every live run, newest first', () => {
    expect(queryOf(DEFAULT_SETTINGS, false)).toEqual({});
    expect(queryOf(DEFAULT_SETTINGS, true)).toEqual({ trash: true });
    expect(DEFAULT_SETTINGS.columns).toEqual(DEFAULT_COLUMNS);
  });

  it('builds the query the contract accepts', () => {
    const q = queryOf(settings, false);
    expect(q).toEqual({
      status: ['completed', 'stopped'],
      tag: 'paper',
      text: 'sweep',
      where: [
        { field: 'softLinks', op: '<=', value: 12 },
        { field: 'optimizer.lr', op: '=', value: 0.02 },
      ],
      sort: { field: 'testLoss', dir: 'asc' },
    });
    expect(API['runs.list'].params.safeParse(q).success).toBe(true);
  });

  it('a saved view round-trips (and is what views.save accepts); the trash toggle is not part of it', () => {
    const saved = toSavedView(settings);
    expect(API['views.save'].params.safeParse({ name: 'mine', view: saved }).success).toBe(true);
    expect(saved.query).not.toHaveProperty('trash');
    // stored as JSON by the lab
    const back = fromSavedView(JSON.parse(JSON.stringify(saved)) as typeof saved);
    expect(back.warnings).toEqual([]);
    expect(sameSettings(back.settings, settings)).toBe(true);
    expect(filterTextOf(back.settings)).toBe('softLinks <= 12, optimizer.lr = 0.02, sweep');
  });

  it('a damaged view opens with what can be used and says what could not', () => {
    const back = fromSavedView({ query: { sort: { field: 'nope', dir: 'up' } }, columns: ['name', 'gone'] });
    expect(back.settings.sort).toBeUndefined();
    expect(back.settings.columns).toEqual(['name']);
    expect(back.warnings).toHaveLength(2);
    expect(back.warnings[1]).toBe('unknown columns left out: gone');
  });

  it('sameSettings notices every difference', () => {
    expect(sameSettings(settings, { ...settings })).toBe(true);
    expect(sameSettings(settings, { ...settings, status: ['completed'] })).toBe(false);
    expect(sameSettings(settings, { ...settings, tag: undefined })).toBe(false);
    expect(sameSettings(settings, { ...settings, filter: filter('softLinks <= 13, optimizer.lr = 0.02, sweep') })).toBe(false);
    expect(sameSettings(settings, { ...settings, sort: { field: 'testLoss', dir: 'desc' } })).toBe(false);
    expect(sameSettings(settings, { ...settings, columns: ['name', 'softLinks'] })).toBe(false);
  });

  it('clicking a header sorts by it, clicking again reverses', () => {
    let s = nextSort(undefined, 'softLinks', 'asc');
    expect(s).toEqual({ field: 'softLinks', dir: 'asc' });
    s = nextSort(s, 'softLinks', 'asc');
    expect(s).toEqual({ field: 'softLinks', dir: 'desc' });
    expect(nextSort(s, 'startedAt', 'desc')).toEqual({ field: 'startedAt', dir: 'desc' });
  });

  it('remembers the browser for the session', () => {
    expect(recall()).toBe(INITIAL_MEMORY);
    const m = { ...INITIAL_MEMORY, filterText: 'softLinks <', scrollTop: 560 };
    remember(m);
    expect(recall()).toBe(m);
  });
});
