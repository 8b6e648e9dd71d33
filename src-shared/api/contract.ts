/**
 * The one API between the lab's back end and every front end (the renderer in Electron or
 * in a browser, the CLI): each operation's parameters and result, and each event stream,
 * declared once as zod schemas. Transports validate parameters on the way in; the typed
 * client and the handler table are derived from this map, so a method cannot exist on one
 * side only.
 */
import { z } from 'zod';
import {
  ArchitectureGraphSchema,
  ArchitectureInfoSchema,
  ArchitectureSchema,
  CircuitRefSchema,
  ComparisonInfoSchema,
  ComparisonSchema,
  EventRecordSchema,
  ManualPairsSchema,
  HyperSetSchema,
  MaybeFiniteSchema,
  MetricSchema,
  PHASES,
  ProblemInfoSchema,
  ProblemVersionSchema,
  RunDetailSchema,
  RunStatusSchema,
  RunSummarySchema,
  RunVerdictSchema,
  SavedViewSchema,
  SnapshotInfoSchema,
  ViewSettingsSchema,
  SnapshotSchema,
} from './records';
import { RunExportSchema } from './run-export';
import { SweepDetailSchema, SweepSummarySchema } from './sweep-records';
import { SweepSpecSchema } from '../sweeps/sweep-spec';
import { ClusterSettingsSaveSchema, ClusterSettingsViewSchema } from './cluster-settings';
import { ScheduleOverridesSchema } from '../synthesis/schedule';

const id = z.number().int().positive();
const ids = z.array(id).min(1).max(100_000);
const name = z.string().trim().min(1).max(200);
const tag = z.string().trim().min(1).max(100);
const ok = z.object({ ok: z.literal(true) });
const count = z.object({ count: z.number().int() });

/** Fields of a run the table can sort and filter on. */
export const RUN_FIELDS = [
  'id',
  'name',
  'problem',
  'status',
  'verdict',
  'estimator',
  'seed',
  'createdAt',
  'startedAt',
  'endedAt',
  'duration',
  'steps',
  'softLinks',
  'finalLoss',
  'bestLoss',
  'testLoss',
  'testWorst',
  /** The sweep a run belongs to (`sweepId = 3`: the runs of sweep 3). */
  'sweepId',
] as const;
export type RunField = (typeof RUN_FIELDS)[number];

/**
 * A condition such as `softLinks <= 12` (a number; `field` may also be a schedule path like
 * `optimizer.lr`) or `verdict = failed` (the verdict field, compared with = or !=).
 */
export const ConditionSchema = z.object({
  field: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_.]*$/, 'a field name or a schedule path like optimizer.lr')
    .max(100),
  op: z.enum(['<', '<=', '=', '!=', '>=', '>']),
  value: z.union([z.number().refine(Number.isFinite, 'must be a finite number'), RunVerdictSchema]),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const RunQuerySchema = z.object({
  status: z.array(RunStatusSchema).optional(),
  tag: tag.optional(),
  /** Only the runs of this problem. */
  problem: z.string().min(1).max(64).optional(),
  /** Matches name, problem, notes and tags (case-insensitive substring). */
  text: z.string().max(200).optional(),
  where: z.array(ConditionSchema).max(20).optional(),
  sort: z.object({ field: z.enum(RUN_FIELDS), dir: z.enum(['asc', 'desc']) }).optional(),
  /** Runs in the trash instead of the live ones. */
  trash: z.boolean().optional(),
  offset: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
});
export type RunQuery = z.infer<typeof RunQuerySchema>;

/** Attended-run controls (the 2022 workflow), each recorded as an event of the run. */
export const RunCommandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stop') }),
  z.object({ kind: z.literal('pause') }),
  z.object({ kind: z.literal('resume') }),
  /** Cut every soft link with |w| below the threshold now. */
  z.object({ kind: z.literal('prune'), threshold: z.number().positive().refine(Number.isFinite, 'must be finite') }),
  /** Override λ1 and/or the learning rate from now on. */
  z
    .object({
      kind: z.literal('set'),
      lambda1: z.number().min(0).refine(Number.isFinite, 'must be finite').optional(),
      lr: z.number().positive().refine(Number.isFinite, 'must be finite').optional(),
    })
    .refine((c) => c.lambda1 !== undefined || c.lr !== undefined, 'give lambda1 or lr'),
]);
export type RunCommand = z.infer<typeof RunCommandSchema>;

export const StartRunSchema = z.object({
  name: name.optional(),
  problem: z.string().default('duplicates'),
  /** The version of the problem (default: its latest). */
  problemVersion: z.number().int().min(1).optional(),
  /** A schedule, or only what differs from the problem's default one (validated once, when the run is created). */
  schedule: ScheduleOverridesSchema,
  architectureId: id.optional(),
  hyperSetId: id.optional(),
  tags: z.array(tag).max(50).optional(),
});
export type StartRun = z.input<typeof StartRunSchema>;

/** What `sweeps.control` can do to a sweep's runs. */
export const SWEEP_COMMANDS = ['pause', 'resume', 'stop', 'trash', 'restore'] as const;
export type SweepCommand = (typeof SWEEP_COMMANDS)[number];

const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

/**
 * Whether the lab can write: `read-write`; `disk-full` (runs are held until there is space
 * again — purge, trash, export and stopping runs still work, nothing new starts); or
 * `read-only` (the database could not be opened for writing, or is damaged: reading and
 * export only). `reason` says why, for a person.
 */
export const LAB_MODES = ['read-write', 'disk-full', 'read-only'] as const;
export const LabStatusSchema = z.object({ mode: z.enum(LAB_MODES), reason: z.string() });
export type LabStatus = z.infer<typeof LabStatusSchema>;

export const API = {
  'lab.status': method(z.object({}), LabStatusSchema),
  'problems.list': method(z.object({}), z.array(ProblemInfoSchema)),
  /** One version of a problem (default: the latest) with its definition and the list of versions. */
  'problems.get': method(z.object({ id: z.string().min(1), version: z.number().int().min(1).optional() }), ProblemVersionSchema),
  /**
   * Stores a problem definition as the next version of the problem it names (or its first):
   * validated field by field (and its teacher compiled) first; an invalid one is refused
   * naming the field, and nothing is stored.
   */
  'problems.save': method(z.object({ definition: z.record(z.string(), z.unknown()) }), ProblemInfoSchema),

  'runs.list': method(RunQuerySchema, z.object({ total: z.number().int(), runs: z.array(RunSummarySchema) })),
  'runs.get': method(z.object({ id }), RunDetailSchema),
  /**
   * Metrics after `afterStep`, downsampled to at most `maxPoints` (extremes of each bucket kept).
   * `smoothing` α ∈ [0, 1): `loss` and `preregLoss` are then a debiased exponential moving
   * average over the full series in step order (before downsampling; 0 = raw).
   */
  'runs.metrics': method(
    z.object({
      id,
      afterStep: z.number().int().min(0).optional(),
      maxPoints: z.number().int().min(2).max(1_000_000).optional(),
      smoothing: z.number().min(0).lt(1).optional(),
    }),
    z.object({ total: z.number().int(), lastStep: z.number().int(), points: z.array(MetricSchema) }),
  ),
  'runs.events': method(
    z.object({ id, afterId: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(100_000).optional() }),
    z.array(EventRecordSchema),
  ),
  'runs.snapshots': method(z.object({ id }), z.array(SnapshotInfoSchema)),
  'runs.start': method(StartRunSchema, RunSummarySchema),
  /**
   * A new run from a snapshot (lineage recorded), with an optional changed schedule; or,
   * with `continue`, the snapshot's own (ended) run goes on from it — steps after the
   * snapshot are replaced.
   */
  'runs.resumeFrom': method(
    z.object({
      snapshotId: id,
      name: name.optional(),
      schedule: ScheduleOverridesSchema.optional(),
      continue: z.boolean().optional(),
    }),
    RunSummarySchema,
  ),
  'runs.control': method(z.object({ id, command: RunCommandSchema }), ok),
  'runs.update': method(
    z.object({ id, name: name.optional(), tags: z.array(tag).max(50).optional(), notes: z.string().max(1_000_000).optional() }),
    RunSummarySchema,
  ),
  'runs.trash': method(z.object({ ids }), count),
  'runs.restore': method(z.object({ ids }), count),
  /** Deletes trashed runs for good and frees their space. */
  'runs.purge': method(z.object({ ids }), count),
  'runs.export': method(z.object({ ids }), z.array(RunExportSchema)),
  'runs.import': method(z.object({ runs: z.array(RunExportSchema).min(1).max(10_000) }), z.object({ ids: z.array(id) })),

  'snapshots.get': method(z.object({ id }), SnapshotSchema),

  /**
   * Creates a sweep and all its runs (queued) — or nothing: an axis on a field the schedule
   * does not have, a value the schedule refuses, more than 10,000 runs without `confirm` are
   * refused naming the field.
   */
  'sweeps.create': method(SweepSpecSchema, SweepSummarySchema),
  'sweeps.list': method(z.object({ trash: z.boolean().optional() }), z.array(SweepSummarySchema)),
  'sweeps.get': method(z.object({ id }), SweepDetailSchema),
  /**
   * Acts on the sweep's runs: `pause` pauses the running ones and holds the queued ones,
   * `resume` undoes it, `stop` stops every run not yet ended, `trash` moves the sweep and its
   * runs to the trash (refused while a run trains: stop it first), `restore` brings them back.
   */
  'sweeps.control': method(z.object({ id, command: z.enum(SWEEP_COMMANDS) }), SweepSummarySchema),

  /** The Cluster settings (Redis URL, TLS, user) — whether a password is stored, never the password. */
  'settings.cluster': method(z.object({}), ClusterSettingsViewSchema),
  /** Stores the Cluster settings in the lab's data folder (a password omitted is kept, '' removes it); answers the redacted view. */
  'settings.saveCluster': method(ClusterSettingsSaveSchema, ClusterSettingsViewSchema),

  'architectures.list': method(z.object({}), z.array(ArchitectureInfoSchema)),
  'architectures.get': method(z.object({ id }), ArchitectureSchema),
  /** Saves a new version (1 + the latest of that name). */
  'architectures.save': method(
    z.object({ name, description: z.string().max(100_000).default(''), graph: ArchitectureGraphSchema }),
    ArchitectureSchema,
  ),
  'architectures.delete': method(z.object({ id }), ok),

  'hyperSets.list': method(z.object({}), z.array(HyperSetSchema)),
  'hyperSets.save': method(
    z.object({ name, description: z.string().max(100_000).default(''), schedule: ScheduleOverridesSchema }),
    HyperSetSchema,
  ),
  'hyperSets.delete': method(z.object({ id }), ok),

  /** Saved views of the run browser (filter + sort + columns), by name. */
  'views.list': method(z.object({}), z.array(SavedViewSchema)),
  'views.save': method(z.object({ name, view: ViewSettingsSchema.extend({ query: RunQuerySchema }) }), SavedViewSchema),
  'views.delete': method(z.object({ id }), ok),

  /** Saved circuit comparisons: two circuits by reference and the person's neuron pairs. */
  'comparisons.list': method(z.object({}), z.array(ComparisonInfoSchema)),
  'comparisons.get': method(z.object({ id }), ComparisonSchema),
  /** Creates a comparison, or with `id` replaces that one's name, circuits and pairs. */
  'comparisons.save': method(
    z.object({ id: id.optional(), name, a: CircuitRefSchema, b: CircuitRefSchema, pairs: ManualPairsSchema.default([]) }),
    ComparisonSchema,
  ),
  'comparisons.delete': method(z.object({ id }), ok),
} as const;

export type ApiMethod = keyof typeof API;
export type ApiParams<M extends ApiMethod> = z.input<(typeof API)[M]['params']>;
export type ApiParsedParams<M extends ApiMethod> = z.output<(typeof API)[M]['params']>;
export type ApiResult<M extends ApiMethod> = z.output<(typeof API)[M]['result']>;

export const API_METHODS = Object.keys(API) as ApiMethod[];
export const isApiMethod = (m: unknown): m is ApiMethod => typeof m === 'string' && Object.hasOwn(API, m);

/** Event streams pushed to every front end. */
export const API_EVENTS = {
  /** A run was created, changed status, or was edited, trashed or restored. */
  'run.changed': RunSummarySchema,
  /** A run was purged. */
  'run.removed': z.object({ id }),
  /** Latest figures of a running run (at most a few per second). */
  'run.progress': z.object({
    runId: id,
    step: z.number().int(),
    stepBudget: z.number().int(),
    phase: z.enum(PHASES),
    softLinks: z.number().int(),
    preregLoss: MaybeFiniteSchema,
    lambda1: MaybeFiniteSchema,
    wallMs: MaybeFiniteSchema,
  }),
  /** A decision of a running run (cut, accept, backtrack, command…). */
  'run.event': EventRecordSchema,
  /** A sweep was created, or its state changed (pause, resume, stop, trash, restore). */
  'sweep.changed': SweepSummarySchema,
  /** The lab's ability to write changed (disk full, read-only, writing again). */
  'lab.status': LabStatusSchema,
} as const;

export type ApiEventName = keyof typeof API_EVENTS;
export type ApiEvent = { [K in ApiEventName]: { readonly name: K; readonly data: z.output<(typeof API_EVENTS)[K]> } }[ApiEventName];

/** What a back end implements: one async function per method, given validated parameters. */
export type ApiHandlers = { [M in ApiMethod]: (params: ApiParsedParams<M>) => Promise<ApiResult<M>> | ApiResult<M> };

/** What a front end calls. */
export type ApiClient = { [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResult<M>> };
