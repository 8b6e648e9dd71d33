/**
 * Opens the lab's SQLite database: WAL (readers never block the one writer), foreign keys
 * enforced, synchronous=NORMAL (a commit is durable once the WAL is checkpointed; a power
 * cut can lose the last commits but never corrupts the file), a busy timeout for a second
 * process, and the schema migrated to this build's version. `':memory:'` works (tests).
 *
 * A new file is created with auto_vacuum=INCREMENTAL (it can only be chosen before the
 * first table exists), so purging runs can give space back without rewriting the file.
 */
import Database from 'better-sqlite3';
import { migrate } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Milliseconds to wait for another connection's write lock (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Path of a better_sqlite3.node built for the running runtime (the Electron app passes the
   * build for Electron's ABI; Node and the tests leave it out and get the default build).
   */
  readonly nativeBinding?: string;
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const timeout = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
  const db = new Database(file, options.nativeBinding ? { timeout, nativeBinding: options.nativeBinding } : { timeout });
  try {
    db.pragma(`busy_timeout = ${timeout}`);
    const tables = (db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number }).n;
    if (tables === 0) db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
