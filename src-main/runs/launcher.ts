/**
 * How the supervisor starts a run's process. The supervisor only knows this interface, so
 * a backend on a distributed job engine (e.g. BullMQ workers on Redis) can replace the
 * local one without changing the store or the UI: it needs to carry the same messages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ToWorker } from './protocol';

export interface RunProcess {
  readonly pid: number | undefined;
  /**
   * Sends a message if the process can still take it. Never throws and never lets a failed
   * write (EPIPE: the process already ended) become an error event: whatever the process
   * did not get, it has not acknowledged, so nothing is lost.
   */
  send(message: ToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The process ended: exit code or the signal that killed it, and its last stderr output. */
  onExit(listener: (code: number | null, signal: string | null, stderr: string) => void): void;
  kill(signal?: NodeJS.Signals): void;
  /**
   * Where the process runs, once known: a launcher on another machine reports the host name
   * there (a process without this method runs on this machine: `local`).
   */
  onRanOn?(listener: (where: string) => void): void;
}

/** `ranOn` of a run whose process runs on this machine. */
export const RAN_LOCALLY = 'local';

/**
 * The exit "signal" of a run whose process was lost with the machine that ran it (a cluster
 * worker killed or gone) rather than ended: the supervisor resumes the run from its last
 * snapshot instead of ending it interrupted.
 */
export const LOST_SIGNAL = 'WORKER_LOST';

export interface ProcessLauncher {
  launch(runId: number): RunProcess;
}

/** The worker entry next to this file: TypeScript under tsx (source), JavaScript when built. */
export function defaultWorkerEntry(): { entry: string; execArgv: string[] } {
  const ts = fileURLToPath(new URL('./run-worker.ts', import.meta.url));
  if (existsSync(ts)) return { entry: ts, execArgv: ['--import', 'tsx'] };
  return { entry: fileURLToPath(new URL('./run-worker.js', import.meta.url)), execArgv: [] };
}

const STDERR_TAIL = 4000;

/**
 * Run processes train at this lower scheduling priority (a nice value, Unix; "below normal"
 * on Windows): training takes whatever CPU is left, while the host — storing what runs
 * report, answering the UI — gets the CPU first when it needs it.
 */
export const RUN_NICENESS = 10;

/** Lowers a run process's priority (best effort: a platform that refuses leaves it as it is). */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, RUN_NICENESS);
  } catch {
    // not permitted here: the run still works, at normal priority
  }
}

/**
 * Node child processes (CLI, tests, the browser host). Each starts in its own process group
 * (`detached`), so Ctrl+C in a terminal reaches the host only and the host decides how its
 * runs end (interrupted, with everything they reported kept).
 */
export class ForkLauncher implements ProcessLauncher {
  constructor(private readonly worker = defaultWorkerEntry()) {}

  launch(): RunProcess {
    const child: ChildProcess = fork(this.worker.entry, [], {
      execArgv: this.worker.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      detached: true,
    });
    // a failed spawn or a write to a process that has gone: its exit is reported by 'close'
    child.on('error', () => {});
    lowerPriority(child.pid);
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    return {
      pid: child.pid,
      send: (m) => {
        if (!child.connected) return;
        try {
          child.send(m, undefined, undefined, () => {});
        } catch {
          // the channel closed between the check and the write
        }
      },
      onMessage: (l) => child.on('message', l),
      // 'close' comes after the last IPC message and stderr chunk, unlike 'exit'
      onExit: (l) => child.on('close', (code, signal) => l(code, signal, stderr)),
      kill: (signal = 'SIGTERM') => {
        child.kill(signal);
      },
    };
  }
}
