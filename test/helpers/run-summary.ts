/** RunSummary records for renderer and contract tests: a queued run with no figures yet, plus what a test sets. */
import type { RunSummary } from '../../src-shared/api/records';

export function runSummary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 1,
    name: 'run 1',
    problem: 'duplicates',
    problemVersion: 1,
    status: 'queued',
    verdict: 'none',
    statusReason: '',
    estimator: 'gradient',
    seed: 1,
    architectureId: null,
    hyperSetId: null,
    parentRunId: null,
    parentSnapshotId: null,
    createdAt: 0,
    startedAt: null,
    endedAt: null,
    steps: 0,
    stepBudget: 10,
    softLinks: null,
    finalLoss: null,
    bestLoss: null,
    testLoss: null,
    testWorst: null,
    tags: [],
    startPoint: '',
    deletedAt: null,
    sweepId: null,
    ranOn: null,
    ...over,
  };
}
