/**
 * What the lab's banner says about whether the lab can write (`lab.status`): nothing while
 * it writes normally; "Disk full" while runs are held for space; "Read-only" when the
 * database could not be opened for writing or is damaged.
 */
import type { LabStatus } from '@shared/api/contract';

export interface LabBanner {
  readonly title: string;
  readonly detail: string;
}

export function labBanner(s: LabStatus | undefined): LabBanner | undefined {
  if (!s || s.mode === 'read-write') return undefined;
  if (s.mode === 'disk-full') return { title: 'Disk full', detail: s.reason };
  return { title: 'Read-only', detail: s.reason };
}
