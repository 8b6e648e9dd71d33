/**
 * A full disk, for real: the browser host on a small tmpfs that this test mounts (it needs
 * root and a kernel that lets it; otherwise the test is skipped and says why). A run records
 * 1486-weight snapshots at every step until the disk is full. Then:
 *
 * - the host stays up; the lab says `disk-full` (lab.status) and the run is `paused` with
 *   the reason, its steps held, not lost; nothing new may start; reading and export work;
 * - purging an old run from the trash frees space: the lab writes again and the run goes
 *   on; once stopped, its metrics run 1..n without a gap;
 * - restarted while the disk is full the lab opens (its reserve gives it room) in disk-full
 *   mode; restarted with not a byte free and no reserve it opens read-only — reading and
 *   export still work.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/store/run-store';
import type { Metric } from '../../src-shared/api/records';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { FIXTURES, ROOT } from '../helpers/cli';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { longSchedule, waitForAsync } from '../helpers/lab';

const MiB = 1024 * 1024;
const mountDir = mkdtempSync(join(tmpdir(), 'dmm-disk-full-'));

/** Mounts a 48 MiB tmpfs on mountDir; the reason it cannot, or '' when mounted. */
function mountSmallDisk(): string {
  if (process.platform !== 'linux') return 'mounting a tmpfs needs Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mountDir], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return `mount -t tmpfs failed here: ${((e as { stderr?: Buffer }).stderr ?? '').toString().trim() || (e as Error).message}`;
  }
}

const skipReason = mountSmallDisk();
const hosts: HostProcess[] = [];

afterAll(async () => {
  for (const h of hosts) await h.stop();
  if (!skipReason) execFileSync('umount', [mountDir]);
  rmSync(mountDir, { recursive: true, force: true });
});

const free = () => {
  const s = statfsSync(mountDir);
  return s.bavail * s.bsize;
};

/** Writes a file that leaves about `leave` bytes free (0: not one block). */
function fillDisk(name: string, leave: number): void {
  const fd = openSync(join(mountDir, name), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    while (free() - chunk.length > leave) writeSync(fd, chunk);
    if (leave === 0) for (const size of [4096, 512, 1]) for (;;) writeSync(fd, Buffer.alloc(size, 1));
  } catch {
    // the disk is full
  } finally {
    closeSync(fd);
  }
}

type Run = { id: number; status: string; statusReason: string; steps: number };
type LabStatus = { mode: string; reason: string };

async function ok<T>(host: HostProcess, method: string, params: unknown): Promise<T> {
  const r = await host.call(method, params);
  if (!r.body.ok) throw new Error(`${method}: ${r.body.error?.message}`);
  return r.body.result as T;
}

const ENV = { DMM_LAB_RESERVE_BYTES: String(2 * MiB), DMM_LAB_DISK_RETRY_MS: '300', DMM_LAB_DEBUG: '1' };

async function startHost(db: string): Promise<HostProcess> {
  const h = await startHostProcess(db, ['--concurrency', '1', '--snapshot-every', '1'], { env: ENV });
  hosts.push(h);
  return h;
}

describe('disk full', () => {
  it.skipIf(skipReason !== '')(
    `runs are held, not lost; purge frees space and they go on; a full disk still opens${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    async () => {
      const db = join(mountDir, 'lab.sqlite');
      // an old run whose purge will free space: 120 000 metrics
      const seed = RunStore.open(db);
      const old = seed.createRun({ name: 'old', schedule: defaultSchedule(1) });
      const m = (step: number): Metric => ({
        step,
        phase: 'dense',
        preregLoss: 1 / step,
        loss: 1,
        l1: 1,
        lambda1: 0,
        softLinks: 9,
        wallMs: step,
      });
      for (let at = 0; at < 120_000; at += 20_000)
        seed.appendMetrics(
          old.id,
          Array.from({ length: 20_000 }, (_, i) => m(at + i + 1)),
        );
      seed.setStatus(old.id, 'completed', 'seeded');
      seed.close();

      let host = await startHost(db);
      fillDisk('filler', 4 * MiB);
      const matrix = JSON.parse(readFileSync(join(ROOT, FIXTURES, 'initial-matrix.json'), 'utf8')) as unknown;
      const schedule = { ...longSchedule(5, 1_000_000), start: { kind: 'matrix', name: 'initial-matrix.json', matrix } };
      const run = await ok<Run>(host, 'runs.start', { name: 'filling', schedule });

      await waitForAsync(
        'the lab to say the disk is full',
        async () => (await ok<LabStatus>(host, 'lab.status', {})).mode === 'disk-full',
        180_000,
        200,
      );
      const status = await ok<LabStatus>(host, 'lab.status', {});
      expect(status.reason).toMatch(/the disk is full: runs are paused until there is space again/);
      expect(host.child.exitCode).toBeNull();
      await waitForAsync('the run to be held', async () => (await ok<Run>(host, 'runs.get', { id: run.id })).status === 'paused', 30_000);
      const held = await ok<Run>(host, 'runs.get', { id: run.id });
      expect(held.statusReason).toMatch(/held: the disk is full/);
      await new Promise((r) => setTimeout(r, 1500));
      expect((await ok<Run>(host, 'runs.get', { id: run.id })).steps).toBe(held.steps); // held, not running on
      // nothing new starts; reading and export work
      const refused = await host.call('runs.start', { name: 'more', schedule: longSchedule(6, 100) });
      expect(refused.status).toBe(409);
      expect(refused.body.error?.message).toMatch(/cannot start a run: the disk is full/);
      expect((await ok<{ total: number }>(host, 'runs.list', {})).total).toBe(2);
      const exported = await ok<{ run: { id: number } }[]>(host, 'runs.export', { ids: [run.id] });
      expect(exported[0]!.run.id).toBe(run.id);

      // purge frees space: the lab writes again and the run goes on
      await ok(host, 'runs.trash', { ids: [old.id] });
      expect(await ok<{ count: number }>(host, 'runs.purge', { ids: [old.id] })).toEqual({ count: 1 });
      await waitForAsync(
        'the lab to write again',
        async () => (await ok<LabStatus>(host, 'lab.status', {})).mode === 'read-write',
        60_000,
        200,
      );
      await waitForAsync(
        'the run to go on',
        async () => {
          const r = await ok<Run>(host, 'runs.get', { id: run.id });
          return r.status === 'running' && r.steps > held.steps;
        },
        60_000,
        200,
      );
      await ok(host, 'runs.control', { id: run.id, command: { kind: 'stop' } });
      await waitForAsync('the run to stop', async () => (await ok<Run>(host, 'runs.get', { id: run.id })).status === 'stopped', 60_000);
      const metrics = await ok<{ total: number; points: { step: number }[] }>(host, 'runs.metrics', { id: run.id, maxPoints: 1_000_000 });
      metrics.points.forEach((p, i) => expect(p.step).toBe(i + 1));
      expect(metrics.total).toBe((await ok<Run>(host, 'runs.get', { id: run.id })).steps);
      await host.stop();

      // restart with the disk full: the reserve gives the lab room to open
      fillDisk('filler-2', 0);
      host = await startHost(db);
      expect((await ok<LabStatus>(host, 'lab.status', {})).mode).toBe('disk-full');
      expect((await ok<{ total: number }>(host, 'runs.list', {})).total).toBe(1);
      await host.stop();

      // not a byte free and no reserve left: read-only, reading and export still work
      fillDisk('filler-3', 0);
      host = await startHost(db);
      const ro = await ok<LabStatus>(host, 'lab.status', {});
      expect(ro.mode).toBe('read-only');
      expect(ro.reason).toMatch(/the disk is full, so the lab opened read-only/);
      expect((await ok<{ total: number }>(host, 'runs.list', {})).total).toBe(1);
      expect((await ok<unknown[]>(host, 'runs.export', { ids: [run.id] })).length).toBe(1);
      expect((await host.call('runs.start', { schedule: longSchedule(7, 100) })).status).toBe(409);
      await host.stop();
    },
    600_000,
  );
});
