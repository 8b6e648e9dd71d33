/** The lab banner's wording (src-renderer/lib/lab-status.ts): nothing while the lab writes, the mode and reason otherwise. */
import { describe, expect, it } from 'vitest';
import { labBanner } from '../../src-renderer/lib/lab-status';

describe('labBanner', () => {
  it('says nothing while the lab writes normally (or before it knows)', () => {
    expect(labBanner(undefined)).toBeUndefined();
    expect(labBanner({ mode: 'read-write', reason: '' })).toBeUndefined();
  });

  it('names a full disk and a read-only lab with their reasons', () => {
    expect(labBanner({ mode: 'disk-full', reason: 'the disk is full: runs are paused' })).toEqual({
      title: 'Disk full',
      detail: 'the disk is full: runs are paused',
    });
    expect(labBanner({ mode: 'read-only', reason: 'the database is damaged' })).toEqual({
      title: 'Read-only',
      detail: 'the database is damaged',
    });
  });
});
