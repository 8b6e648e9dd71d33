/**
 * Fault injection on the worker ↔ host protocol, real processes and a real file:
 *
 * - the host is frozen (SIGSTOP) while its runs finish, longer than the runs wait for their
 *   last acknowledgements: each run process writes what is unacknowledged to a recovery file
 *   and leaves; the host is then killed (-9) without ever reading them. The next host imports
 *   the files: every run is `completed` with its final figures, snapshot and every step.
 * - Ctrl+C in a terminal (SIGINT to the host's whole process group): only the host decides —
 *   runs end `interrupted` (as the README says), not `stopped` by a signal of their own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { longSchedule, tempDir, waitFor, waitForAsync } from '../helpers/lab';

type Run = { id: number; status: string; statusReason: string; steps: number; softLinks: number | null };
type Detail = Run & { testLoss: number | null; testWorst: number | null };

const hosts: HostProcess[] = [];
const dirs: { cleanup: () => void }[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) {
    if (h.child.signalCode === 'SIGSTOP' || h.child.exitCode === null) {
      try {
        process.kill(h.child.pid as number, 'SIGCONT');
      } catch {
        // gone
      }
    }
    await h.stop();
  }
  for (const d of dirs.splice(0)) d.cleanup();
});

async function start(db: string, extra: string[] = [], opts: Parameters<typeof startHostProcess>[2] = {}): Promise<HostProcess> {
  const h = await startHostProcess(db, extra, opts);
  hosts.push(h);
  return h;
}

async function ok<T>(host: HostProcess, method: string, params: unknown): Promise<T> {
  const r = await host.call(method, params);
  if (!r.body.ok) throw new Error(`${method}: ${r.body.error?.message}`);
  return r.body.result as T;
}

/** The process exists and has not ended (a zombie has ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Run processes (run-worker) whose parent is `ppid`, from /proc. */
function workerPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === ppid && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('run-worker')) out.push(Number(name));
    } catch {
      // ended while we looked
    }
  }
  return out;
}

describe('recovery files', () => {
  it('runs that finish while the host is frozen, then killed, are completed from their recovery files at the next start', async () => {
    const tmp = tempDir('dmm-fault-recovery-');
    dirs.push(tmp);
    const db = join(tmp.dir, 'lab.sqlite');
    const host = await start(db, ['--concurrency', '4'], {
      // a window wide enough for a whole run: the runs can finish while nothing is acknowledged
      env: { DMM_LAB_ACK_TIMEOUT_MS: '300', DMM_LAB_WINDOW: '10000' },
    });
    const runs: Run[] = [];
    for (let i = 0; i < 4; i++) runs.push(await ok<Run>(host, 'runs.start', { name: `r${i}`, schedule: longSchedule(50 + i, 60_000) }));
    for (const r of runs)
      await waitForAsync(`run ${r.id} to be under way`, async () => (await ok<Run>(host, 'runs.get', { id: r.id })).steps > 5, 60_000, 20);
    const workers = workerPids(host.child.pid as number);
    expect(workers.length).toBe(4);

    process.kill(host.child.pid as number, 'SIGSTOP');
    // the runs finish, wait 300 ms for acknowledgements that cannot come, write their recovery files and leave
    // (a frozen parent cannot reap them: an ended process stays a zombie until the host is gone)
    await waitFor('the run processes to leave', () => workers.every((p) => !running(p)), 240_000);
    const recoveryDir = `${db}.recovery`;
    const files = readdirSync(recoveryDir).filter((f) => f.endsWith('.recovery'));
    expect(files.length).toBe(4);
    host.child.kill('SIGKILL'); // it never reads what they sent
    await new Promise((r) => host.child.once('exit', r));

    const next = await start(db, ['--concurrency', '4']);
    for (const r of runs) {
      const got = await ok<Detail>(next, 'runs.get', { id: r.id });
      expect(got.status, got.statusReason).toBe('completed');
      expect(got.softLinks).not.toBeNull();
      expect(got.testLoss).not.toBeNull();
      expect(got.testWorst).not.toBeNull();
      const m = await ok<{ total: number; points: { step: number }[] }>(next, 'runs.metrics', { id: r.id, maxPoints: 1_000_000 });
      m.points.forEach((p, i) => expect(p.step).toBe(i + 1));
      expect(m.total).toBe(got.steps);
      const snaps = await ok<{ reason: string }[]>(next, 'runs.snapshots', { id: r.id });
      expect(snaps.map((s) => s.reason)).toContain('final');
    }
    expect(readdirSync(recoveryDir).filter((f) => f.endsWith('.recovery'))).toEqual([]);
    expect(next.stderr()).toMatch(/run \d+: stored \d+ of \d+ messages its process had kept/);
  }, 420_000);
});

describe('Ctrl+C in the terminal', () => {
  it('reaches the host only: its runs end interrupted, with what they reported kept', async () => {
    const tmp = tempDir('dmm-fault-sigint-');
    dirs.push(tmp);
    const db = join(tmp.dir, 'lab.sqlite');
    const host = await start(db, ['--concurrency', '2'], { detached: true });
    const runs = [
      await ok<Run>(host, 'runs.start', { name: 'a', schedule: longSchedule(61) }),
      await ok<Run>(host, 'runs.start', { name: 'b', schedule: longSchedule(62) }),
    ];
    for (const r of runs)
      await waitForAsync(`run ${r.id} to be under way`, async () => (await ok<Run>(host, 'runs.get', { id: r.id })).steps > 20, 60_000, 50);
    const workers = workerPids(host.child.pid as number);
    expect(workers.length).toBe(2);
    // what a terminal does on Ctrl+C: SIGINT to every process of the foreground group
    const exited = new Promise<number | null>((r) => host.child.once('exit', (code) => r(code)));
    process.kill(-(host.child.pid as number), 'SIGINT');
    expect(await exited).toBe(0);
    await waitFor('the run processes to end', () => workers.every((p) => !running(p)), 30_000);

    const next = await start(db);
    for (const r of runs) {
      const got = await ok<Run>(next, 'runs.get', { id: r.id });
      expect(got.status).toBe('interrupted');
      expect(got.statusReason).toMatch(/the lab was closed/);
      expect(got.steps).toBeGreaterThan(20);
    }
    expect(existsSync(`${db}.recovery`) ? readdirSync(`${db}.recovery`).filter((f) => f.endsWith('.recovery')) : []).toEqual([]);
  }, 180_000);
});
