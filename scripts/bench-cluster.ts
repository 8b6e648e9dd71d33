/**
 * Runs per minute of a seed sweep on the cluster backend: a redis-server of its own (free
 * port, no persistence), W `cli worker` processes (one run at a time each), a lab on a fresh
 * SQLite file whose runs go through BullMQ, and a sweep of SEEDS seeds of a small schedule
 * (the tests' tiny one: a 2-layer machine, 60 steps). Prints one JSON line per round:
 * {"backend", "workers", "runs", "seconds", "runsPerMinute"}; then the median per worker count.
 * With `--backend local` the same sweep runs on this machine's supervisor instead (W runs at
 * once, no Redis): the baseline the cluster's overhead is measured against.
 *
 *   npx tsx scripts/bench-cluster.ts [--seeds 20] [--workers 1,2] [--rounds 3] [--backend cluster|local]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { connectCluster } from '../src-main/cluster/cluster-launcher';
import { openLab } from '../src-main/lab/lab';
import { ROOT } from '../test/helpers/cli';
import { tempDir, tinySchedule, waitFor } from '../test/helpers/lab';
import { startRedis } from '../test/helpers/redis';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const seeds = Number(arg('--seeds', '20'));
const workerCounts = arg('--workers', '1,2').split(',').map(Number);
const rounds = Number(arg('--rounds', '3'));
const backend = arg('--backend', 'cluster');
if (backend !== 'cluster' && backend !== 'local') throw new Error(`--backend must be cluster or local, got ${backend}`);

async function localRound(workers: number): Promise<number> {
  const tmp = tempDir('dmm-bench-cluster-');
  const lab = openLab({ db: join(tmp.dir, 'lab.sqlite'), concurrency: workers });
  const seconds = await timeSweep(lab, workers);
  await lab.close();
  tmp.cleanup();
  return seconds;
}

/** Seconds from creating the seed sweep to its last run's end; every run must complete. */
async function timeSweep(lab: ReturnType<typeof openLab>, workers: number): Promise<number> {
  const t0 = performance.now();
  const sweep = lab.service.handlers['sweeps.create']({
    problem: 'duplicates',
    combine: 'grid',
    schedule: tinySchedule(1),
    axes: [{ kind: 'range', path: 'seed', from: 1, to: seeds, step: 1 }],
    concurrency: workers,
  }) as { id: number };
  await waitFor('the sweep', () => lab.store.sweeps.summary(sweep.id).finished === seeds, 1_800_000, 100);
  const seconds = (performance.now() - t0) / 1000;
  const s = lab.store.sweeps.summary(sweep.id);
  if ((s.byStatus.completed ?? 0) !== seeds) throw new Error(`not every run completed: ${JSON.stringify(s.byStatus)}`);
  return seconds;
}

async function round(workers: number): Promise<number> {
  if (backend === 'local') return localRound(workers);
  const tmp = tempDir('dmm-bench-cluster-');
  const redis = await startRedis();
  const procs: { child: ChildProcess; log: string }[] = [];
  for (let i = 0; i < workers; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'worker', '--redis', redis.url], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const p = { child, log: '' };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (p.log += d));
    procs.push(p);
  }
  await waitFor('the workers', () => procs.every((p) => p.log.includes('runs at once')), 120_000);
  const launcher = await connectCluster(redis.url);
  const lab = openLab({ db: join(tmp.dir, 'lab.sqlite'), concurrency: workers, launcher });
  const seconds = await timeSweep(lab, workers);
  await lab.close();
  await launcher.close();
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => (p.child.exitCode !== null ? r(0) : p.child.once('exit', r)))));
  await redis.stop();
  tmp.cleanup();
  return seconds;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

for (const w of workerCounts) {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const seconds = await round(w);
    times.push(seconds);
    console.log(
      JSON.stringify({
        workers: w,
        runs: seeds,
        seconds: Math.round(seconds * 10) / 10,
        runsPerMinute: Math.round((seeds / seconds) * 600) / 10,
      }),
    );
  }
  const m = median(times);
  console.log(
    JSON.stringify({
      backend,
      workers: w,
      runs: seeds,
      medianSeconds: Math.round(m * 10) / 10,
      runsPerMinute: Math.round((seeds / m) * 600) / 10,
      rounds,
    }),
  );
}
