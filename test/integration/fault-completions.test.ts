/**
 * Fault injection, real processes and a real file: the browser host with 8 run processes
 * that all finish at about the same time, while readers hammer it with full-series metric
 * reads of a 50 000-step run and run lists — 20 trials, in some of which the host is frozen
 * (SIGSTOP) for a second while its runs finish, so that they end while it is far behind.
 * The host must never crash (a failed write to a process that has gone used to end it), and
 * every run must end `completed` with its final figures, its final snapshot and every step.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/store/run-store';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import type { Metric } from '../../src-shared/api/records';
import { startHostProcess, type HostProcess } from '../helpers/host';
import { tempDir, tinySchedule, waitForAsync } from '../helpers/lab';

const TRIALS = 20;
const RUNS = 8;
const BIG_STEPS = 50_000;

const tmp = tempDir('dmm-fault-completions-');
const db = join(tmp.dir, 'lab.sqlite');
let host: HostProcess;
let bigRun = 0;
let hostExits = 0;

type Run = { id: number; status: string; statusReason: string; steps: number; softLinks: number | null };
type RunDetail = Run & { testLoss: number | null; testWorst: number | null; finalLoss: number | null };

async function ok<T>(method: string, params: unknown): Promise<T> {
  const r = await host.call(method, params);
  if (!r.body.ok) throw new Error(`${method}: ${r.body.error?.message}`);
  return r.body.result as T;
}

beforeAll(async () => {
  // a long finished run whose full series is an expensive read
  const store = RunStore.open(db);
  const run = store.createRun({ name: 'big', schedule: defaultSchedule(1), status: 'running' });
  const batch: Metric[] = [];
  for (let step = 1; step <= BIG_STEPS; step++) {
    batch.push({ step, phase: 'dense', preregLoss: 1 / step, loss: 1 / step, l1: 1, lambda1: 0.001, softLinks: 100, wallMs: step });
    if (batch.length === 20_000) store.appendMetrics(run.id, batch.splice(0));
  }
  store.setStatus(run.id, 'completed', 'seeded');
  bigRun = run.id;
  store.close();
  host = await startHostProcess(db, ['--concurrency', String(RUNS)]);
  host.child.on('exit', () => hostExits++);
}, 120_000);

afterAll(async () => {
  if (hostExits > 0) console.error(`host stderr:\n${host.stderr()}`);
  await host?.stop();
  tmp.cleanup();
});

/** Readers that keep the host busy until `stop()`: full series of the big run, run lists. */
function readLoad(readers: number): { stop: () => Promise<number> } {
  let going = true;
  let reads = 0;
  const loops = Array.from({ length: readers }, async (_, i) => {
    while (going) {
      try {
        if (i % 2 === 0) await host.call('runs.metrics', { id: bigRun, maxPoints: 1_000_000 });
        else await host.call('runs.list', {});
        reads++;
      } catch {
        // a read refused while the host is frozen or gone is counted by the crash check, not here
      }
    }
  });
  return {
    stop: async () => {
      going = false;
      await Promise.all(loops);
      return reads;
    },
  };
}

describe(`${RUNS} runs completing at once under read load, ${TRIALS} trials`, () => {
  it('the host never crashes and every run ends completed with its final figures and every step', async () => {
    const ended: RunDetail[] = [];
    let reads = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const load = readLoad(3);
      const runs: Run[] = [];
      for (let i = 0; i < RUNS; i++) {
        runs.push(await ok<Run>('runs.start', { name: `t${trial} r${i}`, schedule: tinySchedule(1000 * trial + i) }));
      }
      if (trial % 2 === 1) {
        // freeze the host while its runs finish: they end with the host far behind
        // half of them started (running, or already ended: a tiny run can be over in a fraction of a second)
        await waitForAsync('the runs to start', async () => {
          const states = await Promise.all(runs.map((r) => ok<Run>('runs.get', { id: r.id })));
          return states.filter((r) => r.status !== 'queued').length >= RUNS / 2;
        });
        process.kill(host.child.pid as number, 'SIGSTOP');
        await new Promise((r) => setTimeout(r, 1500));
        process.kill(host.child.pid as number, 'SIGCONT');
      }
      for (const r of runs) {
        await waitForAsync(
          `run ${r.id} to end`,
          async () => {
            const got = await ok<Run>('runs.get', { id: r.id });
            return ['completed', 'failed', 'interrupted', 'stopped', 'diverged'].includes(got.status);
          },
          120_000,
          200,
        );
      }
      reads += await load.stop();
      expect(host.child.exitCode, `trial ${trial}: the host exited`).toBeNull();
      for (const r of runs) {
        const got = await ok<RunDetail>('runs.get', { id: r.id });
        ended.push(got);
        expect(got.status, `trial ${trial}, run ${r.id}: ${got.statusReason}`).toBe('completed');
        expect(got.softLinks).not.toBeNull();
        expect(got.testLoss).not.toBeNull();
        expect(got.testWorst).not.toBeNull();
        const m = await ok<{ total: number; points: { step: number }[] }>('runs.metrics', { id: r.id, maxPoints: 1_000_000 });
        m.points.forEach((p, i) => expect(p.step).toBe(i + 1));
        expect(m.total).toBe(got.steps);
        const snaps = await ok<{ reason: string }[]>('runs.snapshots', { id: r.id });
        expect(snaps.map((s) => s.reason)).toContain('final');
      }
    }
    expect(hostExits).toBe(0);
    expect(ended).toHaveLength(TRIALS * RUNS);
    expect(reads).toBeGreaterThan(0);
    console.log(`fault-completions: ${TRIALS} trials × ${RUNS} runs, ${ended.length} completed, ${reads} reads, host crashes ${hostExits}`);
  }, 1_200_000);
});
