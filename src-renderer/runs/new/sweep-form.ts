/**
 * The New-run form's Sweep mode as data: rows of axes (a schedule field by its dotted path
 * and its values written as the command line writes them — `1-3`, `0.003,0.01`,
 * `random:0.001..0.1:5:log`), grid or zip, a concurrency; checked here exactly as the lab
 * will check the sweep, so a refusal is shown next to the row it is about, in plain words
 * naming the field, before anything is sent. Pure functions (no Svelte state).
 */
import { ScheduleSchema } from '@shared/synthesis/schedule';
import { AxisTextError, parseAxisText } from '@shared/sweeps/axis-text';
import {
  AxisSchema,
  axisValues,
  checkSweepSize,
  missingField,
  setPath,
  SWEEP_CONFIRM_ABOVE,
  SweepSpecError,
  type Axis,
  type SweepSpecInput,
} from '@shared/sweeps/sweep-spec';
import { isObject, type JsonObject } from './schedule-form';

export interface AxisRow {
  /** A schedule field by its dotted path (`seed`, `optimizer.lr`). */
  readonly path: string;
  /** Its values as text: `1-10`, `1-10/2`, `0.003,0.01,0.02`, `random:MIN..MAX:COUNT[:log][:seed=S]`. */
  readonly values: string;
}

export type Combine = 'grid' | 'zip';

export interface SweepForm {
  readonly axes: readonly AxisRow[];
  readonly combine: Combine;
  /** As typed. */
  readonly concurrency: string;
  /** Confirmed a sweep of more than SWEEP_CONFIRM_ABOVE runs. */
  readonly confirm: boolean;
}

export interface SweepCheck {
  /** Messages by anchor: `axes.N` (a row), `combine`, `concurrency`, `confirm`. */
  readonly errors: Readonly<Record<string, string[]>>;
  readonly count: number;
  /** The number of runs, when the axes can be counted (also while a value is refused). */
  readonly runs?: number;
  /** Whether the count needs confirming. */
  readonly needsConfirm: boolean;
  /** The request, when nothing is wrong. */
  readonly spec?: SweepSpecInput;
}

/** Values tried against the schedule per axis (a longer axis is checked on its first ones here; the lab checks all). */
const VALUES_CHECKED = 200;

export const DEFAULT_SWEEP_FORM: SweepForm = { axes: [{ path: 'seed', values: '1-3' }], combine: 'grid', concurrency: '2', confirm: false };

/** Every field of a schedule that an axis can set, by dotted path (leaves: numbers, text, booleans; lists and matrices are not axes). */
export function sweepablePaths(schedule: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown, path: string): void => {
    if (isObject(x)) {
      if (path === 'start.matrix') return;
      for (const [k, v] of Object.entries(x)) walk(v, path ? `${path}.${k}` : k);
    } else if (!Array.isArray(x) && x !== null && path) out.push(path);
  };
  walk(schedule, '');
  return out.sort((a, b) => (a === 'seed' ? -1 : b === 'seed' ? 1 : a.localeCompare(b)));
}

/** The first message of a schedule check on a value, in words (`optimizer.lr: must be > 0`). */
function scheduleRefusal(schedule: JsonObject, path: string, value: unknown): string | undefined {
  const r = ScheduleSchema.safeParse(setPath(schedule, path, value));
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  if (!issue) return 'the schedule refuses it';
  const where = issue.path.join('.');
  return where && where !== path ? `${where}: ${issue.message}` : issue.message;
}

const shown = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

/**
 * Checks the sweep form over `schedule` (the whole schedule the form's other fields give,
 * already valid): each row's path and values, the count, the concurrency; returns the request
 * when nothing is wrong.
 */
export function checkSweepForm(
  f: SweepForm,
  schedule: JsonObject | undefined,
  base: Pick<SweepSpecInput, 'name' | 'problem' | 'tags'>,
): SweepCheck {
  const errors: Record<string, string[]> = {};
  const add = (anchor: string, message: string) => (errors[anchor] ??= []).push(message);
  const axes: Axis[] = [];
  if (f.axes.length === 0) add('axes', 'add at least one field to sweep over');
  f.axes.forEach((row, i) => {
    const anchor = `axes.${i}`;
    const path = row.path.trim();
    if (path === '') return add(anchor, 'choose a schedule field');
    if (row.values.trim() === '') return add(anchor, `${path}: give its values (e.g. 1-10 or 0.003,0.01)`);
    let axis: Axis;
    try {
      const parsed = AxisSchema.safeParse(parseAxisText(`${path}=${row.values}`));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const at = issue?.path.filter((p) => p !== 'path').join('.');
        const message = issue?.message ?? 'not an axis';
        return add(anchor, `${path}: ${at && !message.startsWith(at) ? `${at}: ` : ''}${message}`);
      }
      axis = parsed.data;
    } catch (e) {
      return add(anchor, e instanceof AxisTextError ? e.message : String(e));
    }
    axes.push(axis);
    if (schedule) {
      const missing = missingField(schedule, path);
      if (missing) return add(anchor, `${path} is not a field of this schedule: ${missing}`);
      for (const v of axisValues(axis).slice(0, VALUES_CHECKED)) {
        const why = scheduleRefusal(schedule, path, v);
        if (why) return add(anchor, `${path} = ${shown(v)} is refused: ${why}`);
      }
    }
  });

  const concurrency = Number(f.concurrency.trim());
  if (f.concurrency.trim() === '' || !Number.isInteger(concurrency)) add('concurrency', 'concurrency must be a whole number');
  else if (concurrency < 1) add('concurrency', 'concurrency must be at least 1');
  else if (concurrency > 1024) add('concurrency', 'concurrency must be at most 1024');

  let runs: number | undefined;
  let needsConfirm = false;
  if (axes.length === f.axes.length && axes.length > 0) {
    try {
      runs = checkSweepSize({ axes, combine: f.combine, confirm: true });
      needsConfirm = runs > SWEEP_CONFIRM_ABOVE;
      if (needsConfirm && !f.confirm)
        add('confirm', `the sweep makes ${runs} runs (more than ${SWEEP_CONFIRM_ABOVE}): tick "I mean it" to start it`);
    } catch (e) {
      if (e instanceof SweepSpecError) {
        const row = /^axes\[(\d+)\]/.exec(e.field);
        add(row ? `axes.${row[1]}` : e.field === 'axes' ? 'axes' : 'combine', e.message.replace(/^axes\[\d+\](\.path)?: /, ''));
      } else throw e;
    }
  }
  const count = Object.values(errors).reduce((n, l) => n + l.length, 0);
  if (count > 0 || !schedule || runs === undefined) return { errors, count, needsConfirm, ...(runs !== undefined ? { runs } : {}) };
  const spec: SweepSpecInput = {
    ...(base.name ? { name: base.name } : {}),
    problem: base.problem,
    schedule,
    axes: f.axes.map((row) => parseAxisText(`${row.path.trim()}=${row.values}`)),
    combine: f.combine,
    concurrency,
    ...(needsConfirm ? { confirm: true } : {}),
    ...(base.tags && base.tags.length > 0 ? { tags: base.tags } : {}),
  };
  return { errors, count, runs, needsConfirm, spec };
}
