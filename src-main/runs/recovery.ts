/**
 * Recovery files: what a run's process sent and never saw acknowledged, written when it must
 * end without its host (the host crashed, or did not acknowledge `done` in time). The host
 * imports them at its next start, before it marks runs it left going as interrupted; the
 * import is idempotent by sequence number, so messages the host did store are skipped.
 *
 * A file is V8-serialised (snapshot weights stay Float64Arrays, bit for bit), written to a
 * temporary name and renamed, so a reader never sees half a file. Its name carries the run
 * and the session: `run-<runId>-<session>.recovery`.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { z } from 'zod';

export const RECOVERY_FORMAT = 'dmm-lab-recovery';
const SUFFIX = '.recovery';

export const RecoverySchema = z.object({
  format: z.literal(RECOVERY_FORMAT),
  version: z.literal(1),
  runId: z.number().int().positive(),
  session: z.string().max(64),
  pid: z.number().int(),
  writtenAt: z.number(),
  /** Why the process wrote it (e.g. "the host went away"). */
  reason: z.string(),
  /** Messages in the order they were sent; each is validated again when imported. */
  messages: z.array(z.unknown()),
});
export type Recovery = z.infer<typeof RecoverySchema>;

/** The recovery folder beside a database file. */
export const recoveryDirOf = (db: string): string => `${db}.recovery`;

export function recoveryFileName(dir: string, runId: number, session: string): string {
  return join(dir, `run-${runId}-${session.replace(/[^A-Za-z0-9_-]/g, '_')}${SUFFIX}`);
}

/** Writes a recovery file atomically (temporary file, fsync, rename). */
export function writeRecoveryFile(file: string, r: Omit<Recovery, 'format' | 'version'>): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const bytes = serialize({ format: RECOVERY_FORMAT, version: 1, ...r });
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export type RecoveryEntry = { file: string; recovery: Recovery } | { file: string; error: string };

/** The recovery files in `dir` (none when it does not exist), each read and checked. */
export function readRecoveryFiles(dir: string): RecoveryEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: RecoveryEntry[] = [];
  for (const name of names.filter((n) => n.endsWith(SUFFIX)).sort()) {
    const file = join(dir, name);
    try {
      const parsed = RecoverySchema.safeParse(deserialize(readFileSync(file)));
      if (parsed.success) out.push({ file, recovery: parsed.data });
      else
        out.push({ file, error: `not a recovery file: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
    } catch (e) {
      out.push({ file, error: `unreadable: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return out;
}

/** An imported file goes; one that cannot be imported is kept aside (renamed `.bad`) for a person to look at. */
export function retireRecoveryFile(file: string, imported: boolean): void {
  try {
    if (imported) rmSync(file, { force: true });
    else renameSync(file, join(dirname(file), `${basename(file)}.bad`));
  } catch {
    // already gone
  }
}
