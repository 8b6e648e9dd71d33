/**
 * Sweeps through faults, on real components only (a real redis-server on its own port,
 * real `cli worker` processes running BullMQ, the real supervisor on a real SQLite lab, the
 * real browser host process):
 *
 * - wrong credentials (a server started with --requirepass): the sweep and worker commands
 *   refuse with a readable error naming the URL without the password; no database is made;
 * - Redis stopped by its pid mid-sweep and started again on the same port (no persistence:
 *   its jobs and streams are gone): every run still completes — its worker's messages reach
 *   the new server, or the run is resumed from its last stored snapshot — with its metrics
 *   stored once each and no step missing;
 * - the desktop (the browser host) killed with SIGKILL mid-sweep and started again on the same
 *   database: the sweep goes on from what SQLite holds — the run that was training ends
 *   interrupted with what it had reported kept, the queued ones train — and every run ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectCluster } from '../../src-main/cluster/cluster-launcher';
import { openLab, type Lab } from '../../src-main/lab/lab';
import { ROOT, runCli } from '../helpers/cli';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { isAlive, longSchedule, tempDir, waitFor } from '../helpers/lab';
import { REDIS_SERVER, startRedis, type TestRedis } from '../helpers/redis';

interface WorkerProc {
  readonly child: ChildProcess;
  log: string;
}

function startWorker(url: string): WorkerProc {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/cli/main.ts', 'worker', '--redis', url, '--concurrency', '1', '--lock-ms', '3000'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const w: WorkerProc = { child, log: '' };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => (w.log += d));
  return w;
}

async function stopWorker(w: WorkerProc): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  const done = new Promise((r) => w.child.once('exit', r));
  w.child.kill('SIGTERM');
  const t = setTimeout(() => w.child.kill('SIGKILL'), 15_000);
  await done;
  clearTimeout(t);
}

/** Polls `f` until it gives a value (an async waitFor, for what the host's HTTP API answers). */
async function poll<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const tmp = tempDir();
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  tmp.cleanup();
}, 60_000);

// skipped only where Debian's redis-server is not installed (.ci/run installs it): these tests need a real Redis
describe.skipIf(REDIS_SERVER === undefined)('cluster faults (real Redis, real workers)', () => {
  it('wrong credentials: a readable refusal naming the URL without the password, nothing created', async () => {
    const redis = await startRedis({ password: 'right-pass-71' });
    cleanups.push(() => redis.stop());
    const wrong = `redis://:hunter-42@127.0.0.1:${redis.port}`;
    const db = join(tmp.dir, 'never.sqlite');
    const sweep = runCli(['sweep', '--db', db, '--over', 'seed=1-2', '--cluster', wrong, '--json']);
    expect(sweep.status).toBe(1);
    expect(sweep.stderr).toMatch(
      new RegExp(
        `^error: cannot reach the cluster's Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}: .*(WRONGPASS|invalid)`,
        'm',
      ),
    );
    expect(sweep.stderr).not.toContain('hunter-42');
    expect(sweep.stderr).not.toMatch(/\n\s+at /);
    expect(sweep.stdout).toBe('');
    expect(existsSync(db)).toBe(false);

    const worker = runCli(['worker', '--redis', wrong]);
    expect(worker.status).not.toBe(0);
    expect(worker.stderr).toMatch(/cannot reach the cluster's Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*(WRONGPASS|invalid)/);
    expect(worker.stderr).not.toContain('hunter-42');
    expect(worker.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('Redis restarted mid-sweep: every run completes, no step lost or stored twice', async () => {
    let redis: TestRedis = await startRedis();
    const port = redis.port;
    cleanups.push(() => redis.stop());
    const workers = [startWorker(redis.url), startWorker(redis.url)];
    cleanups.push(async () => {
      for (const w of workers) await stopWorker(w);
    });
    await waitFor('both workers to be up', () => workers.every((w) => w.log.includes('up to 1 runs at once')), 120_000);
    const launcher = await connectCluster(redis.url);
    const lab: Lab = openLab({ db: join(tmp.dir, 'restart.sqlite'), concurrency: 2, snapshotEvery: 50, launcher });
    cleanups.push(async () => {
      await lab.close();
      await launcher.close();
    });

    const sweep = lab.service.handlers['sweeps.create']({
      problem: 'duplicates',
      combine: 'grid',
      schedule: longSchedule(1, 2500),
      axes: [{ kind: 'range', path: 'seed', from: 1, to: 2, step: 1 }],
      concurrency: 2,
    }) as { id: number };
    const ids = lab.store.sweeps.runIds(sweep.id);
    await waitFor(
      'a snapshot of a run past step 100',
      () => ids.some((id) => lab.store.listSnapshots(id).some((s) => s.step >= 100)),
      180_000,
      200,
    );

    await redis.stop(); // by its pid: jobs, streams and locks are gone with it (no persistence)
    redis = await startRedis({ port });

    await waitFor(
      `the sweep to finish (${ids.map((id) => lab.store.getRunSummary(id).status).join(', ')})`,
      () => lab.store.sweeps.summary(sweep.id).finished === 2,
      400_000,
      250,
    );
    for (const id of ids) {
      const run = lab.store.getRunSummary(id);
      expect(run.status, run.statusReason).toBe('completed');
      const { points, total } = lab.store.metrics(id);
      const story = () =>
        `run ${id}: ${total} metrics, steps ${points[0]?.step}..${points.at(-1)?.step}; events ${JSON.stringify(
          lab.store.listEvents(id).map((e) => [e.step, e.kind, e.data]),
        ).slice(0, 3000)}; snapshots ${lab.store
          .listSnapshots(id)
          .map((x) => x.step)
          .join(',')}`;
      points.forEach((p, i) => expect(p.step, story()).toBe(i + 1));
      expect(run.steps).toBe(total);
    }
    expect(lab.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  }, 600_000);
});

describe('desktop killed mid-sweep', () => {
  it('the host killed with SIGKILL and started again on the same database goes on with the sweep', async () => {
    const db = join(tmp.dir, 'host.sqlite');
    let host: HostProcess = await startHostProcess(db, ['--concurrency', '1']);
    cleanups.push(() => host.stop());
    const call = async <T>(method: string, params: unknown): Promise<T> => {
      const r = await host.call(method, params);
      if (!r.body.ok) throw new Error(`${method}: ${r.body.error?.message}`);
      return r.body.result as T;
    };
    type Detail = { finished: number; runs: number; points: { run: { id: number; status: string; steps: number } }[] };
    const sweep = await call<{ id: number }>('sweeps.create', {
      problem: 'duplicates',
      schedule: longSchedule(1, 1500),
      axes: [{ kind: 'range', path: 'seed', from: 1, to: 3 }],
      concurrency: 1,
    });
    const first = await poll(
      'the first run to be training',
      async () => {
        const d = await call<Detail>('sweeps.get', { id: sweep.id });
        const p = d.points.find((x) => x.run.status === 'running' && x.run.steps >= 20);
        return p?.run.id;
      },
      180_000,
      100,
    );
    const pid = host.child.pid as number;
    host.child.kill('SIGKILL');
    await waitFor('the host to be gone', () => !isAlive(pid));

    host = await startHostProcess(db, ['--concurrency', '1']);
    const done = await poll(
      'the sweep to finish after the restart',
      async () => {
        const d = await call<Detail>('sweeps.get', { id: sweep.id });
        return d.finished === 3 ? d : undefined;
      },
      400_000,
      250,
    );
    expect(done.runs).toBe(3);
    for (const p of done.points) {
      // the run that was training when the host died ends interrupted (what it reported is kept); the others train
      if (p.run.id === first) expect(p.run.status).toBe('interrupted');
      else expect(p.run.status).toBe('completed');
      const m = await call<{ total: number; points: { step: number }[] }>('runs.metrics', { id: p.run.id, maxPoints: 1_000_000 });
      m.points.forEach((x, i) => expect(x.step).toBe(i + 1));
      expect(p.run.steps).toBe(m.total);
    }
    expect((await call<{ steps: number }>('runs.get', { id: first })).steps).toBeGreaterThanOrEqual(20);
  }, 600_000);
});
