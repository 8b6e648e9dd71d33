/**
 * Opens the lab's SQLite database: WAL (readers never block the one writer), foreign keys
 * enforced, synchronous=NORMAL (a commit is durable once the WAL is checkpointed; a power
 * cut can lose the last commits but never corrupts the file), a busy timeout for a second
 * process, and the schema migrated to this build's version. `':memory:'` works (tests).
 *
 * Before anything writes, the file is identified (identify.ts): someone else's SQLite file,
 * a lab database from a newer build, or a file that is not SQLite is refused and left byte
 * for byte unchanged. `readonly` opens a lab database without writing anything (no journal
 * mode change, no migration; `query_only` on top).
 *
 * A new file is created with auto_vacuum=INCREMENTAL (it can only be chosen before the
 * first table exists), so purging runs can give space back without rewriting the file.
 */
import Database from 'better-sqlite3';
import { requireLabFile } from './identify';
import { migrate, SCHEMA_VERSION } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Milliseconds to wait for another connection's write lock (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Path of a better_sqlite3.node built for the running runtime (the Electron app passes the
   * build for Electron's ABI; Node and the tests leave it out and get the default build).
   */
  readonly nativeBinding?: string;
  /** Open an existing lab database for reading only: nothing in the file is written. */
  readonly readonly?: boolean;
  /**
   * With `readonly`: hold the file in exclusive locking mode, which reads a WAL database
   * without its shared-memory file — the way to read a lab whose disk is so full that not
   * even that file can be made. Other processes cannot read it meanwhile.
   */
  readonly exclusive?: boolean;
}

export class DatabaseOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseOpenError';
  }
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const timeout = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
  const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
  const memory = file === ':memory:';
  const identity = memory ? { kind: 'new' as const } : requireLabFile(file, binding);
  if (options.readonly) {
    if (memory || identity.kind !== 'lab') throw new DatabaseOpenError(`no lab database at ${file}`);
    if (identity.version !== SCHEMA_VERSION)
      throw new DatabaseOpenError(
        `database ${file} has schema version ${identity.version}, older than this build's ${SCHEMA_VERSION}: ` +
          'open it once with the lab (or a command that writes) to upgrade it, then read it',
      );
    // exclusive: a read-write handle that never writes (query_only), since SQLite reads a WAL file
    // without a shared-memory index only in exclusive locking mode, which a read-only handle cannot take
    const db = new Database(file, { readonly: !options.exclusive, fileMustExist: true, timeout, ...binding });
    try {
      if (options.exclusive) db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('query_only = ON');
      db.pragma('user_version'); // the first read: fails here, not later, if the file cannot be read this way
      return db;
    } catch (e) {
      db.close();
      throw e;
    }
  }
  const db = new Database(file, { timeout, ...binding });
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
