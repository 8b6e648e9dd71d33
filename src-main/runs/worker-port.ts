/**
 * The run process's side of the channel to the supervisor: a Node child process
 * (`process.send`) or an Electron utility process (`process.parentPort`), behind one shape.
 */
export interface WorkerPort {
  /** Sends a message; never throws (a message the channel cannot take stays unacknowledged in the outbox). */
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The supervisor went away (its process died): the run must end too. */
  onDisconnect(listener: () => void): void;
}

interface ElectronParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export function currentWorkerPort(): WorkerPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      post: (m) => electronPort.postMessage(m),
      onMessage: (l) => electronPort.on('message', (e) => l(e.data)),
      // a utility process dies with its parent
      onDisconnect: () => {},
    };
  }
  if (!process.send) throw new Error('the run worker must be started by the supervisor (no IPC channel)');
  return {
    post: (m) => {
      if (!process.connected) return;
      // the callback takes a failed write (EPIPE when the host is gone) instead of an 'error' event
      process.send?.(m, undefined, undefined, () => {});
    },
    onMessage: (l) => process.on('message', l),
    onDisconnect: (l) => process.on('disconnect', l),
  };
}
