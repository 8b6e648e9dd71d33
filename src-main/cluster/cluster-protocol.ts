/**
 * What travels through Redis besides the run protocol itself (protocol.ts): a BullMQ job's
 * data (the run's job, encoded, and its two stream keys) and what the desktop sends a worker
 * for a run (acknowledgements and commands as in protocol.ts, or `kill`). Both sides validate
 * with these schemas; the job inside is validated with RunJobSchema on both sides.
 */
import { z } from 'zod';
import { ToWorkerSchema } from '../runs/protocol';

export const ClusterJobDataSchema = z.object({
  /** The run's RunJob, encoded by wire.ts. */
  job: z.string().max(512 * 1024 * 1024),
  /** Stream of the run's messages to the desktop. */
  out: z.string().min(1).max(200),
  /** Stream of acknowledgements and commands to the worker. */
  in: z.string().min(1).max(200),
});
export type ClusterJobData = z.infer<typeof ClusterJobDataSchema>;

export const ToClusterWorkerSchema = z.union([ToWorkerSchema, z.object({ kind: z.literal('kill') })]);
export type ToClusterWorker = z.input<typeof ToClusterWorkerSchema>;

/**
 * The first entry a worker writes to a run's stream when it takes the job: the host it runs
 * on (not a run message: the desktop records it as where the run ran and does not pass it on).
 */
export const RanOnNoteSchema = z.object({ kind: z.literal('ran-on'), host: z.string().min(1).max(255) });
export type RanOnNote = z.infer<typeof RanOnNoteSchema>;

/** The field of a stream entry that holds the message. */
export const FIELD = 'm';
