/**
 * A problem's default schedule: the default schedule with the problem's data (training
 * strings, validation strings, test suite), its generated start (layers, copies, types,
 * skips, scale) and its own schedule overrides merged over it. A run's schedule is this
 * with the run's overrides merged over it, so `synth --problem NAME` alone runs the
 * problem's defaults; for `duplicates` it is exactly the default schedule.
 */
import { defaultSchedule, mergeOverrides, parseSchedule, type Schedule } from '../synthesis/schedule';
import type { Problem } from './problem';

/** The problem's defaults as a (not yet validated) schedule object. */
export function problemScheduleBase(p: Problem, seed = 1): Record<string, unknown> {
  const base = defaultSchedule(seed);
  const s = p.search;
  const own: Record<string, unknown> = {
    start: {
      kind: 'generate',
      architecture: {
        layers: s.layers,
        copies: s.copies,
        types: [...s.types],
        skip: s.skip,
        scale: s.scale,
        ...(s.pushDepth !== undefined ? { pushDepth: s.pushDepth } : {}),
        ...(s.recurrent ? { recurrent: true } : {}),
      },
    },
    training: { strings: p.data.training.map((x) => ({ ...x })) },
    testSuite: p.data.test.map((x) => ({ ...x })),
    restarts: { validation: p.data.validation.map((x) => ({ ...x })) },
  };
  const withData = mergeOverrides(base, own);
  return mergeOverrides(withData, s.schedule) as Record<string, unknown>;
}

/** The schedule of a run of `p`: its defaults, then `overrides` (and `seed`), validated. */
export function scheduleForProblem(p: Problem, overrides: unknown = {}, seed?: number): Schedule {
  const merged = mergeOverrides(problemScheduleBase(p, seed ?? 1), overrides);
  if (seed !== undefined && typeof merged === 'object' && merged !== null) (merged as Record<string, unknown>)['seed'] = seed;
  return parseSchedule(merged);
}
