/**
 * Reliability figures of the browser host under load, on a real database and real run
 * processes (a benchmark, not a test: it prints figures, it asserts nothing).
 *
 *   npx tsx scripts/bench-reliability.ts [--trials 20] [--reads 1500] [--concurrent 32] [--big-steps 601000] [--json]
 *
 * 1. Crashes: `--trials` times, 8 runs that finish at about the same time while 3 readers
 *    pull full metric series; counts host crashes and runs that did not end `completed`.
 * 2. Reads under load: a finished run of `--big-steps` steps, 8 long runs recording, and
 *    `--reads` mixed reads from `--concurrent` clients at once — run lists, 2,000-point
 *    curves of a live run and of the big run, full series of the big run (2 %), one export
 *    of it — with p50/p99
 *    latency per kind, requests per second, the recording lag (how far the stored steps of
 *    the live runs trail the steps their processes had reached) and the host's peak RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RunStore } from '../src-main/store/run-store';
import type { Metric } from '../src-shared/api/records';
import { defaultSchedule } from '../src-shared/synthesis/schedule';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, d: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const TRIALS = opt('trials', 20);
const READS = opt('reads', 1500);
const CONCURRENT = opt('concurrent', 32);
const BIG_STEPS = opt('big-steps', 601_000);
const JSON_OUT = args.includes('--json');
const log = (s: string) => process.stderr.write(`${s}\n`);

const generated = (seed: number, steps: number) => ({
  seed,
  start: { kind: 'generate', architecture: { layers: 2, copies: 1, types: ['accum', 'norm', 'compare', 'dot'], skip: true, scale: 0.1 } },
  training: { strings: [{ text: 'abca.', cycles: 40 }] },
  testSuite: [{ text: 'ab.', cycles: 30 }],
  dense: { steps, until: 0 },
  stop: { stepBudget: steps + 1000, targetLinks: 8 },
  restarts: { max: 0 },
  regrow: { max: 0 },
  polish: { steps: 5 },
});
const tiny = (seed: number) => ({ ...generated(seed, 20), stop: { stepBudget: 60, targetLinks: 8 } });

interface Host {
  child: ChildProcess;
  port: number;
  token: string;
  exits: number;
  call(method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { message: string } }>;
  stop(): Promise<void>;
}

/** Every host started, stopped at the end whatever happens. */
const hosts: Host[] = [];

async function startHost(db: string): Promise<Host> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/host/main.ts', '--db', db, '--json', '--no-build', '--concurrency', '8'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
  });
  const info = JSON.parse(line) as { port: number; token: string };
  const host: Host = {
    child,
    ...info,
    exits: 0,
    call: async (method, params) => {
      const res = await fetch(`http://127.0.0.1:${info.port}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${info.token}` },
        body: JSON.stringify(params),
      });
      return (await res.json()) as { ok: boolean; result?: unknown; error?: { message: string } };
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    },
  };
  hosts.push(host);
  child.on('exit', (code, signal) => {
    if (!(code === 0 || signal === 'SIGTERM')) {
      host.exits++;
      log(`host exited (code ${code}, signal ${signal}):\n${stderr.slice(-3000)}`);
    }
  });
  return host;
}

async function ok<T>(h: Host, method: string, params: unknown): Promise<T> {
  const r = await h.call(method, params);
  if (!r.ok) throw new Error(`${method}: ${r.error?.message}`);
  return r.result as T;
}

function seedBigRun(db: string, steps: number): number {
  const store = RunStore.open(db);
  const run = store.createRun({ name: `big (${steps} steps)`, schedule: defaultSchedule(1), status: 'running' });
  const batch: Metric[] = [];
  for (let step = 1; step <= steps; step++) {
    batch.push({ step, phase: 'dense', preregLoss: 1 / step, loss: 1 / step, l1: 1, lambda1: 0.001, softLinks: 100, wallMs: step });
    if (batch.length === 20_000 || step === steps) store.appendMetrics(run.id, batch.splice(0));
  }
  store.setStatus(run.id, 'completed', 'seeded');
  store.close();
  return run.id;
}

const rssMb = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number) : NaN;
};

type Run = { id: number; status: string; steps: number; startedAt: number | null };

async function crashTrials(dir: string): Promise<{ trials: number; runs: number; notCompleted: number; hostCrashes: number }> {
  const db = join(dir, 'crash.sqlite');
  const big = seedBigRun(db, 50_000);
  const host = await startHost(db);
  let notCompleted = 0;
  let runs = 0;
  for (let t = 0; t < TRIALS; t++) {
    let going = true;
    const readers = Array.from({ length: 3 }, async () => {
      while (going) await host.call('runs.metrics', { id: big, maxPoints: 1_000_000 }).catch(() => undefined);
    });
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) ids.push((await ok<Run>(host, 'runs.start', { name: `t${t}.${i}`, schedule: tiny(100 * t + i) })).id);
    for (const id of ids) {
      for (;;) {
        const r = await ok<Run>(host, 'runs.get', { id }).catch(() => undefined);
        if (!r || !['queued', 'running', 'paused'].includes(r.status)) {
          if (r?.status !== 'completed') notCompleted++;
          break;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      runs++;
    }
    going = false;
    await Promise.all(readers);
    log(`  trial ${t + 1}/${TRIALS}: host ${host.exits === 0 ? 'up' : 'CRASHED'}`);
    if (host.exits > 0) break;
  }
  const hostCrashes = host.exits;
  await host.stop();
  return { trials: TRIALS, runs, notCompleted, hostCrashes };
}

async function readsUnderLoad(dir: string) {
  const db = join(dir, 'reads.sqlite');
  log(`seeding a run of ${BIG_STEPS} steps…`);
  const big = seedBigRun(db, BIG_STEPS);
  const host = await startHost(db);
  const pid = host.child.pid as number;
  const live: number[] = [];
  for (let i = 0; i < 8; i++)
    live.push((await ok<Run>(host, 'runs.start', { name: `live ${i}`, schedule: generated(10 + i, 1_000_000) })).id);
  // wait until all 8 record
  for (;;) {
    const runs = await Promise.all(live.map((id) => ok<Run>(host, 'runs.get', { id })));
    if (runs.every((r) => r.status === 'running' && r.steps > 20)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  let peakRss = rssMb(pid);
  let maxLagMs = 0;
  const lags: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peakRss = Math.max(peakRss, rssMb(pid));
      // recording lag: the newest stored metric of each live run against the wall time its process had then reached
      for (const id of live) {
        const [run, m] = await Promise.all([
          ok<Run>(host, 'runs.get', { id }),
          ok<{ points: { wallMs: number | null }[] }>(host, 'runs.metrics', { id, afterStep: 0, maxPoints: 2 }),
        ]).catch(() => [undefined, undefined] as const);
        const last = m?.points.at(-1)?.wallMs;
        if (run?.startedAt && typeof last === 'number') {
          const lag = Math.max(0, Date.now() - run.startedAt - last);
          lags.push(lag);
          maxLagMs = Math.max(maxLagMs, lag);
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  // mostly what screens ask for (run lists, 2,000-point curves), some full series (2 %) and one export
  const kinds: [string, string, unknown][] = [
    ['runs.list', 'runs.list', {}],
    ['curve 2000 (live run)', 'runs.metrics', { id: live[0], maxPoints: 2000 }],
    ['runs.list', 'runs.list', { sort: { field: 'steps', dir: 'desc' } }],
    ['curve 2000 (big run)', 'runs.metrics', { id: big, maxPoints: 2000 }],
    ['curve 2000 (big run)', 'runs.metrics', { id: big, maxPoints: 2000, smoothing: 0.9 }],
  ];
  const pick = (i: number): readonly [string, string, unknown] =>
    i === Math.floor(READS / 2)
      ? ['export (big run)', 'runs.export', { ids: [big] }]
      : i % 50 === 49
        ? ['full series (big run)', 'runs.metrics', { id: big, maxPoints: 1_000_000 }]
        : kinds[i % kinds.length]!;
  const latency = new Map<string, number[]>();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT }, async () => {
      for (;;) {
        const i = next++;
        if (i >= READS) return;
        const [kind, method, params] = pick(i);
        const s = performance.now();
        const failed = await host.call(method, params).then(
          (r) => !r.ok,
          () => true,
        );
        const ms = performance.now() - s;
        const k = failed ? `${kind} FAILED` : kind;
        latency.set(k, [...(latency.get(k) ?? []), ms]);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  sampling = false;
  await sampler;
  for (const id of live) await host.call('runs.control', { id, command: { kind: 'stop' } });
  const crashed = host.exits;
  await host.stop();
  const perKind = Object.fromEntries(
    [...latency].map(([k, xs]) => [k, { n: xs.length, p50Ms: Math.round(quantile(xs, 0.5)), p99Ms: Math.round(quantile(xs, 0.99)) }]),
  );
  return {
    reads: READS,
    concurrent: CONCURRENT,
    liveRuns: live.length,
    bigSteps: BIG_STEPS,
    requestsPerSecond: Math.round(READS / seconds),
    latency: perKind,
    recordingLagMs: { p50: Math.round(quantile(lags, 0.5)), max: Math.round(maxLagMs) },
    hostPeakRssMb: Math.round(peakRss),
    hostCrashes: crashed,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'dmm-bench-reliability-'));
try {
  log(`crash trials: ${TRIALS} × 8 runs finishing at once under read load`);
  const crashes = await crashTrials(dir);
  log(`reads under load: ${READS} mixed reads, ${CONCURRENT} at once, 8 runs recording`);
  const reads = await readsUnderLoad(dir);
  const out = { crashes, reads, node: process.version };
  if (JSON_OUT) process.stdout.write(JSON.stringify(out) + '\n');
  else {
    console.log(
      `crash trials   ${crashes.trials} × 8 runs: host crashes ${crashes.hostCrashes}, runs not completed ${crashes.notCompleted} of ${crashes.runs}`,
    );
    console.log(
      `reads          ${reads.reads} at ${reads.concurrent} concurrent, ${reads.requestsPerSecond} requests/s, during ${reads.liveRuns} runs`,
    );
    for (const [k, v] of Object.entries(reads.latency))
      console.log(`  ${k.padEnd(12)} n=${String(v.n).padStart(4)}  p50 ${v.p50Ms} ms  p99 ${v.p99Ms} ms`);
    console.log(`recording lag  p50 ${reads.recordingLagMs.p50} ms, max ${reads.recordingLagMs.max} ms`);
    console.log(`host peak RSS  ${reads.hostPeakRssMb} MB (a ${reads.bigSteps}-step run read and exported)`);
  }
} finally {
  for (const h of hosts) await h.stop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
