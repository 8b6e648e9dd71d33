/**
 * Hyperparameters as rows: a schedule (any JSON value) flattened to dotted paths such as
 * `optimizer.lr` or `training.strings[0].text` (the paths the run browser filters on, with
 * array indices in brackets), and the rows of several runs side by side with a flag for
 * the paths whose values differ.
 */

export type Scalar = string | number | boolean | null;

export interface HyperRow {
  readonly path: string;
  /** One value per run; undefined where a run's schedule lacks the path. */
  readonly values: readonly (Scalar | undefined)[];
  readonly differs: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Flattens a value in key order: objects by key (`a.b`), arrays by index (`a[0]`), except an
 * array of scalars (e.g. the architecture's types), which stays one readable value. An
 * empty object or array is one value too ("{}", "[]").
 */
export function flattenSchedule(value: unknown, prefix = ''): Map<string, Scalar> {
  const out = new Map<string, Scalar>();
  const walk = (v: unknown, path: string): void => {
    if (isScalar(v)) {
      out.set(path, v);
    } else if (Array.isArray(v)) {
      if (v.length === 0) out.set(path, '[]');
      else if (v.every(isScalar)) out.set(path, `[${v.map(formatScalar).join(', ')}]`);
      else v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (isPlainObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) out.set(path, '{}');
      for (const k of keys) walk(v[k], path ? `${path}.${k}` : k);
    } else {
      out.set(path, String(v));
    }
  };
  walk(value, prefix);
  return out;
}

/** A value as a table cell shows it (numbers in full precision, strings unquoted). */
export function formatScalar(v: Scalar | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'null';
  return String(v);
}

/** Rows of every path any schedule has, in first-seen order; `differs` when not all runs agree. */
export function diffHyperparameters(schedules: readonly unknown[]): HyperRow[] {
  const flat = schedules.map((s) => flattenSchedule(s));
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flat) {
    for (const p of f.keys()) {
      if (!seen.has(p)) {
        seen.add(p);
        paths.push(p);
      }
    }
  }
  return paths.map((path) => {
    const values = flat.map((f) => (f.has(path) ? f.get(path) : undefined));
    const first = values[0];
    const differs = values.some((v) => !Object.is(v, first));
    return { path, values, differs };
  });
}
