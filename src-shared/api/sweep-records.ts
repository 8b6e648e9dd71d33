/**
 * The records of sweeps the API carries: a sweep's summary (its state, how its runs stand,
 * the success rate and the best run) and its detail (the definition and each run with its
 * point). Defined once here, used by the store, the lab service, the CLI and the renderer.
 */
import { z } from 'zod';
import { RUN_STATUSES, RunSummarySchema } from './records';

/**
 * `active`: its queued runs start as there is room; `paused`: its running runs are paused
 * and its queued runs wait; `stopped`: its runs were stopped (nothing of it starts again).
 */
export const SWEEP_STATES = ['active', 'paused', 'stopped'] as const;
export const SweepStateSchema = z.enum(SWEEP_STATES);
export type SweepState = z.infer<typeof SweepStateSchema>;

const id = z.number().int().positive();

export const SweepSummarySchema = z.object({
  id,
  name: z.string(),
  problem: z.string(),
  problemVersion: z.number().int().nullable(),
  state: SweepStateSchema,
  concurrency: z.number().int(),
  createdAt: z.number(),
  /** Moved to the trash with its runs. */
  deletedAt: z.number().nullable(),
  /** Runs of the sweep (trashed ones included). */
  runs: z.number().int(),
  /** How many of its runs are in each status. */
  byStatus: z.partialRecord(z.enum(RUN_STATUSES), z.number().int()),
  /** Runs in a final status. */
  finished: z.number().int(),
  /** Completed runs whose final verdict passed (training loss, validation worst and size within the schedule's bounds). */
  passed: z.number().int(),
  /** passed / finished; null while none has finished. */
  successRate: z.number().nullable(),
  /** The passed run with the fewest soft links (then the lowest test worst); null when none passed. */
  bestRunId: id.nullable(),
});
export type SweepSummary = z.infer<typeof SweepSummarySchema>;

export const SweepRunSchema = z.object({
  /** Position of the point in the sweep (0-based). */
  index: z.number().int().min(0),
  point: z.record(z.string(), z.unknown()),
  /** Its final verdict passed (null: not completed, or no verdict). */
  passed: z.boolean().nullable(),
  run: RunSummarySchema,
});
export type SweepRun = z.infer<typeof SweepRunSchema>;

export const SweepDetailSchema = SweepSummarySchema.extend({
  /** The definition as it was given (base schedule, axes, combine, concurrency). */
  spec: z.record(z.string(), z.unknown()),
  points: z.array(SweepRunSchema),
});
export type SweepDetail = z.infer<typeof SweepDetailSchema>;
