/**
 * Divergence is more than NaN: a run whose training loss rises beyond a bound relative to its
 * best (schedule stop.divergence, default 1000× the best or the starting loss) ends
 * `diverged`, keeps the snapshots taken before and says which is the last good one — from a
 * far too large learning rate, and from a live `set lr` in the middle of a run. Real
 * synthesis in-process (RunDriver), stored by a RunRecorder in a real SQLite file.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDriver } from '../../src-main/runs/run-driver';
import { RunRecorder } from '../../src-main/runs/run-recorder';
import { RunStore } from '../../src-main/store/run-store';
import { scheduleFromOverrides } from '../../src-shared/synthesis/schedule';
import { longSchedule, tempDir } from '../helpers/lab';

const tmp = tempDir('dmm-divergence-');
const store = RunStore.open(join(tmp.dir, 'lab.sqlite'));
afterAll(() => {
  store.close();
  tmp.cleanup();
});

/** Runs a schedule to its end, recorded; `react` may steer the driver as metrics arrive. */
async function record(overrides: Record<string, unknown>, react: (step: number, d: RunDriver) => void = () => {}) {
  const schedule = scheduleFromOverrides(overrides);
  const run = store.createRun({ schedule });
  const recorder = new RunRecorder(store, run.id);
  const driver: RunDriver = new RunDriver({ runId: run.id, schedule, snapshotEvery: 20, threads: 0 }, (m) => {
    recorder.handle(m);
    if (m.kind === 'metrics') react(m.metrics.at(-1)!.step, driver);
  });
  const guard = setTimeout(() => driver.command({ kind: 'stop' }), 60_000);
  await driver.run();
  clearTimeout(guard);
  return store.getRun(run.id);
}

describe('divergence beyond a bound', () => {
  it('a learning rate of 50 ends the run diverged, with its last good snapshot named and kept', async () => {
    const run = await record({ ...longSchedule(4, 2000), optimizer: { lr: 50 } });
    expect(run.status).toBe('diverged');
    expect(run.statusReason).toMatch(/the training loss (rose to .* more than 1000× its best|stopped being finite)/);
    const points = store.metrics(run.id).points;
    const best = Math.min(...points.slice(0, -1).map((p) => p.preregLoss ?? Infinity));
    const last = points.at(-1)!;
    expect(last.preregLoss === null || last.preregLoss > 1000 * Math.min(best, points[0]!.preregLoss!)).toBe(true);
    expect(points.length).toBeLessThan(40); // it stopped at once (the test below: without the bound it goes on)
    const snaps = store.listSnapshots(run.id);
    expect(snaps.length).toBeGreaterThan(0);
    const bound = 1000 * Math.max(best, points[0]!.preregLoss!);
    for (const s of snaps) expect(s.preregLoss).toBeLessThanOrEqual(bound);
    expect(run.statusReason).toMatch(new RegExp(`its last good snapshot \\(step ${snaps.at(-1)!.step}\\) is kept`));
  });

  it('a live set lr that blows the loss up ends a running run as diverged instead of letting it run on', async () => {
    let steered = false;
    const run = await record({ ...longSchedule(5, 100_000) }, (step, d) => {
      if (step > 300 && !steered) {
        steered = true;
        d.command({ kind: 'set', lr: 1e6 });
      }
    });
    expect(steered).toBe(true);
    expect(run.status).toBe('diverged');
    expect(run.steps).toBeLessThan(5000);
    expect(run.statusReason).toMatch(/at step \d+/);
  });

  it('an ordinary run with cuts and backtracking is not diverged (the bound leaves room)', async () => {
    const run = await record({ ...longSchedule(6, 200), dense: { steps: 200, until: 0 }, stop: { stepBudget: 900, targetLinks: 6 } });
    expect(run.status).toBe('completed');
  });

  it('the bound is a schedule option: with it out of reach, the lr-50 run is not stopped by it', async () => {
    const run = await record({ ...longSchedule(4, 300), optimizer: { lr: 50 }, stop: { stepBudget: 1300, divergence: 1e300 } });
    expect(run.statusReason).not.toMatch(/rose to/);
    const points = store.metrics(run.id).points;
    expect(points.length).toBeGreaterThan(40); // it went on well past where the default bound stops it
  });
});
