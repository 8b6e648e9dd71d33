/**
 * Errors that mean "the database cannot be written right now" — the disk is full, the file
 * or its folder became read-only, an I/O error — as opposed to a bad request or a bug. The
 * lab reacts to these by holding its runs (nothing is lost: their processes keep what is
 * unacknowledged) and saying why, instead of failing runs or ending.
 */

/** A readable reason when `e` means the database cannot be written, else undefined. */
export function cannotWriteReason(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  // SHMSIZE: no room to grow SQLite's shared-memory file, which on Linux means ENOSPC
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE' || code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return `the database cannot be written (${code})`;
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return `the disk reported an error writing the database (${code})`;
  return undefined;
}

export const isDiskFull = (e: unknown): boolean => cannotWriteReason(e) === 'the disk is full';
