/**
 * Imports the recovery files run processes left (recovery.ts) into the store: each message
 * goes through a RunRecorder of its run and session, so what was stored before is skipped
 * and a `done` among them ends the run as it ended (completed, stopped, diverged). Runs still
 * not finished afterwards are left for the supervisor to mark interrupted.
 */
import type { ApiEvent } from '../../src-shared/api/contract';
import type { RunStore } from '../store/run-store';
import { readRecoveryFiles, retireRecoveryFile } from './recovery';
import { RunRecorder } from './run-recorder';

export interface RecoveryReport {
  readonly file: string;
  readonly runId: number | null;
  /** Messages stored now (the others were stored before the process ended, or the run had ended). */
  readonly stored: number;
  readonly messages: number;
  /** Why the file could not be imported (it is kept beside, renamed `.bad`). */
  readonly error?: string;
}

export function importRecoveryFiles(store: RunStore, dir: string, emit?: (e: ApiEvent) => void): RecoveryReport[] {
  const reports: RecoveryReport[] = [];
  for (const entry of readRecoveryFiles(dir)) {
    if ('error' in entry) {
      retireRecoveryFile(entry.file, false);
      reports.push({ file: entry.file, runId: null, stored: 0, messages: 0, error: entry.error });
      continue;
    }
    const { runId, session, messages } = entry.recovery;
    try {
      store.getRunSummary(runId);
    } catch {
      // the run was purged meanwhile: nothing to add it to
      retireRecoveryFile(entry.file, true);
      reports.push({ file: entry.file, runId, stored: 0, messages: messages.length, error: `run ${runId} no longer exists` });
      continue;
    }
    try {
      const recorder = new RunRecorder(store, runId, { session, ...(emit ? { emit } : {}) });
      const before = recorder.acknowledged;
      let stored = 0;
      for (const m of messages) {
        if (recorder.finished) break;
        const seq = recorder.handle(m);
        if (seq > before) stored++;
      }
      retireRecoveryFile(entry.file, true);
      reports.push({ file: entry.file, runId, stored, messages: messages.length });
    } catch (e) {
      retireRecoveryFile(entry.file, false);
      reports.push({ file: entry.file, runId, stored: 0, messages: messages.length, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return reports;
}
