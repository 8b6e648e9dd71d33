/**
 * Entry point of a run's process: waits for its job, runs it with a RunDriver, forwards
 * commands, and exits when the job is done or the supervisor goes away.
 */
import { ToWorkerSchema } from './protocol';
import { RunDriver } from './run-driver';
import { currentWorkerPort } from './worker-port';

const port = currentWorkerPort();
let driver: RunDriver | undefined;

function fail(message: string): void {
  port.post({ kind: 'error', seq: 0, message });
}

port.onDisconnect(() => process.exit(0));
port.onMessage((raw) => {
  const parsed = ToWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    fail(
      `run worker: malformed message from the supervisor: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    return;
  }
  const m = parsed.data;
  if (m.kind === 'start') {
    if (driver) return fail('run worker: a second start message');
    try {
      // a few metric batches in flight at most: a fast run waits for the store
      driver = new RunDriver(m.job, (out) => port.post(out), { maxUnacked: 8 });
    } catch (e) {
      fail(`run worker: cannot start: ${e instanceof Error ? e.message : String(e)}`);
      setTimeout(() => process.exit(1), 50);
      return;
    }
    void driver.run().then(() => {
      // let the last messages reach the supervisor, then end
      setTimeout(() => process.exit(0), 50);
    });
  } else if (m.kind === 'command') {
    driver?.command(m.command);
  } else if (m.kind === 'ack') {
    driver?.acknowledge(m.seq);
  }
});
