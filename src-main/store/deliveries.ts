/**
 * Which messages of a run's process are stored: the highest sequence number per (run,
 * session) — a session is one launch of the run's process. Recorded in the same transaction
 * as the message's own writes, so after any crash a message is either stored and counted or
 * neither, and a message delivered again (from a recovery file) is recognised and skipped.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

export class DeliveryLog {
  private readonly read: Statement;
  private readonly write: Statement;

  constructor(db: Db) {
    this.read = db.prepare('SELECT last_seq FROM run_deliveries WHERE run_id = ? AND session = ?').pluck();
    this.write = db.prepare(
      `INSERT INTO run_deliveries (run_id, session, last_seq) VALUES (?, ?, ?)
       ON CONFLICT (run_id, session) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`,
    );
  }

  /** The highest sequence number stored for this run process (0: none). */
  lastSeq(runId: number, session: string): number {
    return (this.read.get(runId, session) as number | undefined) ?? 0;
  }

  record(runId: number, session: string, seq: number): void {
    this.write.run(runId, session, seq);
  }
}
