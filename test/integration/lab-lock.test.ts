/**
 * One writer per database file (src-main/lab/lab-lock.ts), with real files and real
 * processes: a second lab on the same file is refused with the holder's pid, a holder that
 * dies frees the lock at once, a stale owner file naming a live unrelated process (pid
 * reuse) locks nobody out, and three processes racing for the lock over 100 rounds — the
 * holder sometimes killed with -9 — never hold it twice.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openLab } from '../../src-main/lab/lab';
import { acquireLabLock, LabLockedError, lockFileOf, lockOwnerFileOf } from '../../src-main/lab/lab-lock';
import { ROOT } from '../helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'dmm-lab-lock-'));
let n = 0;
const dbFile = () => join(dir, `lab-${++n}.sqlite`);

/** A process that takes and releases the lock on command (test/fixtures/faults/lock-contender.ts). */
class Contender {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly queue: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private failWaiting: ((e: Error) => void) | undefined;

  constructor(db: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/faults/lock-contender.ts', db], { cwd: ROOT });
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on('line', (l) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (w) w(l);
      else this.queue.push(l);
    });
    this.child.once('exit', (code, signal) => this.failWaiting?.(new Error(`contender exited (${code ?? signal})`)));
  }

  next(): Promise<string> {
    const l = this.queue.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  async ask(command: string): Promise<string> {
    this.child.stdin.write(`${command}\n`);
    return this.next();
  }

  async kill9(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }
}

const contenders: Contender[] = [];
async function contender(db: string): Promise<Contender> {
  const c = new Contender(db);
  contenders.push(c);
  expect(await c.next()).toBe('ready');
  return c;
}

afterEach(async () => {
  for (const c of contenders.splice(0)) await c.kill9();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lab lock', () => {
  it('a second lab on the same database is refused, naming the process; closing releases it', async () => {
    const db = dbFile();
    const first = openLab({ db });
    expect(() => openLab({ db })).toThrow(LabLockedError);
    expect(() => openLab({ db })).toThrow(new RegExp(`in use by another DMM Lab \\(process ${process.pid}, the lab\\)`));
    // another database is fine at the same time
    const other = openLab({ db: dbFile() });
    await other.close();
    await first.close();
    // the owner note goes; the guard file stays (deleting a lock file others may hold open would race)
    expect(existsSync(lockOwnerFileOf(db))).toBe(false);
    expect(existsSync(lockFileOf(db))).toBe(true);
    const again = openLab({ db });
    await again.close();
  });

  it('a lock held by another live process is respected; killed with -9, it frees the lock at once', async () => {
    const db = dbFile();
    const holder = await contender(db);
    expect(await holder.ask('try')).toBe('held');
    let error: unknown;
    try {
      acquireLabLock(db);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabLockedError);
    expect((error as LabLockedError).pid).toBe(holder.child.pid);
    expect((error as LabLockedError).message).toMatch(/contender/);
    await holder.kill9(); // a crash: its owner note stays behind, the kernel drops its lock
    expect(existsSync(lockOwnerFileOf(db))).toBe(true);
    const release = acquireLabLock(db);
    release();
  });

  it('a stale owner note naming a live unrelated process (pid reuse) locks nobody out; an old-style lock file is replaced', () => {
    const db = dbFile();
    // the pid of a live process that holds nothing: this test process's parent
    writeFileSync(lockOwnerFileOf(db), JSON.stringify({ pid: process.ppid, holder: 'the lab' }));
    const release = acquireLabLock(db);
    release();
    for (const text of [`${process.ppid}\n`, '', 'not a pid']) {
      writeFileSync(lockFileOf(db), text); // what older builds wrote
      const r = acquireLabLock(db);
      r();
    }
  });

  it('a failed open releases the lock (the next attempt is not blocked by our own leftover)', () => {
    const db = join(dir, 'not-a-database.sqlite');
    writeFileSync(db, 'this is not SQLite'.repeat(100));
    expect(() => openLab({ db })).toThrow();
    const release = acquireLabLock(db);
    release();
  });

  it('three processes racing for the lock, 100 rounds, some holders killed with -9: never two holders', async () => {
    const db = dbFile();
    const racers = await Promise.all([contender(db), contender(db), contender(db)]);
    let kills = 0;
    for (let round = 0; round < 100; round++) {
      const answers = await Promise.all(racers.map((c) => c.ask('try')));
      const holders = answers.map((a, i) => (a === 'held' ? i : -1)).filter((i) => i >= 0);
      expect(holders, `round ${round}: ${answers.join(', ')}`).toHaveLength(1);
      for (const a of answers) if (a !== 'held') expect(a).toMatch(/^refused (\d+|NaN)$/); // NaN: the holder had not written its owner note yet
      const h = holders[0] as number;
      if (round % 7 === 3) {
        // the holder crashes; a fresh process takes its place
        await (racers[h] as Contender).kill9();
        racers[h] = await contender(db);
        kills++;
      } else {
        expect(await (racers[h] as Contender).ask('release')).toBe('released');
      }
    }
    expect(kills).toBeGreaterThan(10);
  }, 300_000);
});
