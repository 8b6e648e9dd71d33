/**
 * The API's read-only methods, on any RunStore: the lab's own (in-process) and the
 * read-only ones the reader threads open (reader-worker.ts), so that reads can run beside
 * the writer without a second definition.
 */
import type { ApiHandlers, ApiMethod } from '../../src-shared/api/contract';
import type { RunStore } from '../store/run-store';

export const READ_METHODS = [
  'problems.list',
  'problems.get',
  'runs.list',
  'runs.get',
  'runs.metrics',
  'runs.events',
  'runs.snapshots',
  'runs.export',
  'snapshots.get',
  'architectures.list',
  'architectures.get',
  'hyperSets.list',
  'views.list',
  'comparisons.list',
  'comparisons.get',
  'sweeps.list',
  'sweeps.get',
] as const satisfies readonly ApiMethod[];
export type ReadMethod = (typeof READ_METHODS)[number];

const READS = new Set<string>(READ_METHODS);
export const isReadMethod = (m: string): m is ReadMethod => READS.has(m);

export function readHandlers(store: RunStore): Pick<ApiHandlers, ReadMethod> {
  return {
    'problems.list': () => store.listProblems(),
    'problems.get': ({ id, version }) => store.getProblem(id, version),
    'runs.list': (q) => store.listRuns(q),
    'runs.get': ({ id }) => store.getRun(id),
    'runs.metrics': ({ id, afterStep, maxPoints, smoothing }) =>
      store.metrics(id, {
        ...(afterStep !== undefined ? { afterStep } : {}),
        ...(maxPoints !== undefined ? { maxPoints } : {}),
        ...(smoothing !== undefined ? { smoothing } : {}),
      }),
    'runs.events': ({ id, afterId, limit }) => store.listEvents(id, afterId, limit),
    'runs.snapshots': ({ id }) => store.listSnapshots(id),
    'runs.export': ({ ids }) => ids.map((id) => store.exportRun(id)),
    'snapshots.get': ({ id }) => store.getSnapshot(id),
    'architectures.list': () => store.listArchitectures(),
    'architectures.get': ({ id }) => store.getArchitecture(id),
    'hyperSets.list': () => store.listHyperSets(),
    'views.list': () => store.listViews(),
    'comparisons.list': () => store.comparisons.list(),
    'comparisons.get': ({ id }) => store.comparisons.get(id),
    'sweeps.list': ({ trash }) => store.sweeps.list(trash === true),
    'sweeps.get': ({ id }) => store.sweeps.get(id),
  };
}
