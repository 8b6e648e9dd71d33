/**
 * Messages between the supervisor and a run's process (a Node child process or an Electron
 * utility process). Both directions are validated on receipt: a process boundary is a trust
 * boundary, and a worker that sends garbage must not corrupt a stored run.
 */
import { z } from 'zod';
import { RunCommandSchema, type RunCommand } from '../../src-shared/api/contract';
import { MetricSchema, SNAPSHOT_REASONS, WeightsSchema } from '../../src-shared/api/records';
import { LinkSchema } from '../../src-shared/synthesis/schedule';

/** Where a run starts: its schedule's start point, or given weights (resuming a snapshot). */
export const RunJobSchema = z.object({
  runId: z.number().int().positive(),
  /** A full, validated schedule (as stored with the run). */
  schedule: z.record(z.string(), z.unknown()),
  /** The problem (the stored version the run uses), validated by the driver; absent: the duplicate detector. */
  problem: z.record(z.string(), z.unknown()).optional(),
  resume: WeightsSchema.optional(),
  /** Steps already done (a run continuing from its own snapshot): added to every reported step. */
  stepOffset: z.number().int().min(0).default(0),
  /** Interval snapshots every this many steps. */
  snapshotEvery: z.number().int().min(0),
  /** Gradient threads inside the run's process (0: the process's main thread only). */
  threads: z.number().int().min(0).max(64),
});
export type RunJob = z.input<typeof RunJobSchema>;

export const ToWorkerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), job: RunJobSchema }),
  z.object({ kind: z.literal('command'), command: RunCommandSchema }),
  /** The supervisor stored everything up to `seq`. */
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
    status: z.enum(['completed', 'stopped', 'diverged']),
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
