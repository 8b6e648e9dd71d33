/**
 * When the welcome screen opens by itself (src-renderer/welcome/first-run.ts), with a fake
 * lab client, storage, location and root element: a new lab (no run, none in the trash) and
 * not dismissed → #/welcome and data-first-run="shown"; otherwise the page stays where it is
 * and data-first-run="skipped" says why.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ApiParams, ApiResult } from '../../src-shared/api/contract';
import {
  dismissWelcome,
  handcraftedExampleOverrides,
  isWelcomeDismissed,
  openWelcomeOnFirstStart,
  shouldShowWelcome,
  WELCOME_DISMISSED_KEY,
  type FirstRunMarker,
} from '../../src-renderer/welcome/first-run';

type ListParams = ApiParams<'runs.list'>;
type ListResult = ApiResult<'runs.list'>;

/** A lab with `live` runs and `trashed` runs in the trash; records every runs.list call. */
function fakeLab(live: number, trashed: number, opts: { fail?: boolean; during?: () => void } = {}) {
  const calls: ListParams[] = [];
  const client = {
    'runs.list': async (q: ListParams): Promise<ListResult> => {
      calls.push(q);
      await Promise.resolve();
      opts.during?.();
      if (opts.fail) throw new Error('connection refused');
      return { total: q.trash ? trashed : live, runs: [] };
    },
  };
  return { client, calls };
}

function fakeStorage(init: Record<string, string> = {}) {
  const m = new Map(Object.entries(init));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

const marker = (): FirstRunMarker & { dataset: Record<string, string | undefined> } => ({ dataset: {} });

describe('shouldShowWelcome', () => {
  it('a lab without runs, also none in the trash, and not dismissed: yes', async () => {
    const { client, calls } = fakeLab(0, 0);
    expect(await shouldShowWelcome(client, fakeStorage())).toBe(true);
    // both the live runs and the trash are asked
    expect(calls.map((c) => Boolean(c.trash)).sort()).toEqual([false, true]);
  });

  it('runs in the lab, or only in the trash: no', async () => {
    expect(await shouldShowWelcome(fakeLab(3, 0).client, fakeStorage())).toBe(false);
    expect(await shouldShowWelcome(fakeLab(0, 1).client, fakeStorage())).toBe(false);
  });

  it('dismissed on this machine: no, without asking the lab', async () => {
    const storage = fakeStorage();
    expect(isWelcomeDismissed(storage)).toBe(false);
    dismissWelcome(storage);
    expect(storage.m.get(WELCOME_DISMISSED_KEY)).toBe('1');
    expect(isWelcomeDismissed(storage)).toBe(true);
    const { client, calls } = fakeLab(0, 0);
    expect(await shouldShowWelcome(client, storage)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('a lab that does not answer: the error comes through', async () => {
    await expect(shouldShowWelcome(fakeLab(0, 0, { fail: true }).client, fakeStorage())).rejects.toThrow('connection refused');
  });
});

describe('openWelcomeOnFirstStart', () => {
  for (const start of ['', '#', '#/', '#/runs']) {
    it(`a new lab opened on "${start}": switches to #/welcome and marks it shown`, async () => {
      const loc = { hash: start };
      const m = marker();
      expect(await openWelcomeOnFirstStart(fakeLab(0, 0).client, fakeStorage(), loc, m)).toBe(true);
      expect(loc.hash).toBe('#/welcome');
      expect(m.dataset).toEqual({ firstRun: 'shown' });
    });
  }

  it('a lab with runs: stays, marked skipped because of the runs', async () => {
    const loc = { hash: '#/runs' };
    const m = marker();
    expect(await openWelcomeOnFirstStart(fakeLab(2, 0).client, fakeStorage(), loc, m)).toBe(false);
    expect(loc.hash).toBe('#/runs');
    expect(m.dataset).toEqual({ firstRun: 'skipped', firstRunReason: 'runs' });
  });

  it('dismissed: stays without asking the lab, marked skipped as dismissed', async () => {
    const loc = { hash: '#/runs' };
    const m = marker();
    const { client, calls } = fakeLab(0, 0);
    expect(await openWelcomeOnFirstStart(client, fakeStorage({ [WELCOME_DISMISSED_KEY]: '1' }), loc, m)).toBe(false);
    expect(calls).toEqual([]);
    expect(loc.hash).toBe('#/runs');
    expect(m.dataset).toEqual({ firstRun: 'skipped', firstRunReason: 'dismissed' });
  });

  it('opened on a particular screen: that screen stays, the lab is not asked', async () => {
    const loc = { hash: '#/editor?generate=handcrafted' };
    const m = marker();
    const { client, calls } = fakeLab(0, 0);
    expect(await openWelcomeOnFirstStart(client, fakeStorage(), loc, m)).toBe(false);
    expect(calls).toEqual([]);
    expect(loc.hash).toBe('#/editor?generate=handcrafted');
    expect(m.dataset).toEqual({ firstRun: 'skipped', firstRunReason: 'screen' });
  });

  it('the person goes elsewhere while the lab is asked: the new place stays', async () => {
    const loc = { hash: '#/runs' };
    const m = marker();
    const { client } = fakeLab(0, 0, { during: () => (loc.hash = '#/new') });
    expect(await openWelcomeOnFirstStart(client, fakeStorage(), loc, m)).toBe(false);
    expect(loc.hash).toBe('#/new');
    expect(m.dataset).toEqual({ firstRun: 'skipped', firstRunReason: 'moved' });
  });

  it('a lab that does not answer: stays (the run browser shows the problem), marked skipped', async () => {
    const loc = { hash: '#/runs' };
    const m = marker();
    expect(await openWelcomeOnFirstStart(fakeLab(0, 0, { fail: true }).client, fakeStorage(), loc, m)).toBe(false);
    expect(loc.hash).toBe('#/runs');
    expect(m.dataset).toEqual({ firstRun: 'skipped', firstRunReason: 'unreachable' });
  });

  it('without a marker (no document) it still decides', async () => {
    const loc = { hash: '' };
    expect(await openWelcomeOnFirstStart(fakeLab(0, 0).client, fakeStorage(), loc, undefined)).toBe(true);
    expect(loc.hash).toBe('#/welcome');
  });
});

describe('the Getting started example', () => {
  it('is the schedule file the README times (resources/schedules/getting-started-example.json): a seeded repair of the perturbed detector', () => {
    const file: unknown = JSON.parse(readFileSync('resources/schedules/getting-started-example.json', 'utf8'));
    const o = handcraftedExampleOverrides();
    expect(file).toEqual(o);
    expect(o['seed']).toBe(1);
    expect(o['start']).toMatchObject({ kind: 'repair', remove: [], perturb: 0.5, embed: 'circuit' });
  });
});
