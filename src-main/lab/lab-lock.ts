/**
 * One lab per database file: a lab recovers runs it finds "running" as interrupted and
 * launches queued runs, so a second lab on the same file (a second app window, `npm run lab`
 * beside the app) would mark the first one's live runs interrupted and could start a queued
 * run twice. The lock is a file beside the database holding the owner's pid, created
 * exclusively; a lock whose process is gone (a crash, kill -9) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

export class LabLockedError extends Error {
  constructor(
    readonly db: string,
    readonly pid: number,
  ) {
    super(`${db} is in use by another DMM Lab (process ${pid}); close that one first, or open another database (--db)`);
    this.name = 'LabLockedError';
  }
}

export const lockFileOf = (db: string): string => `${db}.lock`;

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of `db` for this process (throws LabLockedError when a live process holds it); returns its release. */
export function acquireLabLock(db: string): () => void {
  const file = lockFileOf(db);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8').trim());
      } catch {
        // removed in between: try again
      }
      if (alive(owner)) throw new LabLockedError(db, owner); // this process included: one lab per file
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}
