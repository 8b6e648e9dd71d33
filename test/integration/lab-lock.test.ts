/**
 * One lab per database file (src-main/lab/lab-lock.ts), with real files and real processes:
 * a second lab on the same file is refused with the holder's pid, a lock left by a process
 * that is gone is taken over, and closing a lab releases it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openLab } from '../../src-main/lab/lab';
import { acquireLabLock, LabLockedError, lockFileOf } from '../../src-main/lab/lab-lock';

const dir = mkdtempSync(join(tmpdir(), 'dmm-lab-lock-'));
const children: ChildProcess[] = [];
let n = 0;
const dbFile = () => join(dir, `lab-${++n}.sqlite`);

/** A real process that stays alive until killed; resolves with its pid once it runs. */
async function sleeper(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return child;
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab lock', () => {
  it('a second lab on the same database is refused, naming the process; closing releases it', async () => {
    const db = dbFile();
    const first = openLab({ db });
    expect(() => openLab({ db })).toThrow(LabLockedError);
    expect(() => openLab({ db })).toThrow(new RegExp(`in use by another DMM Lab \\(process ${process.pid}\\)`));
    // another database is fine at the same time
    const other = openLab({ db: dbFile() });
    await other.close();
    await first.close();
    expect(existsSync(lockFileOf(db))).toBe(false);
    const again = openLab({ db });
    await again.close();
  });

  it('a lock held by another live process is respected; once that process is gone it is taken over', async () => {
    const db = dbFile();
    const holder = await sleeper();
    writeFileSync(lockFileOf(db), `${holder.pid}\n`);
    let error: unknown;
    try {
      acquireLabLock(db);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabLockedError);
    expect((error as LabLockedError).pid).toBe(holder.pid);
    holder.kill('SIGKILL'); // a crash: the lock file stays behind
    await exited(holder);
    expect(existsSync(lockFileOf(db))).toBe(true);
    const release = acquireLabLock(db);
    release();
    expect(existsSync(lockFileOf(db))).toBe(false);
  });

  it('a lock file that is empty or garbage counts as stale', () => {
    const db = dbFile();
    for (const text of ['', 'not a pid', '-5']) {
      writeFileSync(lockFileOf(db), text);
      const release = acquireLabLock(db);
      // taken over: the file now names this process, and releasing removes it
      expect([text, readFileSync(lockFileOf(db), 'utf8').trim()]).toEqual([text, String(process.pid)]);
      release();
      expect([text, existsSync(lockFileOf(db))]).toEqual([text, false]);
    }
  });

  it('a failed open releases the lock (the next attempt is not blocked by our own leftover)', () => {
    const db = join(dir, 'not-a-database.sqlite');
    writeFileSync(db, 'this is not SQLite'.repeat(100));
    expect(() => openLab({ db })).toThrow();
    expect(existsSync(lockFileOf(db))).toBe(false);
  });
});
