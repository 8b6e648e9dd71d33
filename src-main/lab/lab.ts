/**
 * A running lab: the store, the supervisor and the API handlers wired together. The
 * Electron main process, the browser host and the CLI each open one.
 *
 * Opening never makes things worse: the writer lock is taken first (lab-lock.ts); a file that
 * is not a lab database, or a newer one, is refused unchanged (store/identify.ts); a database
 * that cannot be written (disk full) is opened after giving back the disk reserve, or else
 * read-only; one that fails `PRAGMA quick_check` is opened read-only so that what is
 * readable can be exported. The lab's mode and its reason are `lab.status`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ProcessLauncher } from '../runs/launcher';
import { ForkLauncher } from '../runs/launcher';
import { recoveryDirOf } from '../runs/recovery';
import { Supervisor, type SupervisorOptions } from '../runs/supervisor';
import { requireLabFile } from '../store/identify';
import { RunStore } from '../store/run-store';
import { cannotWriteReason } from '../store/write-errors';
import { DiskFullMonitor } from './disk-full';
import { DEFAULT_RESERVE_BYTES, DiskReserve } from './disk-reserve';
import { EventHub } from './event-hub';
import { LabHealth } from './lab-health';
import { acquireLabLock } from './lab-lock';
import { ReaderPool } from './reader-pool';
import { LabService } from './service';

export interface LabOptions extends Omit<SupervisorOptions, 'emit' | 'onCannotWrite' | 'canLaunch'> {
  readonly db: string;
  readonly launcher?: ProcessLauncher;
  /** better-sqlite3 build for this runtime (Electron's ABI in the app); default: the Node build. */
  readonly nativeBinding?: string;
  /** Disk space kept in reserve beside the database for a full disk (bytes; default 8 MiB, 0: none). */
  readonly reserveBytes?: number;
  /** How often a lab whose disk is full looks for space again (ms, default 2000). */
  readonly diskRetryMs?: number;
  /** Serve reads from reader threads (reader-pool.ts; default true for a database file). */
  readonly readers?: boolean;
}

export interface Lab {
  readonly store: RunStore;
  readonly supervisor: Supervisor;
  readonly hub: EventHub;
  readonly service: LabService;
  readonly health: LabHealth;
  /** Reader threads for the API's reads (none for an in-memory database). */
  readonly reader: ReaderPool | undefined;
  /** Runs the previous session left running, now marked interrupted. */
  readonly interrupted: readonly number[];
  close(): Promise<void>;
}

/** Problems `PRAGMA quick_check` finds (at most `max`), empty when the file is sound. */
export function quickCheck(store: RunStore, max = 10): string[] {
  try {
    const rows = store.db.pragma(`quick_check(${max})`, { simple: false }) as { quick_check: string }[];
    return rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  } catch (e) {
    // damage bad enough that the check itself stops
    return [e instanceof Error ? e.message : String(e)];
  }
}

/**
 * Opens the store for writing, checks it (quick_check: the damage found, empty when sound)
 * and, when sound, proves it can write: one small write transaction (the schema version
 * rewritten as it is), so a lab opened on a full disk finds out now rather than at its
 * first run's first message. A damaged file is never written.
 */
function openWritable(file: string, binding: { nativeBinding?: string }): { store: RunStore; damage: string[] } {
  const store = RunStore.open(file, binding);
  if (file === ':memory:') return { store, damage: [] };
  const damage = quickCheck(store);
  if (damage.length > 0) return { store, damage };
  try {
    const version = store.db.pragma('user_version', { simple: true }) as number;
    store.db.transaction(() => store.db.pragma(`user_version = ${version}`)).immediate();
  } catch (e) {
    store.close();
    throw e;
  }
  return { store, damage };
}

function openStore(opts: LabOptions, health: LabHealth, reserve: DiskReserve): RunStore {
  const binding = opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {};
  let opened: { store: RunStore; damage: string[] };
  try {
    opened = openWritable(opts.db, binding);
  } catch (e) {
    const why = cannotWriteReason(e);
    if (!why || opts.db === ':memory:') throw e;
    // no room to open for writing: give back the reserve and try again, else read-only
    if (reserve.release()) {
      try {
        opened = openWritable(opts.db, binding);
        health.set('disk-full', `${why}: runs stay paused until there is space again (purge runs from the trash, or free disk space)`);
        return opened.store;
      } catch {
        // still no room
      }
    }
    let store: RunStore;
    try {
      store = RunStore.open(opts.db, { ...binding, readonly: true });
    } catch {
      // not even SQLite's shared-memory file can be made: read in exclusive locking mode
      store = RunStore.open(opts.db, { ...binding, readonly: true, exclusive: true });
    }
    health.set('read-only', `${why}, so the lab opened read-only: export what you need, free disk space and open it again`);
    return store;
  }
  const { store, damage } = opened;
  if (damage.length === 0) return store;
  store.close();
  const readOnly = RunStore.open(opts.db, { ...binding, readonly: true });
  health.set(
    'read-only',
    `the database is damaged (quick_check: ${damage.slice(0, 3).join('; ')}), so the lab opened it read-only: ` +
      'export the runs that still read, into a new lab',
  );
  return readOnly;
}

export function openLab(opts: LabOptions): Lab {
  const memory = opts.db === ':memory:';
  if (!memory) mkdirSync(dirname(opts.db), { recursive: true });
  // someone else's file, or a newer lab's, is refused before anything (a lock file included) is written beside it
  if (!memory) requireLabFile(opts.db, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  // one writer per database (lab-lock.ts); taken before anything touches the runs
  const release = memory ? () => undefined : acquireLabLock(opts.db, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  const hub = new EventHub();
  const health = new LabHealth(hub.emit);
  const reserve = new DiskReserve(opts.db, memory ? 0 : (opts.reserveBytes ?? DEFAULT_RESERVE_BYTES));
  let store: RunStore;
  try {
    store = openStore(opts, health, reserve);
  } catch (e) {
    release();
    throw e;
  }
  const monitor = new DiskFullMonitor(health, reserve, opts.diskRetryMs);
  const onCannotWrite = (reason: string): void => monitor.enter(reason);
  const supervisor = new Supervisor(store, opts.launcher ?? new ForkLauncher(), {
    ...(memory ? {} : { recoveryDir: recoveryDirOf(opts.db) }),
    ...opts,
    emit: hub.emit,
    onCannotWrite,
    canLaunch: () => health.mode === 'read-write',
  });
  monitor.attach(supervisor);
  const service = new LabService(store, supervisor, hub, { health, onCannotWrite, dataDir: dirname(resolve(opts.db)) });
  let interrupted: number[] = [];
  if (health.mode !== 'read-only') {
    try {
      interrupted = supervisor.recover();
    } catch (e) {
      const why = cannotWriteReason(e);
      if (!why) {
        store.close();
        release();
        throw e;
      }
      monitor.enter(why);
    }
    if (health.mode === 'read-write') reserve.make();
    else monitor.enter(health.status.reason.split(':')[0] ?? 'the disk is full');
  }
  // a file held in exclusive locking mode (see openStore) has no room for other readers
  const exclusive = !memory && (store.db.pragma('locking_mode', { simple: true }) as string) === 'exclusive';
  const reader =
    memory || exclusive || opts.readers === false
      ? undefined
      : new ReaderPool({ db: opts.db, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
  return {
    store,
    supervisor,
    hub,
    service,
    health,
    reader,
    interrupted,
    close: async () => {
      monitor.stop();
      // a reader thread deep in a long read cannot be interrupted: do not let it hold up closing
      const readersDone = reader?.close();
      try {
        await supervisor.close();
        store.close();
      } finally {
        release();
      }
      await Promise.race([readersDone, new Promise((r) => setTimeout(r, 1000).unref())]);
    },
  };
}
