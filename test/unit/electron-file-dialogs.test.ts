/**
 * The native open/save dialog handlers with a fake ipcMain and fake dialogs over a real temp
 * folder: only the app's top frame is served, file names and filters are validated, sizes
 * are limited both ways, cancel writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FILE_OPEN_CHANNEL, FILE_SAVE_CHANNEL, type OpenFileResult, type SaveFileResult } from '../../src-shared/api/dmm-lab-api';
import { nodeFileSystem, registerFileDialogs } from '../../src-main/electron/file-dialogs';
import { MAX_FILE_BYTES, SaveFileRequestSchema } from '../../src-main/electron/file-dialogs-schema';

/** The limit the handlers below are registered with (injected: the app's is MAX_FILE_BYTES, 64 MiB). */
const LIMIT = 4096;
import { tempDir } from '../helpers/lab';

const APP_URL = 'file:///opt/dmm-lab/out/renderer/index.html';
const top = { senderFrame: { url: `${APP_URL}#/runs`, parent: null } };
const tmp = tempDir('dmm-dialogs-');
afterAll(() => tmp.cleanup());

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;
const handlers = new Map<string, Handler>();
const ipcMain = {
  handle: (channel: string, fn: Handler) => handlers.set(channel, fn),
  removeHandler: (channel: string) => handlers.delete(channel),
};
let nextPath: string | undefined;
const dialogCalls: unknown[] = [];
const dispose = registerFileDialogs({
  ipcMain: ipcMain as unknown as IpcMain,
  appUrl: APP_URL,
  defaultDir: () => '/home/me/Downloads',
  maxFileBytes: LIMIT,
  dialogs: {
    showSave: async (_e: IpcMainInvokeEvent, opts) => {
      dialogCalls.push(['save', opts]);
      return nextPath;
    },
    showOpen: async (_e: IpcMainInvokeEvent, opts) => {
      dialogCalls.push(['open', opts]);
      return nextPath;
    },
  },
});

const save = async (request: unknown, event: unknown = top) => (await handlers.get(FILE_SAVE_CHANNEL)!(event, request)) as SaveFileResult;
const open = async (request: unknown, event: unknown = top) => (await handlers.get(FILE_OPEN_CHANNEL)!(event, request)) as OpenFileResult;

beforeEach(() => {
  dialogCalls.length = 0;
  nextPath = undefined;
});

describe('saveFile', () => {
  it('asks where to save (starting in the downloads folder with the suggested name) and writes text there', async () => {
    nextPath = join(tmp.dir, 'runs.json');
    const r = await save({ defaultName: 'runs.json', filters: [{ name: 'JSON', extensions: ['json'] }], content: '{"a":1}' });
    expect(r).toEqual({ status: 'saved', name: 'runs.json' });
    expect(readFileSync(nextPath, 'utf8')).toBe('{"a":1}');
    expect(dialogCalls).toEqual([
      ['save', { defaultPath: join('/home/me/Downloads', 'runs.json'), filters: [{ name: 'JSON', extensions: ['json'] }] }],
    ]);
  });

  it('writes bytes as they are', async () => {
    nextPath = join(tmp.dir, 'graph.png');
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    expect(await save({ defaultName: 'graph.png', content: bytes })).toEqual({ status: 'saved', name: 'graph.png' });
    expect([...readFileSync(nextPath)]).toEqual([...bytes]);
  });

  it('cancel writes nothing', async () => {
    expect(await save({ defaultName: 'x.csv', content: 'a,b' })).toEqual({ status: 'canceled' });
  });

  it('refuses paths as names, bad filters, oversized content and unknown fields before any dialog opens', async () => {
    nextPath = join(tmp.dir, 'never.txt');
    const bad: [unknown, RegExp][] = [
      [{ defaultName: '../../etc/passwd', content: 'x' }, /defaultName: a file name, not a path/],
      [{ defaultName: 'a\\b.txt', content: 'x' }, /defaultName: a file name, not a path/],
      [{ defaultName: '..', content: 'x' }, /defaultName/],
      [{ defaultName: '', content: 'x' }, /defaultName/],
      [{ defaultName: 'a.txt', content: 42 }, /content/],
      [
        { defaultName: 'a.txt', content: 'x', filters: [{ name: 'JSON', extensions: ['.json'] }] },
        /filters\.0\.extensions\.0: an extension is letters and digits/,
      ],
      [{ defaultName: 'a.txt', content: 'x', path: '/tmp/evil' }, /path|unrecognized/i],
      [{ defaultName: 'a.txt', content: 'x'.repeat(LIMIT + 1) }, /larger than/],
      // fewer characters than the limit, more bytes: 'é' is 2 bytes in UTF-8
      [{ defaultName: 'a.txt', content: 'é'.repeat(LIMIT / 2 + 1) }, /content: the content is larger than \d+ bytes \(UTF-8\)/],
      [null, /saveFile/],
    ];
    for (const [request, message] of bad) {
      const r = await save(request);
      expect(r.status, JSON.stringify(request)?.slice(0, 80)).toBe('error');
      expect((r as { message: string }).message).toMatch(message);
    }
    expect(dialogCalls).toEqual([]);
    expect(existsSync(nextPath)).toBe(false);
  });

  it('saves text up to the limit in UTF-8 bytes, multi-byte characters included', async () => {
    nextPath = join(tmp.dir, 'exactly.txt');
    const content = 'é'.repeat(LIMIT / 2); // exactly LIMIT bytes
    expect(await save({ defaultName: 'exactly.txt', content })).toEqual({ status: 'saved', name: 'exactly.txt' });
    expect(readFileSync(nextPath).byteLength).toBe(LIMIT);
  });

  it('refuses other frames and origins', async () => {
    nextPath = join(tmp.dir, 'never2.txt');
    for (const event of [
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      { senderFrame: { url: APP_URL, parent: {} } },
      {},
    ]) {
      expect(await save({ defaultName: 'a.txt', content: 'x' }, event)).toEqual({
        status: 'error',
        message: 'request from an untrusted frame',
      });
    }
    expect(dialogCalls).toEqual([]);
    expect(existsSync(nextPath)).toBe(false);
  });

  it('reports a failed write with the path and the reason', async () => {
    nextPath = join(tmp.dir, 'no-such-dir', 'a.txt');
    const r = await save({ defaultName: 'a.txt', content: 'x' });
    expect(r.status).toBe('error');
    expect((r as { message: string }).message).toMatch(/could not save .*no-such-dir.*ENOENT/);
  });
});

describe('the default limit', () => {
  it('is 64 MiB, and the default save schema checks it (a Uint8Array view: nothing is allocated)', () => {
    expect(MAX_FILE_BYTES).toBe(64 * 1024 * 1024);
    const over = new Uint8Array(new ArrayBuffer(1), 0, 1);
    Object.defineProperty(over, 'byteLength', { value: MAX_FILE_BYTES + 1 });
    const r = SaveFileRequestSchema.safeParse({ defaultName: 'a.bin', content: over });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(`the content is larger than ${MAX_FILE_BYTES} bytes`);
    expect(SaveFileRequestSchema.safeParse({ defaultName: 'a.bin', content: new Uint8Array(8) }).success).toBe(true);
  });
});

describe('openFile', () => {
  it('reads the chosen file as text', async () => {
    nextPath = join(tmp.dir, 'in.json');
    writeFileSync(nextPath, '[1,2,3]');
    expect(await open({ filters: [{ name: 'JSON', extensions: ['json'] }] })).toEqual({
      status: 'opened',
      name: 'in.json',
      text: '[1,2,3]',
    });
    expect(dialogCalls).toEqual([['open', { filters: [{ name: 'JSON', extensions: ['json'] }] }]]);
    expect(await open(undefined)).toMatchObject({ status: 'opened' });
  });

  it('cancel, missing files, oversized files and bad requests', async () => {
    expect(await open({})).toEqual({ status: 'canceled' });
    nextPath = join(tmp.dir, 'gone.json');
    expect(await open({})).toMatchObject({ status: 'error', message: expect.stringMatching(/could not open .*gone\.json/) });
    nextPath = join(tmp.dir, 'huge.bin');
    writeFileSync(nextPath, Buffer.alloc(LIMIT + 1));
    expect(await open({})).toMatchObject({ status: 'error', message: expect.stringMatching(/huge\.bin is \d+ bytes; files up to/) });
    dialogCalls.length = 0;
    expect(await open({ filters: 'json' })).toMatchObject({ status: 'error', message: expect.stringMatching(/^openFile: filters/) });
    expect(await open({}, { senderFrame: { url: 'file:///tmp/evil.html', parent: null } })).toEqual({
      status: 'error',
      message: 'request from an untrusted frame',
    });
    expect(dialogCalls).toEqual([]);
  });

  const mkfifo = process.platform === 'win32' ? undefined : spawnSync('mkfifo', ['--help']).error === undefined ? 'mkfifo' : undefined;

  it.runIf(mkfifo !== undefined)('refuses a FIFO at once instead of waiting for a writer', async () => {
    nextPath = join(tmp.dir, 'pipe.json');
    expect(spawnSync(mkfifo!, [nextPath]).status).toBe(0);
    expect(await open({})).toEqual({ status: 'error', message: 'pipe.json is not a regular file' });
  });

  it.runIf(existsSync('/dev/zero'))('refuses a device that reports size 0, also through a symlink', async () => {
    nextPath = join(tmp.dir, 'zero.json');
    symlinkSync('/dev/zero', nextPath);
    expect(await open({})).toEqual({ status: 'error', message: 'zero.json is not a regular file' });
  });

  it.runIf(existsSync('/proc/self/status'))('reads a file that reports size 0 but has content (/proc)', async () => {
    nextPath = '/proc/self/status';
    const r = await open({});
    expect(r.status).toBe('opened');
    expect((r as { text: string }).text).toMatch(/^Name:/m);
    expect((r as { text: string }).text).toMatch(/^Pid:\s+\d+$/m);
    // the limit holds on what is read, not on the size reported
    expect(await nodeFileSystem.readText('/proc/self/status', 10)).toEqual({
      ok: false,
      reason: 'status is larger than 10 bytes; files up to 10 bytes can be opened',
    });
  });

  it('reads a regular file of exactly the limit and refuses one byte more', async () => {
    const path = join(tmp.dir, 'limit.txt');
    writeFileSync(path, 'é'.repeat(5)); // 10 bytes
    expect(await nodeFileSystem.readText(path, 10)).toEqual({ ok: true, text: 'ééééé' });
    expect(await nodeFileSystem.readText(path, 9)).toEqual({
      ok: false,
      reason: 'limit.txt is 10 bytes; files up to 9 bytes can be opened',
    });
  });

  it('the disposer removes both handlers', () => {
    dispose();
    expect(handlers.size).toBe(0);
  });
});
