/**
 * A reserve of disk space beside the database (`<db>.reserve`, a file of zeros). When the
 * disk fills up, the lab deletes it: that gives SQLite room to record that its runs are
 * held, and to purge runs — deleting rows must first write them to the WAL — so a person can
 * free space from inside the lab. It is made again once there is room for it and more.
 */
import { closeSync, openSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const DEFAULT_RESERVE_BYTES = 8 * 1024 * 1024;

export class DiskReserve {
  readonly file: string;

  constructor(
    db: string,
    readonly bytes: number = DEFAULT_RESERVE_BYTES,
  ) {
    this.file = `${db}.reserve`;
  }

  /** The reserve file is there, whole. */
  get held(): boolean {
    try {
      return statSync(this.file).size >= this.bytes;
    } catch {
      return false;
    }
  }

  /** Bytes free for this user on the database's file system (Infinity when unknown). */
  freeBytes(): number {
    try {
      const s = statfsSync(dirname(this.file));
      return s.bavail * s.bsize;
    } catch {
      return Infinity;
    }
  }

  /** Writes the reserve if it is missing and there is room for it and as much again; true when it is held. */
  make(): boolean {
    if (this.bytes <= 0 || this.held) return true;
    if (this.freeBytes() < 2 * this.bytes) return false;
    const chunk = Buffer.alloc(Math.min(this.bytes, 1024 * 1024));
    let fd: number | undefined;
    try {
      fd = openSync(this.file, 'w');
      for (let written = 0; written < this.bytes;) {
        written += writeSync(fd, chunk, 0, Math.min(chunk.length, this.bytes - written));
      }
      return true;
    } catch {
      rmSync(this.file, { force: true });
      return false;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Gives the space back to the disk; true if there was a reserve to give. */
  release(): boolean {
    const had = this.held;
    rmSync(this.file, { force: true });
    return had;
  }

  /** There is room to go on writing: the reserve could be made again with as much to spare. */
  roomToResume(): boolean {
    return this.held || this.freeBytes() >= 2 * this.bytes;
  }
}
