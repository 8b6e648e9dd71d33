/**
 * A sweep as data: a base schedule (only what differs from the problem's defaults), axes —
 * each a list of values for one schedule field named by its dotted path (`optimizer.lr`,
 * `seed`, `rounds.cut.fraction`), given as values, an integer range or seeded random
 * samples — combined as a grid (every combination) or a zip (the i-th value of every axis
 * together), and how many of its runs may train at once.
 *
 * Everything here is pure: the points a sweep expands to are a function of its definition
 * (random samples come from the axis's own seed), so a stored sweep can be expanded again
 * and gives the same runs.
 */
import { z } from 'zod';
import { Rng } from '../util/rng';
import { ScheduleOverridesSchema } from '../synthesis/schedule';

/** Runs a sweep may have without `confirm: true`. */
export const SWEEP_CONFIRM_ABOVE = 10_000;
/** Runs a sweep may never exceed, confirmed or not. */
export const SWEEP_MAX_RUNS = 100_000;

const path = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, 'a schedule field by its dotted path, like optimizer.lr')
  .max(200);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/** A value an axis may give a field: JSON (what a schedule is made of). */
const AxisValueSchema = z.json();

export const AxisSchema = z.discriminatedUnion('kind', [
  /** These values, in this order. */
  z.strictObject({ kind: z.literal('values'), path, values: z.array(AxisValueSchema).min(1).max(SWEEP_MAX_RUNS) }),
  /** Integers from `from` to `to` inclusive, `step` apart (seeds: `seed` 1..10). */
  z
    .strictObject({
      kind: z.literal('range'),
      path,
      from: z.number().int(),
      to: z.number().int(),
      step: z.number().int().min(1).default(1),
    })
    .refine((a) => a.to >= a.from, { message: 'to must be ≥ from', path: ['to'] }),
  /** `count` numbers drawn uniformly in [min, max] (or log-uniformly), from the axis's own seed. */
  z
    .strictObject({
      kind: z.literal('random'),
      path,
      count: z.number().int().min(1).max(SWEEP_MAX_RUNS),
      min: finite,
      max: finite,
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
      scale: z.enum(['linear', 'log']).default('linear'),
      /** Round each sample to an integer. */
      integer: z.boolean().default(false),
    })
    .refine((a) => a.max >= a.min, { message: 'max must be ≥ min', path: ['max'] })
    .refine((a) => a.scale !== 'log' || a.min > 0, { message: 'a log scale needs min > 0', path: ['min'] }),
]);
export type Axis = z.output<typeof AxisSchema>;
export type AxisInput = z.input<typeof AxisSchema>;

export const SweepSpecSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  problem: z.string().min(1).max(64).default('duplicates'),
  /** The problem's version (default: its latest). */
  problemVersion: z.number().int().min(1).optional(),
  /** The base schedule: only what differs from the problem's defaults (each point is set over it). */
  schedule: ScheduleOverridesSchema.default({}),
  axes: z.array(AxisSchema).min(1, 'a sweep needs at least one axis').max(16),
  /** `grid`: every combination of the axes' values; `zip`: the i-th value of every axis together (equal lengths). */
  combine: z.enum(['grid', 'zip']).default('grid'),
  /** Runs of this sweep training at once (at most; the lab's own limit applies too). */
  concurrency: z.number().int().min(1, 'concurrency must be at least 1').max(1024),
  /** Required for a sweep of more than SWEEP_CONFIRM_ABOVE runs. */
  confirm: z.boolean().optional(),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
});
export type SweepSpec = z.output<typeof SweepSpecSchema>;
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;

/** One run of a sweep: a value for each axis's path. */
export type SweepPoint = Readonly<Record<string, unknown>>;

/** A sweep definition that cannot be expanded: `field` names what is wrong (e.g. `axes[1].path`). */
export class SweepSpecError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'SweepSpecError';
  }
}

/** How many values an axis gives. */
export function axisSize(a: Axis): number {
  switch (a.kind) {
    case 'values':
      return a.values.length;
    case 'range':
      return Math.floor((a.to - a.from) / a.step) + 1;
    case 'random':
      return a.count;
  }
}

/** The values of one axis, in order. */
export function axisValues(a: Axis): unknown[] {
  switch (a.kind) {
    case 'values':
      return a.values.slice();
    case 'range': {
      const out: number[] = [];
      for (let v = a.from; v <= a.to; v += a.step) out.push(v);
      return out;
    }
    case 'random': {
      const rng = new Rng(a.seed);
      const out: number[] = [];
      for (let i = 0; i < a.count; i++) {
        const u = rng.next();
        let v = a.scale === 'log' ? Math.exp(Math.log(a.min) + u * (Math.log(a.max) - Math.log(a.min))) : a.min + u * (a.max - a.min);
        if (a.integer) v = Math.round(v);
        out.push(v);
      }
      return out;
    }
  }
}

/**
 * The number of runs the sweep makes, without expanding it (so a huge grid is refused
 * cheaply). Throws SweepSpecError for paths given twice and zipped axes of unequal lengths.
 */
export function sweepSize(spec: Pick<SweepSpec, 'axes' | 'combine'>): number {
  const seen = new Map<string, number>();
  spec.axes.forEach((a, i) => {
    const before = seen.get(a.path);
    if (before !== undefined) throw new SweepSpecError(`axes[${i}].path`, `${a.path} is already the path of axes[${before}]`);
    seen.set(a.path, i);
  });
  const sizes = spec.axes.map(axisSize);
  if (spec.combine === 'zip') {
    const n = sizes[0] ?? 0;
    sizes.forEach((s, i) => {
      if (s !== n) throw new SweepSpecError(`axes[${i}]`, `a zip needs axes of equal length: axes[0] has ${n} values, axes[${i}] has ${s}`);
    });
    return n;
  }
  return sizes.reduce((p, s) => p * s, 1);
}

/** Refuses a sweep too large to make (or too large to make without `confirm`), naming the field. */
export function checkSweepSize(spec: Pick<SweepSpec, 'axes' | 'combine' | 'confirm'>): number {
  const n = sweepSize(spec);
  if (n > SWEEP_MAX_RUNS) throw new SweepSpecError('axes', `the sweep would make ${n} runs, more than the limit of ${SWEEP_MAX_RUNS}`);
  if (n > SWEEP_CONFIRM_ABOVE && spec.confirm !== true)
    throw new SweepSpecError(
      'confirm',
      `the sweep would make ${n} runs (more than ${SWEEP_CONFIRM_ABOVE}): confirm it (confirm: true, --confirm)`,
    );
  return n;
}

/** Every point of the sweep, in order (grid: the last axis varies fastest). */
export function sweepPoints(spec: Pick<SweepSpec, 'axes' | 'combine' | 'confirm'>): SweepPoint[] {
  const n = checkSweepSize(spec);
  const values = spec.axes.map(axisValues);
  const points: SweepPoint[] = [];
  for (let k = 0; k < n; k++) {
    const p: Record<string, unknown> = {};
    if (spec.combine === 'zip') spec.axes.forEach((a, i) => (p[a.path] = (values[i] as unknown[])[k]));
    else {
      const at: number[] = [];
      let rest = k;
      for (let i = spec.axes.length - 1; i >= 0; i--) {
        const n = (values[i] as unknown[]).length;
        at[i] = rest % n;
        rest = Math.floor(rest / n);
      }
      // keys in axis order
      spec.axes.forEach((a, i) => (p[a.path] = (values[i] as unknown[])[at[i] as number]));
    }
    points.push(p);
  }
  return points;
}

/** `obj` with the field at dotted `path` set to `value` (copies along the path; `obj` is unchanged). */
export function setPath(obj: Readonly<Record<string, unknown>>, dotted: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = dotted.split('.') as [string, ...string[]];
  const out: Record<string, unknown> = { ...obj };
  if (rest.length === 0) out[head] = value;
  else {
    const inner = out[head];
    out[head] = setPath(isRecord(inner) ? inner : {}, rest.join('.'), value);
  }
  return out;
}

/**
 * Whether the schedule `schedule` has a field at dotted `path`; if not, the message names the
 * first missing part and what its parent has instead.
 */
export function missingField(schedule: unknown, dotted: string): string | undefined {
  let at: unknown = schedule;
  const parts = dotted.split('.');
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i] as string;
    const where = parts.slice(0, i).join('.') || 'the schedule';
    if (!isRecord(at)) return `${where} is not an object of fields`;
    if (!Object.hasOwn(at, key)) return `${where} has no field "${key}" (it has ${Object.keys(at).join(', ')})`;
    at = at[key];
  }
  return undefined;
}

/** A point in a few words, for a run's name: `seed=3 optimizer.lr=0.01`. */
export function pointLabel(p: SweepPoint): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
