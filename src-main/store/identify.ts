/**
 * What a file is, found out before anything writes to it: a DMM Lab database (its
 * `application_id`, or — for files from builds before the id existed — its user_version and
 * the lab's own tables), a lab database from a newer build, some other application's SQLite
 * file, or not SQLite at all. Only a missing or empty file, an empty SQLite file, or a lab
 * database this build knows may be opened for writing; every other file is refused and left
 * byte for byte as it was.
 *
 * The 100-byte SQLite header is read first; a file whose header says another application
 * owns it is refused without opening it. Otherwise the file is opened read-only to look at
 * its tables and its (WAL-aware) user_version; side files (-wal, -shm) that this look
 * created are removed again when the file turns out not to be ours.
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LAB_APPLICATION_ID, SCHEMA_VERSION, SchemaVersionError } from './migrations';
import { cannotWriteReason } from './write-errors';

export type FileIdentity =
  /** Missing, empty, or a SQLite file without tables: it can become a lab database. */
  | { readonly kind: 'new' }
  | { readonly kind: 'lab'; readonly version: number }
  | { readonly kind: 'newer'; readonly version: number }
  | { readonly kind: 'foreign'; readonly why: string }
  /** SQLite's header, but the schema cannot be read (a damaged first page). */
  | { readonly kind: 'unreadable'; readonly why: string }
  | { readonly kind: 'not-sqlite' };

/** Tables every lab database has had since its first schema version. */
const LAB_TABLES = ['problems', 'runs', 'metrics', 'events', 'snapshots', 'link_keys'];
const MAGIC = 'SQLite format 3\0';

export class NotALabDatabaseError extends Error {
  constructor(
    readonly file: string,
    readonly identity: FileIdentity,
  ) {
    super(describeRefusal(file, identity));
    this.name = 'NotALabDatabaseError';
  }
}

function describeRefusal(file: string, id: FileIdentity): string {
  switch (id.kind) {
    case 'not-sqlite':
      return `${file} is not a SQLite database (and not a DMM Lab database); it was left unchanged`;
    case 'foreign':
      return `${file} is not a DMM Lab database (${id.why}); this build will not modify it`;
    case 'unreadable':
      return `${file} cannot be read as a database (${id.why}); it was left unchanged`;
    default:
      return `${file} cannot be opened`;
  }
}

function readHeader(file: string): Buffer | undefined {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    return n === 100 ? buf : undefined;
  } finally {
    closeSync(fd);
  }
}

export interface IdentifyOptions {
  readonly nativeBinding?: string;
}

export function identifyDatabaseFile(file: string, opts: IdentifyOptions = {}): FileIdentity {
  if (!existsSync(file) || statSync(file).size === 0) return { kind: 'new' };
  const header = readHeader(file);
  if (!header || header.subarray(0, 16).toString('latin1') !== MAGIC) return { kind: 'not-sqlite' };
  const appId = header.readUInt32BE(68);
  if (appId !== 0 && appId !== LAB_APPLICATION_ID) {
    return { kind: 'foreign', why: `its application_id is 0x${appId.toString(16).padStart(8, '0')}, another application's` };
  }
  // the header can lag behind a WAL: look inside, read-only
  const sideFiles = [`${file}-wal`, `${file}-shm`].filter((f) => !existsSync(f));
  let identity: FileIdentity = { kind: 'not-sqlite' };
  try {
    try {
      identity = lookInside(file, opts, false);
    } catch (e) {
      // no room for SQLite's shared-memory file (a full disk): look in exclusive locking mode, which needs none
      if (!cannotWriteReason(e)) throw e;
      identity = lookInside(file, opts, true);
    }
  } catch (e) {
    identity = { kind: 'unreadable', why: e instanceof Error ? e.message : String(e) };
  } finally {
    if (identity.kind !== 'lab' && identity.kind !== 'new') {
      // leave someone else's folder as it was
      for (const f of sideFiles) rmSync(f, { force: true });
    }
  }
  return identity;
}

function lookInside(file: string, opts: IdentifyOptions, exclusive: boolean): FileIdentity {
  let identity: FileIdentity;
  // exclusive: a handle that never writes (query_only) and reads a WAL file without shared memory
  const db = new Database(file, {
    readonly: !exclusive,
    fileMustExist: true,
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
  });
  try {
    if (exclusive) {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('query_only = ON');
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    const id = db.pragma('application_id', { simple: true }) as number;
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    const missing = LAB_TABLES.filter((t) => !tables.includes(t));
    if (id !== 0 && id !== LAB_APPLICATION_ID) identity = { kind: 'foreign', why: `its application_id is 0x${id.toString(16)}` };
    else if (id === LAB_APPLICATION_ID || (version >= 1 && missing.length === 0))
      identity = version > SCHEMA_VERSION ? { kind: 'newer', version } : { kind: 'lab', version };
    else if (version === 0 && tables.length === 0) identity = { kind: 'new' };
    else {
      const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
      identity = {
        kind: 'foreign',
        why: tables.length ? `it has tables ${shown} but not the lab's ${missing.join(', ')}` : `its user_version is ${version}`,
      };
    }
  } finally {
    db.close();
  }
  return identity;
}

/** Throws NotALabDatabaseError unless the file may be opened as a lab database. */
export function requireLabFile(file: string, opts: IdentifyOptions = {}): FileIdentity {
  const id = identifyDatabaseFile(file, opts);
  if (id.kind === 'newer') throw new SchemaVersionError(id.version, SCHEMA_VERSION, file);
  if (id.kind !== 'lab' && id.kind !== 'new') throw new NotALabDatabaseError(file, id);
  return id;
}
