/**
 * One writer per database, for every writer, with real processes on one real file: while
 * `synth --db` records a run, a lab on the same file is refused (naming the CLI writer) and
 * the live CLI run is never marked interrupted; while a lab has the file, `synth --db` and
 * `runs import` are refused and `runs list` (read-only) still works; once the writer is
 * gone, the other one opens the file.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/store/run-store';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { ROOT, runCli } from '../helpers/cli';
import { startHostProcess } from '../helpers/host';
import { longSchedule, tempDir, waitFor } from '../helpers/lab';

const tmp = tempDir('dmm-fault-writers-');
afterAll(() => tmp.cleanup());

const runsIn = (db: string) => {
  const s = RunStore.open(db, { readonly: true });
  try {
    return s.listRuns({}).runs;
  } finally {
    s.close();
  }
};

describe('CLI writer and lab on one file', () => {
  it('a lab is refused while synth --db records; the CLI run stays running and ends as it ends', async () => {
    const db = join(tmp.dir, 'cli-first.sqlite');
    const schedule = join(tmp.dir, 'long.json');
    writeFileSync(schedule, JSON.stringify(longSchedule(7, 200_000)));
    const synth = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/cli/main.ts', 'synth', '--db', db, '--schedule', schedule, '--no-progress', '--json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const done = new Promise<number | null>((r) => synth.once('exit', (code) => r(code)));
    try {
      await waitFor('the CLI run to record steps', () => {
        try {
          const r = runsIn(db)[0];
          return r !== undefined && r.status === 'running' && r.steps > 20;
        } catch {
          return false; // not created yet
        }
      });
      // the lab (browser host) on the same file is refused, naming the CLI writer
      await expect(startHostProcess(db)).rejects.toThrow(new RegExp(`in use by another DMM Lab \\(process ${synth.pid}, synth --db\\)`));
      // and so is a second CLI writer
      const second = runCli(['synth', '--db', db, '--schedule', schedule, '--no-progress']);
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/in use by another DMM Lab .*synth --db/);
      // reading is fine
      const list = runCli(['runs', 'list', '--db', db, '--json']);
      expect(list.status).toBe(0);
      expect(list.lines()[0]).toMatchObject({ status: 'running' });
      expect(runsIn(db)[0]!.status).toBe('running'); // nobody marked it interrupted
    } finally {
      synth.kill('SIGINT'); // the CLI's own Ctrl+C: finish with the circuit so far
    }
    expect(await done).toBe(0);
    expect(runsIn(db)[0]!.status).toBe('stopped');
    // now the lab opens it
    const host = await startHostProcess(db);
    await host.stop();
  }, 180_000);

  it('while a lab has the file, synth --db and runs import are refused and runs list still reads', async () => {
    const db = join(tmp.dir, 'lab-first.sqlite');
    const host = await startHostProcess(db);
    try {
      const r = await host.call('runs.start', { name: 'by the lab', schedule: longSchedule(8, 300) });
      expect(r.body.ok).toBe(true);
      const synth = runCli(['synth', '--db', db, '--no-progress']);
      expect(synth.status).toBe(1);
      expect(synth.stderr).toMatch(new RegExp(`in use by another DMM Lab \\(process ${host.child.pid}, the lab\\)`));
      expect(synth.stderr).not.toMatch(/\n\s+at /);
      const exportFile = join(tmp.dir, 'one.json');
      const other = join(tmp.dir, 'other.sqlite');
      const s = RunStore.open(other);
      const run = s.createRun({ name: 'elsewhere', schedule: defaultSchedule(1) });
      writeFileSync(exportFile, JSON.stringify(s.exportRun(run.id)));
      s.close();
      const imp = runCli(['runs', 'import', '--db', db, '--file', exportFile]);
      expect(imp.status).toBe(1);
      expect(imp.stderr).toMatch(/in use by another DMM Lab .*import them there/);
      const list = runCli(['runs', 'list', '--db', db, '--json']);
      expect(list.status).toBe(0);
      expect(list.lines().map((l) => l['name'])).toEqual(['by the lab']);
    } finally {
      await host.stop();
    }
  }, 180_000);
});
