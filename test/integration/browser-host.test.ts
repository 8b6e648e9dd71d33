/**
 * The browser host as a real process on a real database: the API over HTTP with its session
 * token, events over WebSocket, malformed requests refused without changing anything, and a
 * kill -9 of the host mid-run followed by a restart that finds its runs interrupted with all
 * their stored data intact.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ROOT } from '../helpers/cli';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { isAlive, longSchedule, tempDir, waitFor } from '../helpers/lab';

const tmp = tempDir();
const db = join(tmp.dir, 'lab.sqlite');
let host: HostProcess;

afterAll(async () => {
  await host?.stop();
  tmp.cleanup();
});

type Run = { id: number; status: string; steps: number };

async function ok<T>(method: string, params: unknown): Promise<T> {
  const r = await host.call(method, params);
  if (!r.body.ok) throw new Error(`${method}: ${r.body.error?.message}`);
  return r.body.result as T;
}

/** Run processes (run-worker) whose parent is `ppid`, from /proc (no ps needed). */
function workerPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== ppid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('run-worker')) out.push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

describe('browser host', () => {
  it('starts and answers API calls with the token', async () => {
    host = await startHostProcess(db, ['--concurrency', '2']);
    expect(host.url).toContain(`#token=${host.token}`);
    const problems = await ok<{ id: string }[]>('problems.list', {});
    expect(problems.map((p) => p.id)).toContain('duplicates');
  }, 60_000);

  it('refuses malformed requests with clear errors and changes nothing', async () => {
    const before = await ok<{ total: number }>('runs.list', {});
    const noToken = await host.call('runs.list', {}, '');
    expect(noToken.status).toBe(401);
    expect(noToken.body.error?.code).toBe('unauthorized');
    const wrongToken = await host.call('runs.list', {}, 'x'.repeat(48));
    expect(wrongToken.status).toBe(401);

    const wrongTypes = await host.call('runs.get', { id: 'seven' });
    expect(wrongTypes.status).toBe(400);
    expect(wrongTypes.body.error?.message).toMatch(/^runs\.get: id: /);
    const badStart = await host.call('runs.start', { schedule: { optimizer: { lr: -1 } } });
    expect(badStart.status).toBe(400);
    expect(badStart.body.error?.message).toMatch(/optimizer\.lr/);
    const unknownRun = await host.call('runs.get', { id: 987654 });
    expect(unknownRun.status).toBe(404);
    expect(unknownRun.body.error?.message).toMatch(/987654/);
    const unknownMethod = await host.call('runs.explode', {});
    expect(unknownMethod.status).toBe(400);
    expect(unknownMethod.body.error?.message).toMatch(/unknown method/);

    const notJson = await fetch(`${host.base}/api/runs.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: '{"oops',
    });
    expect(notJson.status).toBe(400);
    const wrongType = await fetch(`${host.base}/api/runs.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(wrongType.status).toBe(400);
    const huge = await fetch(`${host.base}/api/runs.import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ runs: [{ junk: 'x'.repeat(65 * 1024 * 1024) }] }),
    });
    expect(huge.status).toBe(413);
    const otherOrigin = await fetch(`${host.base}/api/runs.list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(otherOrigin.status).toBe(401);

    // paths: malformed escapes and traversal attempts never reach the file system
    expect((await fetch(`${host.base}/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${host.base}/..%2F..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`${host.base}/api/runs.list`)).status).toBe(400); // GET is not an API call

    const after = await ok<{ total: number }>('runs.list', {});
    expect(after.total).toBe(before.total);
  }, 60_000);

  it('serves the built renderer with a strict CSP (when it has been built)', async () => {
    const res = await fetch(`${host.base}/`);
    if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/npm run build/);
      return;
    }
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await res.text()).toMatch(/<div id="app">/);
  });

  it('pushes events over a WebSocket that needs the token', async () => {
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/events?token=wrong`);
      ws.on('error', (e) => resolve(e.message));
      ws.on('open', () => resolve('opened'));
    });
    expect(refused).toMatch(/401/);

    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/events?token=${host.token}`);
    await new Promise((r) => ws.once('open', r));
    const seen: { name: string; data: { id?: number; status?: string } }[] = [];
    ws.on('message', (m) => seen.push(JSON.parse(String(m)) as (typeof seen)[number]));
    const run = await ok<Run>('runs.start', { name: 'events', schedule: longSchedule(21, 300) });
    await waitFor(
      'a completed event',
      () => seen.some((e) => e.name === 'run.changed' && e.data.id === run.id && e.data.status === 'completed'),
      60_000,
    );
    expect(seen.some((e) => e.name === 'run.progress')).toBe(true);
    expect(seen.some((e) => e.name === 'run.event')).toBe(true);
    ws.close();
  }, 90_000);

  it('survives kill -9 of the host mid-run: the restarted host marks the runs interrupted and their data is intact', async () => {
    const a = await ok<Run>('runs.start', { name: 'long a', schedule: longSchedule(31) });
    const b = await ok<Run>('runs.start', { name: 'long b', schedule: longSchedule(32) });
    for (const r of [a, b]) {
      for (let i = 0; ; i++) {
        const got = await ok<Run>('runs.get', { id: r.id });
        if (got.status === 'running' && got.steps > 50) break;
        if (i > 600) throw new Error(`run ${r.id} did not progress`);
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    const workers = workerPids(host.child.pid!);
    expect(workers.length).toBe(2);
    host.child.kill('SIGKILL');
    await new Promise((r) => host.child.once('exit', r));
    // the run processes notice their supervisor is gone and end
    await waitFor('the run processes to end', () => workers.every((p) => !isAlive(p)), 20_000);

    host = await startHostProcess(db, ['--concurrency', '2']);
    for (const r of [a, b]) {
      const got = await ok<Run & { statusReason: string }>('runs.get', { id: r.id });
      expect(got.status).toBe('interrupted');
      expect(got.statusReason).toMatch(/closed or crashed/);
      const m = await ok<{ total: number; points: { step: number }[] }>('runs.metrics', { id: r.id });
      expect(m.total).toBeGreaterThan(50);
      m.points.forEach((p, i) => expect(p.step).toBe(i + 1));
      expect(got.steps).toBe(m.total);
      const snaps = await ok<{ id: number; softLinks: number }[]>('runs.snapshots', { id: r.id });
      for (const s of snaps) {
        const full = await ok<{ weights: { weights: number[] } }>('snapshots.get', { id: s.id });
        expect(full.weights.weights.length).toBe(s.softLinks);
      }
    }
    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  }, 120_000);
});
