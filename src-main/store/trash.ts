/**
 * The trash of the run store: runs moved there stay whole and can come back; purging
 * deletes them for good with everything they own and gives the space back to the disk.
 */
import type { Snapshots } from './snapshots';
import type { StoreContext } from './store-context';

export class Trash {
  constructor(
    private readonly ctx: StoreContext,
    private readonly snapshots: Snapshots,
  ) {}

  /** Moves live runs to the trash; returns how many moved. */
  trash(ids: readonly number[]): number {
    return this.ctx
      .sql('UPDATE runs SET deleted_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL')
      .run(this.ctx.clock(), JSON.stringify(ids)).changes;
  }

  /** Brings trashed runs back; returns how many came back. */
  restore(ids: readonly number[]): number {
    return this.ctx
      .sql('UPDATE runs SET deleted_at = NULL WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NOT NULL')
      .run(JSON.stringify(ids)).changes;
  }

  /**
   * Deletes trashed runs for good (ids of live or unknown runs are ignored) with their
   * metrics, events, snapshots and tags, then the link keys no snapshot uses any more, and
   * gives the space back to the file system (incremental vacuum, or VACUUM on a file made
   * without auto_vacuum, then a TRUNCATE checkpoint of the WAL). Returns how many were purged.
   */
  purge(ids: readonly number[]): number {
    const { ctx } = this;
    const purged = ctx.tx(() => {
      const n = ctx
        .sql('DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NOT NULL')
        .run(JSON.stringify(ids)).changes;
      if (n > 0) this.snapshots.deleteUnusedLinkKeys();
      return n;
    });
    if (purged > 0) {
      this.snapshots.forgetLinkKeys();
      this.reclaimSpace();
    }
    return purged;
  }

  private reclaimSpace(): void {
    const { db } = this.ctx;
    const mode = db.pragma('auto_vacuum', { simple: true }) as number;
    if (mode === 2) db.pragma('incremental_vacuum');
    else if (mode === 0) db.exec('VACUUM');
    if (!db.memory) db.pragma('wal_checkpoint(TRUNCATE)');
  }
}
