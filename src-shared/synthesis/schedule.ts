/**
 * A synthesis schedule as plain data: where to start, what to train on, how to estimate
 * gradients, the dense phase, the sparsification rounds with their backtracking rule, when
 * to stop, and the final polish. Runs store it so they can be replayed bit for bit.
 *
 * The zod schema is the one definition: the TypeScript type is inferred from it, and
 * parsing a schedule from JSON names the offending field.
 */
import { z } from 'zod';
import { LAYER_TYPES } from '../machine/neuron-types';
import { REFERENCE_ARCHITECTURE } from '../problems/duplicates/architecture';
import { DEFAULT_TEST_SUITE, DEFAULT_TRAINING_SET, DEFAULT_VALIDATION_SET } from './dataset';

const finite = () => z.number().refine(Number.isFinite, 'must be a finite number');
const nonNegative = () => finite().refine((x) => x >= 0, 'must be ≥ 0');
const positive = () => finite().refine((x) => x > 0, 'must be > 0');
const count = (min = 0) => z.number().int().min(min).max(100_000_000);

export const DataStringSchema = z.strictObject({
  text: z.string().min(1, 'must not be empty'),
  cycles: z.number().int().min(1).max(100_000),
});

export const LinkSchema = z.strictObject({
  to: z.string().min(1),
  toPort: z.string().min(1),
  from: z.string().min(1),
  fromPort: z.string().min(1),
});

export const ArchitectureSchema = z
  .strictObject({
    layers: z.number().int().min(1).max(64),
    copies: z.number().int().min(1).max(64),
    types: z
      .array(z.enum(LAYER_TYPES as [string, ...string[]]))
      .min(1)
      .refine((t) => new Set(t).size === t.length, 'types must not repeat'),
    skip: z.boolean(),
    /** Initial weights scale·N(0,1), seeded from the schedule's seed. */
    scale: nonNegative(),
    /** The depth cap K of generated push neurons (required when types include push). */
    pushDepth: z.number().int().min(0).max(32).optional(),
    /** Every input port linked to every output port of every layer (itself included): a recurrent start. */
    recurrent: z.boolean().optional(),
  })
  .refine((a) => !a.types.includes('push') || a.pushDepth !== undefined, {
    message: 'pushDepth is required when types include push (the depth cap K of each generated push)',
    path: ['pushDepth'],
  });

/**
 * The fully connected recurrent start: `copies` of each interneuron type (named
 * `<type>-1-<k>`), every soft input port of every interneuron and of the output linked from
 * every output port of the sources and of every interneuron (itself included), at
 * scale·N(0,1). `accumLoop: "hard"` keeps each accumulator's self-link `dict-1 ← dict` a
 * fixed link of weight 1; `"soft"` makes it a trainable link starting at 1, as in the 2022
 * recurrent prototype (training may weaken or cut the accumulation).
 */
export const RecurrentStartSchema = z.strictObject({
  copies: z.number().int().min(1, 'must be at least 1 (copies of each interneuron type)').max(64),
  types: z
    .array(z.enum(LAYER_TYPES as [string, ...string[]], { error: (i) => `unknown interneuron type ${JSON.stringify(i.input)}` }))
    .min(1, 'at least one interneuron type')
    .refine((t) => new Set(t).size === t.length, 'types must not repeat')
    .default(['accum', 'norm', 'compare', 'dot']),
  /** Initial weights scale·N(0,1), seeded from the schedule's seed. */
  scale: positive().default(0.01),
  accumLoop: z.enum(['hard', 'soft']).default('hard'),
  /** The depth cap K of generated push neurons (required when types include push). */
  pushDepth: z.number().int().min(0).max(32).optional(),
});

/** The recurrent start of the acceptance measurements: 5 copies of accum, norm, compare, dot. */
export function defaultRecurrentStart(): z.infer<typeof RecurrentStartSchema> {
  return { copies: 5, types: ['accum', 'norm', 'compare', 'dot'], scale: 0.01, accumLoop: 'hard' };
}

export const GenerateStartSchema = z
  .strictObject({
    kind: z.literal('generate'),
    topology: z.enum(['layered', 'recurrent']).optional(),
    architecture: ArchitectureSchema.optional(),
    recurrent: RecurrentStartSchema.optional(),
  })
  .superRefine((g, ctx) => {
    if (g.topology === 'recurrent') {
      if (!g.recurrent)
        ctx.addIssue({ code: 'custom', path: ['recurrent'], message: 'a recurrent start needs its copies, types, scale and accumLoop' });
      if (g.architecture)
        ctx.addIssue({
          code: 'custom',
          path: ['architecture'],
          message: 'a recurrent start has no layered architecture (give recurrent instead)',
        });
      if (g.recurrent?.types.includes('push') && g.recurrent.pushDepth === undefined) {
        ctx.addIssue({ code: 'custom', path: ['recurrent', 'pushDepth'], message: 'pushDepth is required when types include push' });
      }
    } else {
      if (!g.architecture) ctx.addIssue({ code: 'custom', path: ['architecture'], message: 'a layered start needs its architecture' });
      if (g.recurrent)
        ctx.addIssue({
          code: 'custom',
          path: ['recurrent'],
          message: 'only a recurrent topology takes recurrent (set topology: "recurrent")',
        });
    }
  });

/** A trainable matrix as JSON (validated as a V-value when the run starts). */
const MatrixJson = z.record(z.string(), z.unknown());

export const StartSchema = z.discriminatedUnion('kind', [
  /**
   * Random initialisation of a generated machine: `layered` (the default when `topology` is
   * absent) is the feedforward transducer of `architecture`; `recurrent` is the fully
   * connected recurrent machine of `recurrent` (every output port to every soft input port).
   */
  GenerateStartSchema,
  /**
   * An imported matrix (prototype format), e.g. a 2022 circuit or an edited one. With an
   * `architecture`, regrowing may also bring back that architecture's links (the matrix is
   * then read as a pruned state of it).
   */
  z.strictObject({
    kind: z.literal('matrix'),
    name: z.string().default('matrix'),
    matrix: MatrixJson,
    architecture: ArchitectureSchema.optional(),
  }),
  /**
   * The repair experiment: the hand-crafted detector embedded in a generated architecture,
   * some of its links removed and the others scaled by 1 ± perturb (random signs).
   */
  z.strictObject({
    kind: z.literal('repair'),
    architecture: ArchitectureSchema,
    remove: z.array(LinkSchema),
    perturb: z.number().min(0).max(1),
    /**
     * `architecture`: start from every link of the architecture (the detector's carry its
     * weights); `circuit`: start from the broken detector's links alone, a pruned start
     * whose missing links only regrowing can bring back.
     */
    embed: z.enum(['architecture', 'circuit']).default('architecture'),
  }),
  /**
   * The problem's teacher with its soft links replaced by `links` at random weights
   * scale·N(0,1) (seeded): the teacher's neurons and hard links, a search over which of
   * these candidate links to keep and with what weight.
   */
  z.strictObject({
    kind: z.literal('links'),
    links: z.array(LinkSchema).min(1, 'at least one candidate link'),
    scale: nonNegative(),
  }),
]);

export const EstimatorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('gradient'), gradients: z.enum(['exact', 'prototype']).default('exact') }),
  z.strictObject({
    kind: z.literal('es'),
    /** Perturbation scale σ. */
    sigma: positive(),
    /** Antithetic pairs per generation (2n evaluations). */
    population: count(1),
    /** Added to the estimate as weightDecay·w. */
    weightDecay: nonNegative(),
    /** Worker threads evaluating the population (0 = in the calling thread). */
    workers: count(0).max(64),
  }),
]);

export const OptimizerSchema = z.strictObject({
  lr: positive(),
  beta1: z.number().min(0).lt(1),
  beta2: z.number().min(0).lt(1),
  eps: positive(),
});

export const CutSchema = z.discriminatedUnion('kind', [
  /** Cut the smallest fraction of the soft links by |w|. */
  z.strictObject({ kind: z.literal('fraction'), fraction: z.number().gt(0).lt(1) }),
  /** Cut every soft link with |w| below the threshold (raised by `factor` each accepted round). */
  z.strictObject({ kind: z.literal('threshold'), threshold: positive(), factor: z.number().min(1) }),
  /** Cut the `count` smallest soft links by |w|. */
  z.strictObject({ kind: z.literal('count'), count: count(1) }),
]);

export const ScheduleSchema = z.strictObject({
  version: z.literal(1).default(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  start: StartSchema,
  training: z.strictObject({
    strings: z.array(DataStringSchema).min(1),
    curriculum: z.strictObject({ startCycles: count(1), steps: count(1) }).optional(),
  }),
  testSuite: z.array(DataStringSchema).min(1),
  estimator: EstimatorSchema,
  optimizer: OptimizerSchema,
  dense: z.strictObject({
    /** Most steps of the dense phase. */
    steps: count(0),
    /** The dense phase ends early once the training loss is at most this. */
    until: nonNegative(),
    l1: nonNegative(),
    l2: nonNegative().default(0),
    /** Linear learning-rate decay to 10 % over the phase. */
    lrDecay: z.boolean(),
  }),
  rounds: z.strictObject({
    /**
     * λ1 of the first round, multiplied by `factor` after each accepted cut, capped at `max`;
     * `fine` is the λ1 of one-at-a-time cuts.
     */
    l1: z.strictObject({ start: nonNegative(), factor: z.number().min(1), max: nonNegative(), fine: nonNegative() }),
    cut: CutSchema,
    /** From this many soft links down, cut one neuron or one link at a time. */
    fineBelow: count(0),
    /** Candidates tried per fine round before giving up. */
    fineTries: count(1),
    retrain: z.strictObject({
      /** Steps between checks of the loss. */
      chunk: count(1),
      /** Most retraining steps after a cut. */
      budget: count(1),
      lr: positive(),
      /** Learning rate and most retraining steps once cutting one at a time (a fresh optimiser each time). */
      fineLr: positive(),
      fineBudget: count(1),
      optimizer: z.enum(['reset', 'trim']),
      /** Give up on a cut at a check where the loss still exceeds this multiple of its target. */
      abortFactor: z.number().min(1),
    }),
    accept: z.strictObject({
      /** A cut is accepted when the training loss recovers to max(ceiling, (1 + tolerance)·best so far). */
      ceiling: nonNegative(),
      /** The ceiling of one-at-a-time cuts. */
      fineCeiling: nonNegative(),
      tolerance: nonNegative(),
    }),
    backtrack: z.strictObject({
      /** A rejected coarse cut is retried with this fraction of its size. */
      gentler: z.number().gt(0).lt(1),
    }),
    dropDead: z.boolean(),
    mergeParallel: z.boolean(),
  }),
  stop: z.strictObject({
    /** Stop once the circuit has at most this many soft links. */
    targetLinks: count(0),
    /** Total optimiser steps of the whole run. */
    stepBudget: count(1),
    /**
     * The run has diverged when its training loss exceeds this many times its best loss so
     * far (or its starting loss, when that is larger): it stops, keeping its last good
     * snapshot. A loss that stops being finite diverges the run too.
     */
    divergence: z.number().min(1).max(1e300).default(1000),
  }),
  polish: z.strictObject({ steps: count(0), lr: positive(), l1: nonNegative() }),
  /**
   * When the polished circuit's training loss stays above `above`, links of the starting
   * circuit among the neurons still in use come back (new ones at scale·N(0,1)) and the run
   * trains `steps` steps at `lr` and sparsifies again, at most `max` times.
   */
  regrow: z.strictObject({ max: count(0), above: nonNegative(), scale: nonNegative(), steps: count(0), lr: positive() }),
  /**
   * An attempt passes when its training loss, its worst error on the validation strings
   * (training-side data with long windows, not the test suite) and its size are within
   * bounds; otherwise up to `max` more attempts start from fresh random initialisations
   * (seeded), and the best attempt is kept. Not for matrix starts (nothing random to redo).
   */
  /**
   * The minimality certificate at the end of each attempt (minimality.ts): each remaining
   * link's removal, and each replacement of a relaying neuron by a direct link or a
   * constant, retrained `steps` steps from the current weights at `lr`; a move that keeps
   * the verdict (the restart bounds) is kept, and the run records for every link of the
   * result the best loss reached without it. With `restartAbove`, a passing attempt whose
   * certified circuit still has more than `stop.targetLinks` soft links is followed by a
   * restart (while `restarts.max` allows), and the smallest passing attempt is kept.
   */
  certificate: z
    .strictObject({ enabled: z.boolean(), steps: count(1).max(100_000), lr: positive(), restartAbove: z.boolean() })
    .default({ enabled: true, steps: 300, lr: 0.01, restartAbove: true }),
  /**
   * Guards against the spikes of recurrent machines (absent: none). `spikeFactor`: a step
   * whose training loss rises above this multiple of the previous step's (or stops being
   * finite) is undone — the weights and optimiser state go back to before the step that
   * caused it — and the learning rate of the rest of that training call is multiplied by
   * `spikeLrFactor`; each undo is a `spike` event (0 = off). `clipNorm`: the gradient is
   * scaled down to this Euclidean norm before the optimiser sees it (0 = off).
   */
  stability: z
    .strictObject({
      spikeFactor: z.union([z.literal(0), z.number().gt(1, 'must be > 1 (or 0: off)').max(1e12)]),
      spikeLrFactor: z.number().gt(0).lt(1),
      clipNorm: nonNegative(),
    })
    .optional(),
  restarts: z.strictObject({
    max: count(0),
    trainLoss: nonNegative(),
    validationWorst: nonNegative(),
    links: count(0),
    validation: z.array(DataStringSchema).min(1),
  }),
});

export type Schedule = z.infer<typeof ScheduleSchema>;
export type ScheduleInput = z.input<typeof ScheduleSchema>;
export type StartPoint = Schedule['start'];
export type EstimatorSettings = Schedule['estimator'];

const { seed: _seed, ...referenceArchitecture } = REFERENCE_ARCHITECTURE;

/** The default schedule: from the 1486-weight machine to a compact detector. */
export function defaultSchedule(seed = 1): Schedule {
  return {
    version: 1,
    seed,
    start: { kind: 'generate', architecture: { ...referenceArchitecture, types: [...referenceArchitecture.types] } },
    training: { strings: DEFAULT_TRAINING_SET.map((s) => ({ ...s })) },
    testSuite: DEFAULT_TEST_SUITE.map((s) => ({ ...s })),
    estimator: { kind: 'gradient', gradients: 'exact' },
    optimizer: { lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    dense: { steps: 400, until: 0.05, l1: 0.001, l2: 0, lrDecay: true },
    rounds: {
      l1: { start: 0.003, factor: 1.5, max: 0.03, fine: 0.001 },
      cut: { kind: 'fraction', fraction: 0.5 },
      fineBelow: 30,
      fineTries: 60,
      retrain: { chunk: 50, budget: 200, lr: 0.01, fineLr: 0.01, fineBudget: 400, optimizer: 'trim', abortFactor: 20 },
      accept: { ceiling: 2, fineCeiling: 0.02, tolerance: 1 },
      backtrack: { gentler: 0.5 },
      dropDead: true,
      mergeParallel: true,
    },
    stop: { targetLinks: 8, stepBudget: 30_000, divergence: 1000 },
    polish: { steps: 400, lr: 0.003, l1: 0 },
    regrow: { max: 3, above: 0.01, scale: 0.01, steps: 600, lr: 0.01 },
    certificate: { enabled: true, steps: 300, lr: 0.01, restartAbove: true },
    restarts: { max: 3, trainLoss: 1e-3, validationWorst: 0.01, links: 12, validation: DEFAULT_VALIDATION_SET.map((s) => ({ ...s })) },
  };
}

export class ScheduleError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid schedule: ${issues.join('; ')}`);
    this.name = 'ScheduleError';
  }
}

/** Validates a schedule (e.g. parsed from a file), naming each offending field. */
export function parseSchedule(data: unknown): Schedule {
  const r = ScheduleSchema.safeParse(data);
  if (!r.success) {
    throw new ScheduleError(r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`));
  }
  return r.data;
}

/**
 * A schedule as a request or a file gives it: the whole schedule, or only what differs from
 * a base (the default schedule, a hyperparameter set, a parent run's schedule). Only its
 * shape is checked on receipt (an object of schedule fields); it is validated as a whole
 * once, after merging (scheduleFromOverrides, or the store when a run is created).
 */
export type ScheduleOverrides = { readonly [K in keyof ScheduleInput]?: unknown };

export const ScheduleOverridesSchema = z.custom<ScheduleOverrides>(isPlainObject, 'a schedule (an object of schedule fields)');

/**
 * The overrides merged over defaultSchedule(seed) object by object (arrays and the start
 * point replace), `seed` (when given) set last: a schedule still to be validated.
 */
export function mergeOverDefault(overrides: unknown, seed?: number): unknown {
  const base = defaultSchedule(seed ?? 1) as unknown;
  const merged = mergeOverrides(base, overrides);
  if (seed !== undefined && typeof merged === 'object' && merged !== null) (merged as Record<string, unknown>)['seed'] = seed;
  return merged;
}

/**
 * A schedule file may give only what differs from the default: it is merged over
 * defaultSchedule(seed) (mergeOverDefault), then validated.
 */
export function scheduleFromOverrides(overrides: unknown, seed?: number): Schedule {
  return parseSchedule(mergeOverDefault(overrides, seed));
}

/**
 * How schedule overrides merge over a base (the default schedule, a hyperparameter set, a
 * parent run's schedule): objects key by key, unless `over` names a different `kind` of a
 * discriminated union (then it replaces); arrays and scalars replace. The one definition,
 * used by the CLI, the lab service and the New-run form.
 */
export function mergeOverrides(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  // a different variant of a discriminated union replaces the whole object
  if ('kind' in over && over['kind'] !== base['kind']) return over;
  // so does a different topology of a generated start (a recurrent start has no layered architecture)
  if ('topology' in over && (over['topology'] ?? 'layered') !== (base['topology'] ?? 'layered')) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeOverrides(base[k], v);
  return out;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * What a recurrent start changes in the default schedule, besides the start itself (measured
 * on the 5-copy recurrent machine, see the README): a smaller learning rate (at 0.02 the
 * dense phase stalls near a loss of 446), a longer dense phase, and threshold cuts (a
 * fraction cut of a fully connected recurrent machine removes links its loops still need).
 * Given as overrides of the default schedule; a schedule file's fields go over them.
 * (A schedule file alone that names a recurrent start keeps the layered defaults of
 * everything else.)
 */
export function recurrentScheduleOverrides(recurrent: z.input<typeof RecurrentStartSchema>): Record<string, unknown> {
  return {
    start: { kind: 'generate', topology: 'recurrent', recurrent },
    optimizer: { lr: 0.003 },
    dense: { steps: 2000 },
    rounds: {
      cut: { kind: 'threshold', threshold: 0.01, factor: 1.5 },
      retrain: { budget: 400, lr: 0.003, fineLr: 0.005 },
    },
    // one attempt takes 8–12 min of a loaded 2-core machine: a certified circuit above the
    // target is kept rather than restarted, and a failed attempt gets one more try
    stop: { stepBudget: 20_000 },
    certificate: { restartAbove: false },
    restarts: { max: 1 },
  };
}
