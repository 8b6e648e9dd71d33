/**
 * The numeric fields of a schedule as dotted paths (`optimizer.lr`, `rounds.cut.fraction`,
 * `estimator.sigma`…), read off the schedule's zod schema — every variant of every union —
 * so the filter knows exactly the paths a condition can match, and stays right when the
 * schedule grows.
 */
import { z } from 'zod';
import { ScheduleSchema } from '@shared/synthesis/schedule';

function walk(s: z.ZodType, path: readonly string[], out: Set<string>): void {
  if (s instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(s.shape)) walk(v as z.ZodType, [...path, k], out);
  } else if (s instanceof z.ZodUnion) {
    // discriminated unions are unions too
    for (const o of s.options) walk(o as z.ZodType, path, out);
  } else if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) {
    walk(s.unwrap() as z.ZodType, path, out);
  } else if (s instanceof z.ZodNumber && path.length > 0) {
    out.add(path.join('.'));
  }
}

/** Numeric leaves of `schema` (objects, unions, optional and default wrappers; arrays are not addressable). */
export function numericPaths(schema: z.ZodType): string[] {
  const out = new Set<string>();
  walk(schema, [], out);
  return [...out];
}

let memo: readonly string[] | undefined;

/** The numeric paths of a run's schedule. */
export function schedulePaths(): readonly string[] {
  memo ??= numericPaths(ScheduleSchema);
  return memo;
}
