/**
 * A running lab: the store, the supervisor and the API handlers wired together. The
 * Electron main process, the browser host and the CLI each open one.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProcessLauncher } from '../runs/launcher';
import { ForkLauncher } from '../runs/launcher';
import { Supervisor, type SupervisorOptions } from '../runs/supervisor';
import { RunStore } from '../store/run-store';
import { EventHub } from './event-hub';
import { acquireLabLock } from './lab-lock';
import { LabService } from './service';

export interface LabOptions extends Omit<SupervisorOptions, 'emit'> {
  readonly db: string;
  readonly launcher?: ProcessLauncher;
  /** better-sqlite3 build for this runtime (Electron's ABI in the app); default: the Node build. */
  readonly nativeBinding?: string;
}

export interface Lab {
  readonly store: RunStore;
  readonly supervisor: Supervisor;
  readonly hub: EventHub;
  readonly service: LabService;
  /** Runs the previous session left running, now marked interrupted. */
  readonly interrupted: readonly number[];
  close(): Promise<void>;
}

export function openLab(opts: LabOptions): Lab {
  if (opts.db !== ':memory:') mkdirSync(dirname(opts.db), { recursive: true });
  // one lab per database (lab-lock.ts); taken before anything touches the runs
  const release = opts.db === ':memory:' ? () => undefined : acquireLabLock(opts.db);
  let store: RunStore;
  try {
    store = RunStore.open(opts.db, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  } catch (e) {
    release();
    throw e;
  }
  const hub = new EventHub();
  const supervisor = new Supervisor(store, opts.launcher ?? new ForkLauncher(), { ...opts, emit: hub.emit });
  const service = new LabService(store, supervisor, hub);
  const interrupted = supervisor.recover();
  return {
    store,
    supervisor,
    hub,
    service,
    interrupted,
    close: async () => {
      try {
        await supervisor.close();
        store.close();
      } finally {
        release();
      }
    },
  };
}
