/**
 * The desktop's side of the cluster backend: a ProcessLauncher whose "processes" are BullMQ
 * jobs on Redis. Starting a run adds one job carrying the run's RunJob (validated with
 * RunJobSchema before it leaves); the worker that takes it streams the run's numbered
 * messages back through a Redis stream per run (read here in order and handed to the
 * supervisor, which stores them through the recorder exactly as for a local process) and
 * reads acknowledgements and commands from a second stream. Acknowledged entries are trimmed
 * from the stream; both streams and the job are removed when the run's job ends.
 *
 * The job's end is its "exit": completed → exit code 0; failed → code 1 with the reason; a
 * job whose worker stopped renewing its lock (killed, lost its machine) fails as stalled and
 * is reported with the signal LOST_SIGNAL, which the supervisor answers by resuming the run
 * from its last snapshot in a new job. So is a run whose messages skip sequence numbers
 * (entries lost with a Redis restarted without persistence): it never goes on with a gap.
 */
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { LOST_SIGNAL, type ProcessLauncher, type RunProcess } from '../runs/launcher';
import { RunJobSchema, type ToWorker } from '../runs/protocol';
import { FIELD, RanOnNoteSchema, type ClusterJobData, type ToClusterWorker } from './cluster-protocol';
import { jobIdOf, RUN_QUEUE, STALLED_REASON, streamKeys } from './keys';
import { bullConnection, connectRedis, redactUrl } from './redis-connect';
import { decodeWire, encodeWire } from './wire';

/** How long a blocking read of a run's stream waits before it looks at the job's state (ms). */
const BLOCK_MS = 500;
/** How long Redis may be unreachable before a run is given up as lost (ms). */
const UNREACHABLE_MS = 30_000;
/** A run whose job was killed ends here after this long even if its worker never answers (ms). */
const KILL_GRACE_MS = 5_000;

/** The message of a stream entry (`m` field). */
function entryMessage(fields: string[]): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === FIELD) return fields[i + 1];
  return undefined;
}

/** The stream id just after `id` (`ms-seq`): XTRIM MINID with it drops `id` and everything before. */
function nextId(id: string): string {
  const [ms, seq] = id.split('-');
  return `${ms}-${BigInt(seq ?? '0') + 1n}`;
}

class ClusterRun implements RunProcess {
  readonly pid = undefined;
  private messageListeners: ((m: unknown) => void)[] = [];
  private ranOnListeners: ((where: string) => void)[] = [];
  private exitListeners: ((code: number | null, signal: string | null, stderr: string) => void)[] = [];
  private keys: { out: string; in: string } | undefined;
  private jobId: string | undefined;
  private reader: Redis | undefined;
  private ended = false;
  private killed: string | undefined;
  /** Highest sequence number handed on: a later one that skips numbers means messages were lost in Redis. */
  private lastSeq = 0;
  /** Stream entry id of each delivered message, by sequence number (for trimming once acknowledged). */
  private readonly entryOfSeq = new Map<number, string>();

  constructor(
    private readonly cluster: ClusterLauncher,
    readonly runId: number,
  ) {}

  send(message: ToWorker): void {
    if (this.ended) return;
    if (message.kind === 'start') {
      void this.start(message.job).catch((e: unknown) => this.exit(1, null, `cannot queue the run on the cluster: ${errorText(e)}`));
      return;
    }
    if (message.kind === 'ack') this.trim(message.seq);
    this.post(message);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: (code: number | null, signal: string | null, stderr: string) => void): void {
    this.exitListeners.push(listener);
  }

  onRanOn(listener: (where: string) => void): void {
    this.ranOnListeners.push(listener);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.ended || this.killed) return;
    this.killed = signal;
    this.post({ kind: 'kill' });
    // a job no worker has taken yet is simply taken off the queue
    if (this.jobId) void this.cluster.queue.remove(this.jobId).catch(() => 0);
    setTimeout(() => this.exit(null, signal, 'the cluster did not confirm the end of the run'), KILL_GRACE_MS).unref();
  }

  private post(m: ToClusterWorker): void {
    if (!this.keys) return;
    void this.cluster.redis.xadd(this.keys.in, '*', FIELD, encodeWire(m)).catch(() => {
      // Redis is unreachable: what the worker did not get, its run has not acknowledged
    });
  }

  /** Drops the stream entries up to the acknowledged message (they are stored). */
  private trim(seq: number): void {
    if (!this.keys) return;
    let last: string | undefined;
    for (const [s, id] of this.entryOfSeq) {
      if (s > seq) continue;
      last = id;
      this.entryOfSeq.delete(s);
    }
    if (last) void this.cluster.redis.xtrim(this.keys.out, 'MINID', nextId(last)).catch(() => 0);
  }

  private async start(raw: unknown): Promise<void> {
    // the same schema the worker validates with: a job that would be refused there never leaves
    const job = RunJobSchema.parse(raw);
    const { recoveryFile: _local, ...rest } = job; // a file on this machine means nothing to a worker
    this.keys = streamKeys(job.runId, job.session);
    this.jobId = jobIdOf(job.runId, job.session);
    const data: ClusterJobData = { job: encodeWire(rest), out: this.keys.out, in: this.keys.in };
    this.reader = this.cluster.redis.duplicate();
    this.reader.on('error', () => {});
    await this.cluster.queue.add('run', data, { jobId: this.jobId, attempts: 1, removeOnComplete: false, removeOnFail: false });
    void this.read();
  }

  /** Reads the run's stream in order until its job has ended and the stream is drained. */
  private async read(): Promise<void> {
    const keys = this.keys as { out: string };
    const reader = this.reader as Redis;
    let last = '0-0';
    let unreachableSince: number | undefined;
    let end: { code: number | null; signal: string | null; reason: string } | undefined;
    let gap = false;
    while (!this.ended) {
      try {
        const reply = await reader.xread('COUNT', 200, 'BLOCK', end ? 1 : BLOCK_MS, 'STREAMS', keys.out, last);
        unreachableSince = undefined;
        const entries = reply?.[0]?.[1] ?? [];
        for (const [id, fields] of entries) {
          last = id;
          const text = entryMessage(fields);
          let m: unknown;
          try {
            m = text === undefined ? { kind: 'garbage' } : decodeWire(text);
          } catch {
            m = { kind: 'garbage', text: text?.slice(0, 200) };
          }
          const note = RanOnNoteSchema.safeParse(m);
          if (note.success) {
            for (const l of this.ranOnListeners) l(note.data.host);
            continue;
          }
          const seq = typeof m === 'object' && m !== null ? (m as { seq?: unknown }).seq : undefined;
          if (typeof seq === 'number' && seq > this.lastSeq + 1 && !end) {
            // entries the worker wrote were lost (Redis restarted without persistence): the run
            // cannot go on without a gap, so it is ended here and resumed from its last stored snapshot
            end = {
              code: null,
              signal: LOST_SIGNAL,
              reason: `its messages ${this.lastSeq + 1}–${seq - 1} never arrived (was the cluster's Redis restarted?)`,
            };
            this.post({ kind: 'kill' });
            gap = true;
            break;
          }
          if (typeof seq === 'number') {
            this.entryOfSeq.set(seq, id);
            this.lastSeq = Math.max(this.lastSeq, seq);
          }
          for (const l of this.messageListeners) l(m);
        }
        if (gap) break;
        if (end && entries.length === 0) break; // drained after the job ended
        if (!end && entries.length === 0) end = await this.jobEnd();
      } catch (e) {
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > UNREACHABLE_MS) {
          end = { code: 1, signal: null, reason: `lost the connection to the cluster's Redis at ${this.cluster.where}: ${errorText(e)}` };
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (end) this.exit(end.code, end.signal, end.reason);
  }

  /** How the run's job ended, or undefined while it is waiting or active. */
  private async jobEnd(): Promise<{ code: number | null; signal: string | null; reason: string } | undefined> {
    const q = this.cluster.queue;
    const state = await q.getJobState(this.jobId as string);
    if (state === 'completed') return { code: 0, signal: null, reason: '' };
    if (state === 'failed') {
      const job = await Job.fromId(q, this.jobId as string);
      const reason = job?.failedReason ?? '';
      if (this.killed) return { code: null, signal: this.killed, reason };
      if (reason.includes(STALLED_REASON))
        return { code: null, signal: LOST_SIGNAL, reason: 'its worker stopped answering (killed, or its machine was lost)' };
      return { code: 1, signal: null, reason };
    }
    if (state === 'unknown') {
      if (this.killed) return { code: null, signal: this.killed, reason: 'taken off the queue before a worker started it' };
      return { code: null, signal: LOST_SIGNAL, reason: 'its job is gone from Redis (was Redis restarted without persistence?)' };
    }
    return undefined;
  }

  private exit(code: number | null, signal: string | null, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.cluster.forget(this);
    const { keys, jobId } = this;
    this.reader?.disconnect();
    if (keys) void this.cluster.redis.del(keys.out, keys.in).catch(() => 0);
    if (jobId) void this.cluster.queue.remove(jobId).catch(() => 0);
    for (const l of this.exitListeners) l(code, signal, reason);
  }
}

export class ClusterLauncher implements ProcessLauncher {
  private readonly runs = new Set<ClusterRun>();
  /** The Redis URL without credentials, for messages. */
  readonly where: string;

  constructor(
    readonly redis: Redis,
    readonly queue: Queue,
    url: string,
  ) {
    this.where = redactUrl(url);
  }

  launch(runId: number): RunProcess {
    const run = new ClusterRun(this, runId);
    this.runs.add(run);
    return run;
  }

  forget(run: ClusterRun): void {
    this.runs.delete(run);
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }
}

/** A launcher on the cluster at `url`, or ClusterError (readable, no credentials) when its Redis cannot be reached. */
export async function connectCluster(url: string): Promise<ClusterLauncher> {
  const redis = await connectRedis(url);
  const queue = new Queue(RUN_QUEUE, { connection: bullConnection(url) });
  queue.on('error', () => {});
  await queue.waitUntilReady();
  return new ClusterLauncher(redis, queue, url);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
