/**
 * One writer per database file. A lab recovers runs it finds "running" as interrupted and
 * launches queued runs, and the command line's writers (`synth --db`, `runs import`) add
 * runs: two of them on one file would mark each other's live runs interrupted or start a
 * queued run twice. So every writer holds the file's lock while it writes.
 *
 * The lock is a SQLite-level guard: an (empty) SQLite file beside the database, `<db>.lock`,
 * on which the holder keeps an EXCLUSIVE transaction open in exclusive locking mode. The
 * operating system's file lock behind it is taken atomically (two processes racing for it
 * cannot both win) and is released by the kernel when the holder's process ends in any way
 * (a crash, kill -9), so there is no stale lock to take over and no process id to trust: a
 * reused pid cannot lock anyone out. The guard file itself is never deleted (deleting a lock
 * file others may have open is what makes lock files race). Who holds it is written to
 * `<db>.lock-owner` (JSON, informational) for the refusal message.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

export class LabLockedError extends Error {
  constructor(
    readonly db: string,
    /** The holder's process id (NaN when it could not be read). */
    readonly pid: number,
    /** What holds it: "the lab", "synth --db", … */
    readonly holder: string,
  ) {
    const who = Number.isInteger(pid) ? `process ${pid}${holder ? `, ${holder}` : ''}` : holder || 'another process';
    super(`${db} is in use by another DMM Lab (${who}); close that one first, or open another database (--db)`);
    this.name = 'LabLockedError';
  }
}

export const lockFileOf = (db: string): string => `${db}.lock`;
export const lockOwnerFileOf = (db: string): string => `${db}.lock-owner`;

export interface LockOptions {
  /** What takes the lock, shown to whoever is refused (default "the lab"). */
  readonly holder?: string;
  /** better-sqlite3 build for this runtime (Electron's ABI in the app). */
  readonly nativeBinding?: string;
}

interface Owner {
  pid: number;
  holder: string;
}

function readOwner(db: string): Owner {
  try {
    const o = JSON.parse(readFileSync(lockOwnerFileOf(db), 'utf8')) as Partial<Owner>;
    return { pid: Number.isInteger(o.pid) ? (o.pid as number) : NaN, holder: typeof o.holder === 'string' ? o.holder : '' };
  } catch {
    return { pid: NaN, holder: '' };
  }
}

/** A lock file written by an older build (a pid as text) is not a SQLite file: it is replaced. */
function replaceLegacyLockFile(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return;
  }
  if (size === 0) return;
  const head = readFileSync(file).subarray(0, 16).toString('latin1');
  if (head !== 'SQLite format 3\0') rmSync(file, { force: true });
}

/**
 * Takes the lock of `db` for this process; returns its release. Throws LabLockedError when
 * another writer (in this process or another) holds it.
 */
export function acquireLabLock(db: string, opts: LockOptions = {}): () => void {
  const file = lockFileOf(db);
  replaceLegacyLockFile(file);
  // Openers racing for BEGIN EXCLUSIVE can each hold for a moment the SHARED lock another one
  // needs, and then all of them give up: a busy answer is retried a few times after a short
  // random pause before it counts as "held by another writer".
  for (let attempt = 0; ; attempt++) {
    try {
      return tryAcquire(db, file, opts);
    } catch (e) {
      if (!(e instanceof LabLockedError) || attempt >= 4) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20);
    }
  }
}

function tryAcquire(db: string, file: string, opts: LockOptions): () => void {
  const guard = new Database(file, { timeout: 0, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
  try {
    guard.pragma('locking_mode = EXCLUSIVE');
    guard.pragma('journal_mode = MEMORY'); // no journal file: the lock is taken even when the disk is full
    guard.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    guard.close();
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      const owner = readOwner(db);
      throw new LabLockedError(db, owner.pid, owner.holder);
    }
    throw e;
  }
  const holder = opts.holder ?? 'the lab';
  try {
    const tmp = `${lockOwnerFileOf(db)}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ pid: process.pid, holder, since: Date.now() }) + '\n');
    renameSync(tmp, lockOwnerFileOf(db));
  } catch {
    // informational only: the guard is what locks
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (readOwner(db).pid === process.pid) rmSync(lockOwnerFileOf(db), { force: true });
    try {
      guard.exec('ROLLBACK');
    } finally {
      guard.close();
    }
  };
}
