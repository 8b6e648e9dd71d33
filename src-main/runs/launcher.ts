/**
 * How the supervisor starts a run's process. The supervisor only knows this interface, so
 * a backend on a distributed job engine (e.g. BullMQ workers on Redis) can replace the
 * local one without changing the store or the UI: it needs to carry the same messages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ToWorker } from './protocol';

export interface RunProcess {
  readonly pid: number | undefined;
  send(message: ToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The process ended: exit code or the signal that killed it, and its last stderr output. */
  onExit(listener: (code: number | null, signal: string | null, stderr: string) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

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

/** Node child processes (CLI, tests, the browser host). */
export class ForkLauncher implements ProcessLauncher {
  constructor(private readonly worker = defaultWorkerEntry()) {}

  launch(): RunProcess {
    const child: ChildProcess = fork(this.worker.entry, [], {
      execArgv: this.worker.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    return {
      pid: child.pid,
      send: (m) => {
        // a process that is ending can close its channel between the check and the write
        // (EPIPE): the message had no one left to reach, so the failure is dropped
        if (child.connected) child.send(m, () => {});
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
