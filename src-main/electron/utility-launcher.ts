/** Run processes as Electron utility processes (inside the app); the worker code is the same as under Node. */
import { utilityProcess } from 'electron';
import { lowerPriority, type ProcessLauncher, type RunProcess } from '../runs/launcher';

export class UtilityLauncher implements ProcessLauncher {
  constructor(private readonly entry: string) {}

  launch(runId: number): RunProcess {
    const child = utilityProcess.fork(this.entry, [], { serviceName: `DMM Lab run ${runId}`, stdio: 'pipe' });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    let killedWith: string | null = null;
    child.once('spawn', () => lowerPriority(child.pid));
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => {
        try {
          child.postMessage(m);
        } catch {
          // the process has gone: what it did not get, it has not acknowledged
        }
      },
      onMessage: (l) => child.on('message', l),
      onExit: (l) => child.on('exit', (code) => l(killedWith ? null : code, killedWith, stderr)),
      kill: (signal = 'SIGTERM') => {
        killedWith = signal;
        child.kill();
      },
    };
  }
}
