/**
 * The records the API carries: runs, metrics, events, snapshots, architectures and
 * hyperparameter sets. Each is a zod schema (validated where data crosses a process
 * boundary) and its inferred TypeScript type — defined here once, used by the store, the
 * supervisor, every transport and the renderer.
 */
import { z } from 'zod';
import { LinkSchema, ScheduleSchema } from '../synthesis/schedule';

export const RUN_STATUSES = ['queued', 'running', 'paused', 'completed', 'failed', 'interrupted', 'diverged', 'stopped'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Statuses a run never leaves. */
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'interrupted', 'diverged', 'stopped'];
export const isFinalStatus = (s: RunStatus): boolean => FINAL_STATUSES.includes(s);

export const ESTIMATORS = ['gradient', 'es'] as const;

/**
 * What the run's final check said about its circuit (training loss, validation worst error
 * and size against the schedule's bounds): passed, failed, or none (no check yet: the run is
 * going, or ended before its circuit was judged).
 */
export const RUN_VERDICTS = ['passed', 'failed', 'none'] as const;
export const RunVerdictSchema = z.enum(RUN_VERDICTS);
export type RunVerdict = z.infer<typeof RunVerdictSchema>;

const finiteOrNull = z.number().nullable();

/**
 * A figure that may stop being finite (a diverged loss): NaN and ±Infinity become null, in
 * the store and on the wire (JSON cannot carry them), so null means "not a finite number".
 */
export const MaybeFiniteSchema = z.preprocess((x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), z.number().nullable());
const maybeFinite = MaybeFiniteSchema;
const id = z.number().int().positive();

export const RunSummarySchema = z.object({
  id,
  name: z.string(),
  problem: z.string(),
  /** The version of the problem the run uses (null: a run imported without one). */
  problemVersion: z.number().int().nullable().default(null),
  status: RunStatusSchema,
  /** The final check of the run's circuit; a completed run whose verdict failed is not a success. */
  verdict: RunVerdictSchema.default('none'),
  /** Why the run ended as it did (error message, stop reason); empty while running. */
  statusReason: z.string(),
  estimator: z.enum(ESTIMATORS),
  seed: z.number().int(),
  architectureId: id.nullable(),
  hyperSetId: id.nullable(),
  parentRunId: id.nullable(),
  parentSnapshotId: id.nullable(),
  /** Milliseconds since the epoch. */
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  /**
   * Optimiser steps done so far, and the most the run can take (counted the same way, from
   * step 0): the schedule's budget per attempt times its attempts, plus the polish steps the
   * budget does not count, plus the steps a run continued from its own snapshot had done.
   */
  steps: z.number().int(),
  stepBudget: z.number().int(),
  softLinks: z.number().int().nullable(),
  /** Training loss (without regulariser) of the last step and the best step. */
  finalLoss: finiteOrNull,
  bestLoss: finiteOrNull,
  /** Test-suite loss and worst per-element error of the final circuit. */
  testLoss: finiteOrNull,
  testWorst: finiteOrNull,
  tags: z.array(z.string()),
  /** The starting point in a few words, from the schedule (`generated L5 K2`, `matrix …`, `repair in L5 K2`). */
  startPoint: z.string().default(''),
  /** Moved to the trash (restorable until purged). */
  deletedAt: z.number().nullable(),
  /** The sweep the run belongs to (null: a run of its own). */
  sweepId: id.nullable().default(null),
  /**
   * Where the run's process last ran: `local` (this machine) or the host name of the cluster
   * worker that took it; null until it starts.
   */
  ranOn: z.string().max(255).nullable().default(null),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const RunDetailSchema = RunSummarySchema.extend({
  schedule: ScheduleSchema,
  notes: z.string(),
});
export type RunDetail = z.infer<typeof RunDetailSchema>;

export const PHASES = ['dense', 'sparsify', 'polish'] as const;

export const MetricSchema = z.object({
  step: z.number().int().min(1),
  phase: z.enum(PHASES),
  preregLoss: maybeFinite,
  loss: maybeFinite,
  l1: maybeFinite,
  lambda1: maybeFinite,
  softLinks: z.number().int(),
  /** Wall-clock milliseconds since the run started. */
  wallMs: maybeFinite,
});
export type Metric = z.infer<typeof MetricSchema>;

/** A synthesis event, a control command or an error, as stored. `data` is the event itself. */
export const EventRecordSchema = z.object({
  id,
  runId: id,
  step: z.number().int(),
  kind: z.string(),
  /** Milliseconds since the epoch. */
  at: z.number(),
  data: z.record(z.string(), z.unknown()),
});
export type EventRecord = z.infer<typeof EventRecordSchema>;

export const SNAPSHOT_REASONS = ['start', 'interval', 'cut', 'accept', 'backtrack', 'prune', 'final', 'diverged'] as const;

export const SnapshotInfoSchema = z.object({
  id,
  runId: id,
  /** Optimiser steps done to reach these weights. */
  step: z.number().int(),
  reason: z.enum(SNAPSHOT_REASONS),
  softLinks: z.number().int(),
  /**
   * Training loss (no regulariser) of exactly these weights — on the windows of step
   * `step + 1` (full without a curriculum), i.e. what the next step reports.
   */
  preregLoss: maybeFinite,
  createdAt: z.number(),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfoSchema>;

/** A trainable matrix as soft links in order and their weights. */
export const WeightsSchema = z.object({
  links: z.array(LinkSchema),
  weights: z.array(z.number()),
});
export type Weights = z.infer<typeof WeightsSchema>;

export const SnapshotSchema = SnapshotInfoSchema.extend({ weights: WeightsSchema });
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** A starting machine as data: neurons, hard links and soft links with weights, plus layout. */
export const ArchitectureGraphSchema = z.object({
  neurons: z.array(z.object({ name: z.string().min(1), type: z.string().min(1) })),
  /** The trainable matrix in the prototype's JSON format (rank-4 V-value). */
  matrix: z.record(z.string(), z.unknown()),
  /** Node positions in the editor, by neuron name. */
  positions: z.record(z.string(), z.object({ x: z.number(), y: z.number() })).default({}),
});
export type ArchitectureGraph = z.infer<typeof ArchitectureGraphSchema>;

export const ArchitectureSchema = z.object({
  id,
  name: z.string().min(1),
  version: z.number().int().min(1),
  description: z.string(),
  graph: ArchitectureGraphSchema,
  createdAt: z.number(),
});
export type Architecture = z.infer<typeof ArchitectureSchema>;
export const ArchitectureInfoSchema = ArchitectureSchema.omit({ graph: true }).extend({ softLinks: z.number().int() });
export type ArchitectureInfo = z.infer<typeof ArchitectureInfoSchema>;

export const HyperSetSchema = z.object({
  id,
  name: z.string().min(1),
  description: z.string(),
  /** The schedule without its seed and start point (those belong to the run). */
  schedule: z.record(z.string(), z.unknown()),
  createdAt: z.number(),
});
export type HyperSet = z.infer<typeof HyperSetSchema>;

/** A compared output of a problem: the port read, scalar or tree, and the part of it (`under`). */
export const ProblemOutputSchema = z.object({
  neuron: z.string(),
  port: z.string(),
  compare: z.enum(['scalar', 'tree']),
  under: z.array(z.string()),
});

/**
 * A problem as the lab lists it: its id (= its name in the definition), title, description,
 * the latest version (or the one asked for) with what it compares and how large its teacher is.
 */
export const ProblemInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  version: z.number().int().min(1),
  /** Number of stored versions. */
  versions: z.number().int().min(1),
  input: z.enum(['characters', 'tokens']),
  outputs: z.array(ProblemOutputSchema),
  /** Soft links of the teacher: the size a synthesized circuit is measured against. */
  teacherLinks: z.number().int().min(0),
  /** A version that came with this build of the lab (not imported or edited). */
  builtin: z.boolean(),
  createdAt: z.number(),
});
export type ProblemInfo = z.infer<typeof ProblemInfoSchema>;

/** One stored problem version with its whole definition (src-shared/problems/problem.ts, validated when stored). */
export const ProblemVersionSchema = z.object({
  info: ProblemInfoSchema,
  definition: z.record(z.string(), z.unknown()),
  /** Every version of this problem, oldest first. */
  history: z.array(
    z.object({ version: z.number().int().min(1), createdAt: z.number(), teacherLinks: z.number().int(), builtin: z.boolean() }),
  ),
});
export type ProblemVersion = z.infer<typeof ProblemVersionSchema>;

/** A saved view of the run browser: its query (filters and sort) and the columns shown. */
export const ViewSettingsSchema = z.object({
  query: z.record(z.string(), z.unknown()),
  columns: z.array(z.string().max(100)).max(100),
});
export const SavedViewSchema = z.object({
  id,
  name: z.string().min(1),
  view: ViewSettingsSchema,
  updatedAt: z.number(),
});
export type SavedView = z.infer<typeof SavedViewSchema>;

/**
 * A circuit a comparison refers to: `snap:ID` a stored snapshot, `run:ID` the run's last
 * snapshot, `arch:ID` a library architecture, `hand` the built-in hand-crafted detector,
 * `teacher:NAME` (or `teacher:NAME@VERSION`) a problem's teacher. Stored and routed as
 * this string.
 */
export const CircuitRefSchema = z
  .string()
  .regex(
    /^(?:(?:snap|run|arch):[1-9][0-9]{0,15}|hand|teacher:[a-z0-9][a-z0-9-]{0,63}(?:@[1-9][0-9]{0,8})?)$/,
    'a circuit is snap:ID, run:ID, arch:ID, hand or teacher:PROBLEM',
  );
export type CircuitRef = z.infer<typeof CircuitRefSchema>;

/** What a CircuitRef names: a stored snapshot, run or architecture by id, the hand-crafted detector, or a problem's teacher. */
export type CircuitRefParts =
  | { readonly kind: 'snap' | 'run' | 'arch'; readonly id: number }
  | { readonly kind: 'hand' }
  | { readonly kind: 'teacher'; readonly problem: string; readonly version?: number };

/** The parts of a reference, or undefined when it is not one (see CircuitRefSchema). */
export function circuitRefParts(ref: string): CircuitRefParts | undefined {
  if (!CircuitRefSchema.safeParse(ref).success) return undefined;
  if (ref === 'hand') return { kind: 'hand' };
  if (ref.startsWith('teacher:')) {
    const [problem = '', version] = ref.slice('teacher:'.length).split('@');
    return version === undefined ? { kind: 'teacher', problem } : { kind: 'teacher', problem, version: Number(version) };
  }
  const colon = ref.indexOf(':');
  return { kind: ref.slice(0, colon) as 'snap' | 'run' | 'arch', id: Number(ref.slice(colon + 1)) };
}

/**
 * Neuron pairs fixed by the person (re-pairing by dragging), [name in A, name in B]: no
 * name twice on either side.
 */
export const ManualPairsSchema = z
  .array(z.tuple([z.string().min(1).max(200), z.string().min(1).max(200)]))
  .max(10_000)
  .superRefine((pairs, ctx) => {
    for (const [side, k] of [
      ['A', 0],
      ['B', 1],
    ] as const) {
      const seen = new Set<string>();
      pairs.forEach((p, i) => {
        if (seen.has(p[k])) ctx.addIssue({ code: 'custom', path: [i, k], message: `neuron "${p[k]}" of circuit ${side} is paired twice` });
        seen.add(p[k]);
      });
    }
  });
export type ManualPairs = z.infer<typeof ManualPairsSchema>;

/** A saved circuit comparison: the two circuits by reference and the person's pairs. */
export const ComparisonSchema = z.object({
  id,
  name: z.string().min(1),
  a: CircuitRefSchema,
  b: CircuitRefSchema,
  pairs: ManualPairsSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

/** A comparison in the list: without its pairs; a row corrupted on disk is listed with `problem` saying what is wrong. */
export const ComparisonInfoSchema = z.object({
  id,
  name: z.string(),
  a: z.string(),
  b: z.string(),
  pairCount: z.number().int().min(0),
  createdAt: z.number(),
  updatedAt: z.number(),
  problem: z.string().nullable(),
});
export type ComparisonInfo = z.infer<typeof ComparisonInfoSchema>;
