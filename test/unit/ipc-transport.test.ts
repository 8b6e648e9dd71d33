/**
 * The Electron IPC transport with a fake ipcMain and fake windows, over a real lab (SQLite
 * file, real handlers): only the app's own top frame is served, malformed or non-plain
 * params are refused without touching the store, events reach every live window, and the
 * disposer unregisters everything.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CHANNEL, EVENT_CHANNEL } from '../../src-shared/api/dmm-lab-api';
import { isTrustedSender, MAX_REQUEST_CHARS, registerIpcTransport } from '../../src-main/electron/ipc-transport';

/** The request limit the transport below is registered with (injected: the app's is MAX_REQUEST_CHARS, 64 MiB). */
const LIMIT = 4096;
import { openLab, type Lab } from '../../src-main/lab/lab';
import { API_METHODS } from '../../src-shared/api/contract';
import type { ApiReply } from '../../src-shared/api/dispatch';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { tempDir } from '../helpers/lab';

const APP_URL = 'file:///opt/dmm-lab/out/renderer/index.html';

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  readonly removed: string[] = [];
  handle(channel: string, fn: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string): void {
    this.removed.push(channel);
    this.handlers.delete(channel);
  }
}

class FakeWebContents {
  readonly sent: unknown[][] = [];
  constructor(public destroyed = false) {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('send on a destroyed webContents');
    this.sent.push([channel, ...args]);
  }
}

const frame = (url: string, parent: unknown = null) => ({ senderFrame: { url, parent } });
const topFrame = frame(APP_URL);

const tmp = tempDir('dmm-ipc-');
let lab: Lab;
let ipc: FakeIpcMain;
let windows: FakeWebContents[];
let dispose: () => void;

async function invoke(event: unknown, method: unknown, params?: unknown): Promise<ApiReply> {
  const h = ipc.handlers.get(API_CHANNEL);
  if (!h) throw new Error('no handler registered');
  return (await h(event, method, params)) as ApiReply;
}

function errorOf(reply: ApiReply): { code: string; message: string } {
  if (reply.ok) throw new Error(`expected an error reply, got ${JSON.stringify(reply).slice(0, 200)}`);
  return reply.error;
}

const total = (): number => lab.store.listRuns({}).total;

beforeAll(() => {
  lab = openLab({ db: `${tmp.dir}/lab.db`, concurrency: 1 });
  // finished runs only: nothing for the supervisor to launch
  lab.store.createRun({ name: 'alpha', schedule: defaultSchedule(1), status: 'completed' });
  lab.store.createRun({ name: 'beta', schedule: defaultSchedule(2), status: 'completed' });
  ipc = new FakeIpcMain();
  windows = [new FakeWebContents(), new FakeWebContents(true), new FakeWebContents()];
  dispose = registerIpcTransport({
    ipcMain: ipc as unknown as IpcMain,
    handlers: lab.service.handlers,
    hub: lab.hub,
    appUrl: APP_URL,
    windows: () => windows as unknown as WebContents[],
    maxRequestChars: LIMIT,
  });
});

afterAll(async () => {
  await lab?.close();
  tmp.cleanup();
});

describe('isTrustedSender', () => {
  const trusted = (e: unknown, appUrl = APP_URL): boolean => isTrustedSender(e as Pick<IpcMainInvokeEvent, 'senderFrame'>, appUrl);

  it('trusts the top frame of the app file, with or without a hash', () => {
    expect(trusted(frame(APP_URL))).toBe(true);
    expect(trusted(frame(`${APP_URL}#/runs/3`))).toBe(true);
  });

  it('refuses another file, another scheme, sub-frames and missing frames', () => {
    expect(trusted(frame('file:///opt/dmm-lab/out/renderer/other.html'))).toBe(false);
    expect(trusted(frame('file:///tmp/evil.html'))).toBe(false);
    expect(trusted(frame('https://example.com/'))).toBe(false);
    expect(trusted(frame('not a url'))).toBe(false);
    expect(trusted(frame(APP_URL, { url: APP_URL }))).toBe(false);
    expect(trusted({ senderFrame: null })).toBe(false);
    expect(trusted({})).toBe(false);
  });

  it('trusts only the dev server origin when the app is served over http', () => {
    const dev = 'http://localhost:5173/';
    expect(trusted(frame('http://localhost:5173/'), dev)).toBe(true);
    expect(trusted(frame('http://localhost:5173/index.html?x=1#y'), dev)).toBe(true);
    expect(trusted(frame('http://localhost:5174/'), dev)).toBe(false);
    expect(trusted(frame('http://127.0.0.1:5173/'), dev)).toBe(false);
    expect(trusted(frame('https://localhost:5173/'), dev)).toBe(false);
    expect(trusted(frame('http://localhost.evil.com:5173/'), dev)).toBe(false);
    expect(trusted(frame('file:///opt/dmm-lab/out/renderer/index.html'), dev)).toBe(false);
    expect(trusted(frame('http://localhost:5173/', { url: 'http://localhost:5173/' }), dev)).toBe(false);
  });
});

describe('registerIpcTransport', () => {
  it('registers one handler on the API channel', () => {
    expect([...ipc.handlers.keys()]).toEqual([API_CHANNEL]);
    // the real handler table implements the whole contract
    expect(Object.keys(lab.service.handlers).sort()).toEqual([...API_METHODS].sort());
  });

  it('dispatches requests from the app top frame to the real handlers', async () => {
    const list = await invoke(topFrame, 'runs.list', {});
    expect(list.ok).toBe(true);
    const result = (list as { result: { total: number; runs: { name: string }[] } }).result;
    expect(result.total).toBe(2);
    expect(result.runs.map((r) => r.name).sort()).toEqual(['alpha', 'beta']);

    const got = await invoke(frame(`${APP_URL}#/x`), 'runs.get', { id: 1 });
    expect(got.ok).toBe(true);
    expect((got as { result: { name: string; schedule: { seed: number } } }).result).toMatchObject({
      name: 'alpha',
      schedule: { seed: 1 },
    });

    expect(errorOf(await invoke(topFrame, 'runs.get', { id: 999 })).code).toBe('not-found');
    expect(errorOf(await invoke(topFrame, 'runs.fly', {})).code).toBe('bad-request');
  });

  it('refuses requests from another origin, a sub-frame or no frame, without running them', async () => {
    const untrusted = [
      frame('file:///tmp/evil.html'),
      frame('https://example.com/'),
      frame(APP_URL, { url: APP_URL }),
      { senderFrame: null },
      {},
    ];
    for (const event of untrusted) {
      const e = errorOf(await invoke(event, 'runs.trash', { ids: [1] }));
      expect(e.code, JSON.stringify(event)).toBe('unauthorized');
      const e2 = errorOf(await invoke(event, 'runs.list', {}));
      expect(e2.code).toBe('unauthorized');
    }
    expect(lab.store.getRunSummary(1).deletedAt).toBeNull();
    expect(total()).toBe(2);
  });

  it('refuses malformed params with bad-request and leaves the store unchanged', async () => {
    const before = total();
    const cases: [string, unknown][] = [
      ['runs.trash', { ids: [1, 'two'] }],
      ['runs.trash', { ids: [] }],
      ['runs.purge', { ids: [-1] }],
      ['runs.update', { id: 1, name: 42 }],
      ['runs.update', { id: 'one', name: 'renamed' }],
      ['runs.start', { schedule: 'fast please' }],
      ['runs.start', { schedule: {}, tags: 'not-an-array' }],
      ['runs.import', { runs: [] }],
      ['runs.list', { where: [{ field: 'x; DROP TABLE runs', op: '<', value: 1 }] }],
      ['hyperSets.save', { name: '', schedule: {} }],
    ];
    for (const [method, params] of cases) {
      const e = errorOf(await invoke(topFrame, method, params));
      expect(e.code, `${method} ${JSON.stringify(params)}`).toBe('bad-request');
      expect(e.message.startsWith(`${method}: `)).toBe(true);
    }
    expect(total()).toBe(before);
    expect(lab.store.getRunSummary(1).name).toBe('alpha');
    expect(lab.store.listHyperSets()).toEqual([]);
    expect(lab.store.queuedRunIds()).toEqual([]);
  });

  it('refuses params that are not plain data (BigInt, cycles) with bad-request', async () => {
    const before = total();
    expect(errorOf(await invoke(topFrame, 'runs.trash', { ids: [1n] })).code).toBe('bad-request');
    const cyclic: Record<string, unknown> = { id: 1, name: 'loop' };
    cyclic['self'] = cyclic;
    expect(errorOf(await invoke(topFrame, 'runs.update', cyclic)).code).toBe('bad-request');
    expect(total()).toBe(before);
    expect(lab.store.getRunSummary(1).name).toBe('alpha');
    expect(lab.store.getRunSummary(1).deletedAt).toBeNull();
  });

  it('refuses a request over the size limit as too-large (64 MiB in the app)', async () => {
    expect(MAX_REQUEST_CHARS).toBe(64 * 1024 * 1024);
    const huge = 'x'.repeat(LIMIT + 1);
    const reply = errorOf(await invoke(topFrame, 'runs.update', { id: 1, notes: huge }));
    expect(reply).toMatchObject({ code: 'too-large', message: `the request is larger than ${LIMIT} characters` });
    expect(lab.store.getRun(1).notes).toBe('');
    // just under the limit (the JSON of the params counts) goes through
    const fits = 'x'.repeat(LIMIT - JSON.stringify({ id: 1, notes: '' }).length);
    expect((await invoke(topFrame, 'runs.update', { id: 1, notes: fits })).ok).toBe(true);
    expect(lab.store.getRun(1).notes).toBe(fits);
    await invoke(topFrame, 'runs.update', { id: 1, notes: '' });
  });

  it('sends every hub event to each live window on the event channel', async () => {
    for (const w of windows) w.sent.length = 0;
    lab.hub.emit({ name: 'run.removed', data: { id: 77 } });
    expect(windows[0]!.sent).toEqual([[EVENT_CHANNEL, 'run.removed', { id: 77 }]]);
    expect(windows[2]!.sent).toEqual([[EVENT_CHANNEL, 'run.removed', { id: 77 }]]);
    expect(windows[1]!.sent).toEqual([]);

    // an edit through the transport pushes the changed run to the windows
    const reply = await invoke(topFrame, 'runs.update', { id: 2, name: 'beta 2', tags: ['keep'] });
    expect(reply.ok).toBe(true);
    const changed = windows[0]!.sent.filter((s) => s[1] === 'run.changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]![0]).toBe(EVENT_CHANNEL);
    expect(changed[0]![2]).toMatchObject({ id: 2, name: 'beta 2', tags: ['keep'] });
    expect(windows[2]!.sent.filter((s) => s[1] === 'run.changed')).toHaveLength(1);
    expect(windows[1]!.sent).toEqual([]);

    // a window opened later gets later events
    const late = new FakeWebContents();
    windows.push(late);
    lab.hub.emit({ name: 'run.removed', data: { id: 78 } });
    expect(late.sent).toEqual([[EVENT_CHANNEL, 'run.removed', { id: 78 }]]);
    windows.pop();
  });

  it('the disposer removes the handler and stops the events', () => {
    for (const w of windows) w.sent.length = 0;
    dispose();
    expect(ipc.removed).toEqual([API_CHANNEL]);
    expect(ipc.handlers.has(API_CHANNEL)).toBe(false);
    lab.hub.emit({ name: 'run.removed', data: { id: 79 } });
    for (const w of windows) expect(w.sent).toEqual([]);
  });
});
