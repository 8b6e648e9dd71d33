/**
 * What a run's circuit is diffed against: its own problem's teacher (`teacher:NAME@VERSION`),
 * or for the duplicate detector the built-in hand-crafted detector (`hand`, the same machine).
 */
import type { RunSummary } from '@shared/api/records';

export function teacherRef(run: Pick<RunSummary, 'problem' | 'problemVersion'>): string {
  if (run.problem === 'duplicates') return 'hand';
  return `teacher:${run.problem}${run.problemVersion !== null ? `@${run.problemVersion}` : ''}`;
}

/** The link text: "Diff vs hand-crafted" or "Diff vs teacher". */
export function teacherLinkText(run: Pick<RunSummary, 'problem'>): string {
  return run.problem === 'duplicates' ? 'Diff vs hand-crafted' : 'Diff vs teacher';
}
