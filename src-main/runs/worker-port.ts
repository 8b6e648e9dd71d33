/**
 * The run process's side of the channel to the supervisor: a Node child process
 * (`process.send`) or an Electron utility process (`process.parentPort`), behind one shape.
 */
export interface WorkerPort {
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
      process.send?.(m);
    },
    onMessage: (l) => process.on('message', l),
    onDisconnect: (l) => process.on('disconnect', l),
  };
}
