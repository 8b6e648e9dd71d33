/**
 * The run store's health check: SQLite's own checks plus what SQLite cannot see — run
 * schedules that are not JSON, snapshot blobs that do not decode or name unknown link keys.
 */
import { resolveKeys, SnapshotCorruptError, unpackSnapshot } from './snapshot-codec';
import { errorText, type StoreContext } from './store-context';

/**
 * Problems found, empty when healthy: `PRAGMA integrity_check`, `PRAGMA foreign_key_check`,
 * run schedules that are not JSON, and snapshots whose blobs do not decode or refer to
 * unknown link keys.
 */
export function integrityProblems(ctx: StoreContext): string[] {
  const problems: string[] = [];
  for (const v of ctx.db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]) {
    if (v.integrity_check !== 'ok') problems.push(`integrity_check: ${v.integrity_check}`);
  }
  for (const f of ctx.db.pragma('foreign_key_check') as { table: string; rowid: number | null; parent: string; fkid: number }[]) {
    problems.push(`foreign_key_check: ${f.table} row ${f.rowid} refers to a missing ${f.parent} row (constraint ${f.fkid})`);
  }
  for (const id of ctx.sql('SELECT id FROM runs WHERE NOT json_valid(schedule) ORDER BY id').pluck().all() as number[]) {
    problems.push(`run ${id}: stored schedule is corrupted: not valid JSON`);
  }
  const keyIds = new Set(ctx.sql('SELECT id FROM link_keys').pluck().all() as number[]);
  const snaps = ctx.sql('SELECT id, soft_links, keys, weights FROM snapshots ORDER BY id').iterate() as IterableIterator<{
    id: number;
    soft_links: number;
    keys: unknown;
    weights: unknown;
  }>;
  for (const s of snaps) {
    try {
      const { keys } = unpackSnapshot(s.keys, s.weights, s.id);
      if (keys.length !== s.soft_links)
        throw new SnapshotCorruptError(s.id, `${keys.length} links stored but soft_links says ${s.soft_links}`);
      resolveKeys(keys, (k) => (keyIds.has(k) ? k : undefined), s.id);
    } catch (e) {
      problems.push(errorText(e));
    }
  }
  return problems;
}
