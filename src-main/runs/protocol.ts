/**
 * Messages between the supervisor and a run's process (a Node child process or an Electron
 * utility process). Both directions are validated on receipt: a process boundary is a trust
 * boundary, and a worker that sends garbage must not corrupt a stored run.
 *
 * Delivery (transport-neutral, see outbox.ts): every message from the run's process carries a
 * sequence number; the host stores it idempotently by (run, session, seq) and answers
 * `ack seq` once it is written. The process keeps what it sent until acknowledged, waits when
 * `window` messages are unacknowledged, leaves only once its `done` is acknowledged (or after
 * `ackTimeoutMs`), and writes whatever is still unacknowledged to `recoveryFile`, which the
 * host imports at its next start.
 */
import { z } from 'zod';
import { RunCommandSchema, type RunCommand } from '../../src-shared/api/contract';
import { MetricSchema, SNAPSHOT_REASONS, WeightsSchema } from '../../src-shared/api/records';
import { LinkSchema, ScheduleSchema, type Schedule } from '../../src-shared/synthesis/schedule';

/** Default delivery window: 32 messages ≈ 3 s of metric batches at one batch per 100 ms, fewer with snapshots and events between. */
export const DEFAULT_WINDOW = 32;
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;

/** Where a run starts: its schedule's start point, or given weights (resuming a snapshot). */
export const RunJobSchema = z.object({
  runId: z.number().int().positive(),
  /** The run's whole schedule (as stored with the run): validated once, when the run's process receives its job. */
  schedule: ScheduleSchema,
  /** The problem (the stored version the run uses), validated by the driver; absent: the duplicate detector. */
  problem: z.record(z.string(), z.unknown()).optional(),
  resume: WeightsSchema.optional(),
  /** Steps already done (a run continuing from its own snapshot): added to every reported step. */
  stepOffset: z.number().int().min(0).default(0),
  /** Interval snapshots every this many steps. */
  snapshotEvery: z.number().int().min(0),
  /** Gradient threads inside the run's process (0: the process's main thread only). */
  threads: z.number().int().min(0).max(64),
  /** This launch of the run (sequence numbers start at 1 in each): the key of idempotent delivery. */
  session: z.string().max(64).default(''),
  /** Messages that may be unacknowledged before the run waits for the host. */
  window: z.number().int().min(1).max(10_000).default(DEFAULT_WINDOW),
  /** How long the process waits for its last acknowledgements before it writes them to `recoveryFile` and exits. */
  ackTimeoutMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_ACK_TIMEOUT_MS),
  /** Where unacknowledged messages go when the process must end without them acknowledged (none: they are lost). */
  recoveryFile: z.string().optional(),
});
export type RunJob = z.input<typeof RunJobSchema>;
/** A job whose schedule is validated already (received and parsed, or made in-process from a parsed schedule). */
export type ValidRunJob = Omit<RunJob, 'schedule'> & { readonly schedule: Schedule };

export const ToWorkerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), job: RunJobSchema }),
  z.object({ kind: z.literal('command'), command: RunCommandSchema }),
  /** The host stored everything up to `seq` (of this session). */
  z.object({ kind: z.literal('ack'), seq: z.number().int() }),
]);
export type ToWorker = z.input<typeof ToWorkerSchema>;

const numberOrNonFinite = z.union([z.number(), z.null()]).transform((x) => (x === null ? Number.NaN : x));

export const FromWorkerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('started'), seq: z.number().int(), pid: z.number().int() }),
  z.object({ kind: z.literal('metrics'), seq: z.number().int(), metrics: z.array(MetricSchema).max(100_000) }),
  z.object({
    kind: z.literal('event'),
    seq: z.number().int(),
    step: z.number().int(),
    event: z.record(z.string(), z.unknown()).and(z.object({ kind: z.string() })),
  }),
  z.object({
    kind: z.literal('snapshot'),
    seq: z.number().int(),
    step: z.number().int(),
    reason: z.enum(SNAPSHOT_REASONS),
    preregLoss: numberOrNonFinite,
    links: z.array(LinkSchema),
    weights: z.instanceof(Float64Array),
  }),
  /** The run holds (paused) or goes on (resumed). */
  z.object({ kind: z.literal('state'), seq: z.number().int(), state: z.enum(['paused', 'running']) }),
  z.object({
    kind: z.literal('done'),
    seq: z.number().int(),
    /** `interrupted`: the process lost its host and ended the run on its own. */
    status: z.enum(['completed', 'stopped', 'diverged', 'interrupted']),
    reason: z.string(),
    softLinks: z.number().int(),
    trainLoss: numberOrNonFinite,
    testLoss: numberOrNonFinite,
    testWorst: numberOrNonFinite,
  }),
  z.object({ kind: z.literal('error'), seq: z.number().int(), message: z.string() }),
]);
export type FromWorker = z.input<typeof FromWorkerSchema>;
export type FromWorkerParsed = z.output<typeof FromWorkerSchema>;

export type { RunCommand };
