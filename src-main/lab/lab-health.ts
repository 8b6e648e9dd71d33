/**
 * Whether the lab can write right now (`read-write`, `disk-full`, `read-only`) and why, told
 * to every front end as a `lab.status` event, and checked by the API handlers: in
 * `disk-full` nothing new may start but purge, trash, restore, export and stopping runs
 * work; in `read-only` only reading does.
 */
import type { ApiEvent, LabStatus } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/api/dispatch';

export class LabHealth {
  private current: LabStatus = { mode: 'read-write', reason: '' };

  constructor(private readonly emit: (e: ApiEvent) => void = () => {}) {}

  get status(): LabStatus {
    return { ...this.current };
  }

  get mode(): LabStatus['mode'] {
    return this.current.mode;
  }

  set(mode: LabStatus['mode'], reason = ''): void {
    if (this.current.mode === mode && this.current.reason === reason) return;
    this.current = { mode, reason };
    this.emit({ name: 'lab.status', data: this.status });
  }

  /** For anything that adds to the database (start, import, save…): refused unless read-write. */
  requireWritable(what: string): void {
    const { mode, reason } = this.current;
    if (mode === 'disk-full')
      throw new ApiError('conflict', `cannot ${what}: ${reason}. Free disk space (or purge runs from the trash) and try again`);
    if (mode === 'read-only') throw new ApiError('conflict', `cannot ${what}: the lab is read-only (${reason})`);
  }

  /** For what frees space or ends work (purge, trash, stop): refused only when read-only. */
  requireNotReadOnly(what: string): void {
    if (this.current.mode === 'read-only') throw new ApiError('conflict', `cannot ${what}: the lab is read-only (${this.current.reason})`);
  }
}
