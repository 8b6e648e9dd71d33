/**
 * A cluster worker (`cli worker --redis URL`): takes run jobs from the BullMQ queue, each in
 * its own run process (the same run worker and engine as on the desktop, forked here), and
 * relays: the run's numbered messages to the run's Redis stream, the desktop's
 * acknowledgements and commands from the other stream to the run process. The job ends when
 * the run process ends (it leaves once the desktop has acknowledged its `done`): completed
 * for exit code 0, failed with the reason otherwise.
 *
 * A worker killed mid-run stops renewing its jobs' locks; BullMQ's stall check (run by the
 * other workers) fails those jobs as stalled (maxStalledCount 0: never re-run with stale data),
 * and the desktop resumes each run from its last stored snapshot in a new job.
 */
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ForkLauncher, type RunProcess } from '../runs/launcher';
import { RunJobSchema } from '../runs/protocol';
import { ClusterJobDataSchema, FIELD, ToClusterWorkerSchema, type RanOnNote } from './cluster-protocol';
import { RUN_QUEUE } from './keys';
import { bullConnection, connectRedis, redactUrl } from './redis-connect';
import { decodeWire, encodeWire } from './wire';

export interface ClusterWorkerOptions {
  readonly url: string;
  /** Runs at once (one process each). */
  readonly concurrency: number;
  /** Gradient threads inside each run process (default: as the job says). */
  readonly threads?: number;
  /** How long a job's lock lasts without renewal (ms): a killed worker's runs are noticed after about this long. */
  readonly lockMs?: number;
  /** Says what happens (stderr). */
  readonly log?: (line: string) => void;
}

export interface RunningWorker {
  /** Runs taken so far. */
  readonly taken: () => number;
  close(): Promise<void>;
}

/** Runs one job: its run process, the relay both ways, until the process ends. */
async function runJob(job: Job, redis: Redis, launcher: ForkLauncher, opts: ClusterWorkerOptions): Promise<void> {
  const data = ClusterJobDataSchema.parse(job.data);
  // the same schema the desktop validated with before sending it
  const parsed = RunJobSchema.safeParse(decodeWire(data.job));
  if (!parsed.success)
    throw new Error(`malformed run job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const runJob = { ...parsed.data, ...(opts.threads !== undefined ? { threads: opts.threads } : {}) };
  delete runJob.recoveryFile;
  const reader = redis.duplicate();
  reader.on('error', () => {});
  // where the run runs, before any of its messages (the same connection keeps the order)
  const note: RanOnNote = { kind: 'ran-on', host: hostname() };
  await redis.xadd(data.out, '*', FIELD, encodeWire(note));
  const proc: RunProcess = launcher.launch();
  opts.log?.(`run ${runJob.runId} (job ${job.id}): started in process ${proc.pid}`);
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
    proc.onExit((code, signal, stderr) => {
      ended = true;
      resolve({ code, signal, stderr });
    }),
  );
  // the run's messages, in order, on one connection (pipelined in order)
  proc.onMessage((m) => {
    void redis.xadd(data.out, '*', FIELD, encodeWire(m)).catch(() => {
      // Redis is unreachable: the message stays unacknowledged in the run's outbox
    });
  });
  proc.send({ kind: 'start', job: runJob });
  // acknowledgements and commands from the desktop
  const relay = (async () => {
    let last = '0-0';
    while (!ended) {
      try {
        const reply = await reader.xread('COUNT', 200, 'BLOCK', 500, 'STREAMS', data.in, last);
        const entries = reply?.[0]?.[1] ?? [];
        for (const [id, fields] of entries) {
          last = id;
          const i = fields.indexOf(FIELD);
          const m = ToClusterWorkerSchema.safeParse(i >= 0 ? decodeWire(fields[i + 1] ?? 'null') : null);
          if (!m.success) continue; // not for a run process; what it acknowledges stays unacknowledged
          if (m.data.kind === 'kill') proc.kill('SIGKILL');
          else proc.send(m.data);
        }
        if (entries.length > 0) await redis.xtrim(data.in, 'MINID', last).catch(() => 0);
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  const { code, signal, stderr } = await exited;
  await relay;
  reader.disconnect();
  opts.log?.(`run ${runJob.runId} (job ${job.id}): process ended (${signal ?? `code ${code}`})`);
  if (code !== 0) {
    const tail = stderr.trim().split('\n').slice(-3).join(' | ');
    throw new Error(
      `the run's process ${signal ? `was killed (${signal})` : `exited with code ${code}`} on ${hostname()}${tail ? `: ${tail}` : ''}`,
    );
  }
}

/** Starts a worker; ClusterError (readable, no credentials) when its Redis cannot be reached. */
export async function startClusterWorker(opts: ClusterWorkerOptions): Promise<RunningWorker> {
  const redis = await connectRedis(opts.url);
  const launcher = new ForkLauncher();
  let taken = 0;
  const lockMs = opts.lockMs ?? 30_000;
  const worker = new Worker(
    RUN_QUEUE,
    async (job) => {
      taken++;
      await runJob(job, redis, launcher, opts);
    },
    {
      connection: bullConnection(opts.url),
      concurrency: opts.concurrency,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
      // a stalled run is resumed by the desktop from its last snapshot, never re-run from its stale job
      maxStalledCount: 0,
      autorun: true,
    },
  );
  worker.on('error', (e) => opts.log?.(`worker: ${e.message.replaceAll(opts.url, redactUrl(opts.url))}`));
  await worker.waitUntilReady();
  opts.log?.(`worker on ${redactUrl(opts.url)}: up to ${opts.concurrency} runs at once`);
  return {
    taken: () => taken,
    close: async () => {
      await worker.close();
      redis.disconnect();
    },
  };
}
