/**
 * Importing runs checks what an export claims (src-shared/api/run-export-check.ts), on a
 * real run recorded in a real SQLite file and the real CLI: the untouched export imports;
 * duplicate metric steps, step 10¹⁵, a 10 MB name, negative soft links, createdAt −1e300,
 * a snapshot naming a neuron the machine does not have, and a snapshot whose loss its
 * weights do not give are each refused with the run and the place named — by the CLI
 * without a stack trace, and by the API — and the target database is left without them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab } from '../../src-main/lab/lab';
import { RunDriver } from '../../src-main/runs/run-driver';
import { RunRecorder } from '../../src-main/runs/run-recorder';
import { RunStore } from '../../src-main/store/run-store';
import { checkRunExport } from '../../src-shared/api/run-export-check';
import type { RunExport } from '../../src-shared/api/run-export';
import { scheduleFromOverrides } from '../../src-shared/synthesis/schedule';
import { runCli } from '../helpers/cli';
import { shortSchedule, tempDir } from '../helpers/lab';

const tmp = tempDir('dmm-import-checks-');
let good: RunExport;

beforeAll(async () => {
  const store = RunStore.open(join(tmp.dir, 'source.sqlite'));
  const schedule = scheduleFromOverrides(shortSchedule(3));
  const run = store.createRun({ name: 'recorded', schedule });
  const recorder = new RunRecorder(store, run.id);
  const driver = new RunDriver({ runId: run.id, schedule, snapshotEvery: 50, threads: 0 }, (m) => recorder.handle(m));
  await driver.run();
  good = store.exportRun(run.id);
  store.close();
  expect(good.run.status).toBe('completed');
  expect(good.snapshots.length).toBeGreaterThan(3);
}, 120_000);
afterAll(() => tmp.cleanup());

const copy = (): RunExport => JSON.parse(JSON.stringify(good)) as RunExport;

const cases: [string, (e: RunExport) => void, RegExp][] = [
  ['duplicate metric steps', (e) => (e.metrics[5]!.step = e.metrics[4]!.step), /metric 5: step \d+ is given twice/],
  ['step 10¹⁵', (e) => (e.metrics.at(-1)!.step = 1e15), /step must be an integer from 0 to 1000000000, got 1000000000000000/],
  ['a 10 MB name', (e) => (e.run.name = 'n'.repeat(10_000_000)), /its name has 10000000 characters, more than 200/],
  ['softLinks −5', (e) => (e.run.softLinks = -5), /softLinks must be an integer from 0/],
  ['createdAt −1e300', (e) => (e.run.createdAt = -1e300), /createdAt must be a time in milliseconds since 1970/],
  [
    'a snapshot naming a neuron the machine does not have',
    (e) => (e.snapshots[1]!.weights.links[0]!.from = 'dot-9-9'),
    /snapshot 1 \(step \d+\): link 0 comes from neuron "dot-9-9", which the run's machine does not have/,
  ],
  [
    'a snapshot whose loss its weights do not give',
    (e) => (e.snapshots[2]!.preregLoss = (e.snapshots[2]!.preregLoss as number) * 1.01),
    /snapshot 2 \(step \d+\): its stored loss .* is not what its weights give/,
  ],
];

describe('run imports are checked', () => {
  it('an untouched export passes, every snapshot loss reproduced', () => {
    expect(() => checkRunExport(good)).not.toThrow();
  });

  for (const [what, spoil, message] of cases) {
    it(`refuses ${what} (CLI: exit 1, no stack trace; nothing imported)`, () => {
      const e = copy();
      spoil(e);
      expect(() => checkRunExport(e)).toThrow(message);
      const file = join(tmp.dir, 'spoiled.json');
      writeFileSync(file, JSON.stringify(e));
      const db = join(tmp.dir, 'target.sqlite');
      const r = runCli(['runs', 'import', '--db', db, '--file', file]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      if (existsSync(db)) {
        const target = RunStore.open(db, { readonly: true });
        expect(target.listRuns({}).total).toBe(0);
        target.close();
      }
    }, 60_000);
  }

  it('the API refuses the same with a bad-request, and the good one imports', async () => {
    const lab = openLab({ db: join(tmp.dir, 'api.sqlite'), readers: false });
    try {
      const e = copy();
      e.metrics[3]!.step = e.metrics[2]!.step;
      expect(() => lab.service.handlers['runs.import']({ runs: [e] })).toThrow(/is given twice/);
      expect(lab.store.listRuns({}).total).toBe(0);
      const { ids } = lab.service.handlers['runs.import']({ runs: [good] }) as { ids: number[] };
      expect(lab.store.getRun(ids[0]!).name).toBe('recorded');
    } finally {
      await lab.close();
    }
  });
});
