/**
 * Entry point of a run's process: waits for its job, runs it with a RunDriver, forwards
 * commands and acknowledgements, and ends only when the host has acknowledged everything —
 * its `done` included — or, after the job's bounded wait, with what is unacknowledged
 * written to the job's recovery file (the host imports it at its next start).
 *
 * If the host goes away (its process died), the run ends at its next step as
 * `interrupted` and everything unacknowledged goes to the recovery file.
 */
import { Outbox } from './outbox';
import { RunJobSchema, ToWorkerSchema, type FromWorker } from './protocol';
import { writeRecoveryFile } from './recovery';
import { RunDriver } from './run-driver';
import { currentWorkerPort } from './worker-port';

/** How long a run whose host is gone may take to reach its next step before the process leaves anyway. */
const HOST_GONE_GRACE_MS = 5000;

const port = currentWorkerPort();
let driver: RunDriver | undefined;
let outbox: Outbox<FromWorker> | undefined;
let job: ReturnType<typeof RunJobSchema.parse> | undefined;
let leaving = false;

function fail(message: string): void {
  port.post({ kind: 'error', seq: 0, message });
}

/** Writes what the host has not acknowledged to the recovery file (if the job names one). */
function saveUnacknowledged(reason: string): void {
  const pending = outbox?.unacknowledged() ?? [];
  if (!job || !job.recoveryFile || pending.length === 0) return;
  try {
    writeRecoveryFile(job.recoveryFile, {
      runId: job.runId,
      session: job.session,
      pid: process.pid,
      writtenAt: Date.now(),
      reason,
      messages: pending,
    });
  } catch (e) {
    process.stderr.write(`run worker: cannot write the recovery file ${job.recoveryFile}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

function leave(code: number, reason: string): void {
  if (leaving) return;
  leaving = true;
  saveUnacknowledged(reason);
  process.exit(code);
}

port.onDisconnect(() => {
  outbox?.close();
  if (!driver) process.exit(0);
  driver.abandon('the lab was closed or crashed while the run was going (what it reported was kept)');
  // a step can be long: leave after a grace period even if the run has not noticed yet
  setTimeout(() => leave(0, 'the host went away'), HOST_GONE_GRACE_MS);
});

port.onMessage((raw) => {
  const parsed = ToWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    fail(
      `run worker: malformed message from the supervisor: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    return;
  }
  const m = parsed.data;
  if (m.kind === 'ack') {
    outbox?.ack(m.seq);
  } else if (m.kind === 'start') {
    if (driver) return fail('run worker: a second start message');
    job = m.job;
    const box = new Outbox<FromWorker>((out) => port.post(out), { window: job.window });
    outbox = box;
    try {
      driver = new RunDriver(job, (out) => box.push(out), { flow: { hasRoom: () => box.inFlight < box.window, room: () => box.room() } });
    } catch (e) {
      fail(`run worker: cannot start: ${e instanceof Error ? e.message : String(e)}`);
      setTimeout(() => process.exit(1), 50);
      return;
    }
    const ackTimeoutMs = job.ackTimeoutMs;
    void driver.run().then(async () => {
      // leave only once the host has stored everything, `done` included (bounded wait)
      const all = await box.drained(ackTimeoutMs);
      leave(0, all ? 'done' : box.isClosed ? 'the host went away' : `the host did not acknowledge within ${ackTimeoutMs} ms`);
    });
  } else if (m.kind === 'command') {
    driver?.command(m.command);
  }
});
