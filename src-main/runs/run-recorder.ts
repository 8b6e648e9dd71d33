/**
 * Stores what a run reports, message by message: metric batches in one transaction each,
 * events, snapshots, pause states and the final figures. Validates every message first, so
 * a worker that sends garbage fails its run instead of corrupting it.
 *
 * Idempotent by sequence number: a message at or below the highest one stored is
 * acknowledged again and not stored twice. With a `session` (one launch of the run's
 * process) the highest number is kept in the database in the same transaction as the
 * message's writes, so a recovery file imported after a crash adds only what is missing.
 */
import type { ApiEvent } from '../../src-shared/api/contract';
import { isFinalStatus, type RunStatus } from '../../src-shared/api/records';
import { DeliveryLog } from '../store/deliveries';
import type { RunStore } from '../store/run-store';
import { FromWorkerSchema, type FromWorkerParsed } from './protocol';

export interface RecorderOptions {
  /** Pushes API events (progress at most every `progressMs`). */
  readonly emit?: (e: ApiEvent) => void;
  readonly progressMs?: number;
  /** The run process's session: delivered sequence numbers are recorded in the database. */
  readonly session?: string;
}

export class RunRecorder {
  /** Highest message sequence number stored. */
  acknowledged = 0;
  /** The run reached a final status (done, error, diverged). */
  finished = false;
  /** Set when the host shuts down: a run that stops because of it is interrupted, not stopped. */
  shuttingDown = false;
  /** Why the lab holds the run (the database cannot be written): the reason its pause is given. */
  holdReason: string | undefined;
  private lastProgress = 0;
  private stepBudget: number;
  private readonly deliveries: DeliveryLog | undefined;

  constructor(
    private readonly store: RunStore,
    readonly runId: number,
    private readonly opts: RecorderOptions = {},
  ) {
    const run = store.getRunSummary(runId);
    this.stepBudget = run.stepBudget;
    // a run that has ended takes nothing more (e.g. a late recovery file)
    this.finished = isFinalStatus(run.status);
    if (opts.session !== undefined) {
      this.deliveries = new DeliveryLog(store.db);
      this.acknowledged = this.deliveries.lastSeq(runId, opts.session);
    }
  }

  /** Validates and stores one message; returns its sequence number (0 when rejected). */
  handle(raw: unknown): number {
    const parsed = FromWorkerSchema.safeParse(raw);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
      this.fail(`the run's process sent a malformed message: ${why}`);
      return 0;
    }
    const m = parsed.data;
    // delivered before (a recovery file after a crash, a resend): stored already
    if (m.seq > 0 && m.seq <= this.acknowledged) return m.seq;
    // a finished run is final: whatever its process still sends is acknowledged and dropped
    if (!this.finished) {
      const { deliveries, runId } = this;
      const session = this.opts.session;
      const wasFinished = this.finished;
      try {
        if (deliveries && session !== undefined && m.seq > 0) {
          this.store.db
            .transaction(() => {
              this.write(m);
              deliveries.record(runId, session, m.seq);
            })
            .immediate();
        } else this.write(m);
      } catch (e) {
        // nothing of it was stored (one transaction): it can be handled again later
        this.finished = wasFinished;
        throw e;
      }
    }
    this.acknowledged = Math.max(this.acknowledged, m.seq);
    return m.seq;
  }

  /** Writes one validated message of the run's process to the store. */
  private write(m: FromWorkerParsed): void {
    const { store, runId } = this;
    switch (m.kind) {
      case 'started':
        this.setStatus('running', '');
        break;
      case 'metrics': {
        if (!m.metrics.length) break;
        store.appendMetrics(runId, m.metrics);
        const last = m.metrics[m.metrics.length - 1]!;
        const now = Date.now();
        if (now - this.lastProgress >= (this.opts.progressMs ?? 200)) {
          this.lastProgress = now;
          this.opts.emit?.({
            name: 'run.progress',
            data: {
              runId,
              step: last.step,
              stepBudget: this.stepBudget,
              phase: last.phase,
              softLinks: last.softLinks,
              preregLoss: last.preregLoss,
              lambda1: last.lambda1,
              wallMs: last.wallMs,
            },
          });
        }
        break;
      }
      case 'event': {
        const e = store.appendEvent(runId, { step: m.step, kind: m.event.kind, data: m.event });
        this.opts.emit?.({ name: 'run.event', data: e });
        break;
      }
      case 'snapshot':
        store.saveSnapshot(runId, { step: m.step, reason: m.reason, preregLoss: m.preregLoss, links: m.links, weights: m.weights });
        break;
      case 'state':
        this.setStatus(m.state, m.state === 'paused' ? (this.holdReason ?? '') : '');
        break;
      case 'done':
        // the final circuit's figures (with restarts, the best attempt — not the last step's)
        store.updateRunFigures(runId, {
          softLinks: m.softLinks,
          ...(Number.isFinite(m.trainLoss) ? { finalLoss: m.trainLoss } : {}),
          ...(Number.isFinite(m.testLoss) ? { testLoss: m.testLoss } : {}),
          ...(Number.isFinite(m.testWorst) ? { testWorst: m.testWorst } : {}),
        });
        if (m.status === 'stopped' && this.shuttingDown) this.finish('interrupted', 'the lab was closed while the run was going');
        else this.finish(m.status, m.reason);
        break;
      case 'error':
        this.fail(m.message);
        break;
    }
  }

  /** Records a command or a supervisor decision as an event of the run. */
  note(kind: string, data: Record<string, unknown>): void {
    const e = this.store.appendEvent(this.runId, { step: this.store.getRunSummary(this.runId).steps, kind, data: { kind, ...data } });
    this.opts.emit?.({ name: 'run.event', data: e });
  }

  /** The lab holds the run (it cannot write): shown as paused with `holdReason`. */
  hold(): void {
    if (this.finished) return;
    this.setStatus('paused', this.holdReason ?? 'held by the lab');
  }

  fail(message: string): void {
    if (this.finished) return;
    this.note('error', { message });
    this.finish('failed', message);
  }

  finish(status: RunStatus, reason: string): void {
    if (this.finished) return;
    this.setStatus(status, reason, Date.now());
    this.finished = true;
  }

  private setStatus(status: RunStatus, reason: string, endedAt?: number): void {
    const current = this.store.getRunSummary(this.runId);
    if (current.status === status && current.statusReason === reason) return;
    const startedAt = status === 'running' && current.startedAt === null ? Date.now() : undefined;
    const run = this.store.setStatus(this.runId, status, reason, {
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(endedAt !== undefined ? { endedAt } : {}),
    });
    this.opts.emit?.({ name: 'run.changed', data: run });
  }
}
