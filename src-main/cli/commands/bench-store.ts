/**
 * `bench-store`: what recording a synthesis run in the lab database costs. The same
 * schedule and seed run twice in alternation — once reporting to nowhere, once stored
 * (metric batches, events, snapshots with their loss evaluation) in a fresh SQLite file —
 * and the per-step times are compared. Both runs take exactly the same steps (determinism).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { scheduleFromOverrides, type Schedule } from '../../../src-shared/synthesis/schedule';
import type { FromWorker } from '../../runs/protocol';
import { RunDriver } from '../../runs/run-driver';
import { RunRecorder } from '../../runs/run-recorder';
import { RunStore } from '../../store/run-store';
import { positiveInt, printJson } from '../io';

/** The default schedule, shortened: the dense phase on 1486 links, then coarse and fine cuts. */
export function benchSchedule(seed: number): Schedule {
  return scheduleFromOverrides(
    { dense: { steps: 300 }, stop: { stepBudget: 1200 }, restarts: { max: 0 }, regrow: { max: 0 }, polish: { steps: 100 } },
    seed,
  );
}

async function once(
  schedule: Schedule,
  store: RunStore | undefined,
): Promise<{ seconds: number; steps: number; metrics: number; snapshots: number }> {
  const run = store?.createRun({ schedule, name: 'bench-store' });
  const recorder = store && run ? new RunRecorder(store, run.id) : undefined;
  let steps = 0;
  let snapshots = 0;
  const send = (m: FromWorker) => {
    recorder?.handle(m);
    if (m.kind === 'metrics') steps += m.metrics.length;
    if (m.kind === 'snapshot') snapshots++;
  };
  const driver = new RunDriver({ runId: run?.id ?? 1, schedule: schedule, snapshotEvery: store ? 100 : 0, threads: 0 }, send, {
    snapshots: store !== undefined,
  });
  const t0 = performance.now();
  await driver.run();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, steps, metrics: run && store ? store.metrics(run.id, { maxPoints: 2 }).total : 0, snapshots };
}

export function registerBenchStore(program: Command): void {
  program
    .command('bench-store')
    .description('cost of recording a synthesis run in the lab database (with vs without storage, same steps)')
    .option('--seed <n>', 'seed', positiveInt('--seed'), 1)
    .option('--rounds <n>', 'alternating repetitions of each variant (the fastest counts)', positiveInt('--rounds'), 2)
    .option('--json', 'print one JSON object')
    .action(async (o: { seed: number; rounds: number; json?: boolean }) => {
      const schedule = benchSchedule(o.seed);
      const dir = mkdtempSync(join(tmpdir(), 'dmm-bench-store-'));
      try {
        let plain = Number.POSITIVE_INFINITY;
        let stored = Number.POSITIVE_INFINITY;
        let steps = 0;
        let metrics = 0;
        let snapshots = 0;
        for (let r = 0; r < o.rounds; r++) {
          const a = await once(schedule, undefined);
          plain = Math.min(plain, a.seconds);
          const store = RunStore.open(join(dir, `bench-${r}.sqlite`));
          try {
            const b = await once(schedule, store);
            stored = Math.min(stored, b.seconds);
            if (b.steps !== a.steps) throw new Error(`the stored run took ${b.steps} steps, the plain one ${a.steps}: not deterministic`);
            ({ steps, metrics, snapshots } = b);
          } finally {
            store.close();
          }
        }
        const result = {
          steps,
          metrics,
          snapshots,
          plainMsPerStep: (plain * 1000) / steps,
          storedMsPerStep: (stored * 1000) / steps,
          overheadPercent: ((stored - plain) / plain) * 100,
        };
        if (o.json) printJson(result);
        else {
          console.log(`steps            ${steps} (${metrics} metrics and ${snapshots} snapshots stored)`);
          console.log(`without storage  ${result.plainMsPerStep.toFixed(3)} ms/step`);
          console.log(`with storage     ${result.storedMsPerStep.toFixed(3)} ms/step`);
          console.log(`overhead         ${result.overheadPercent.toFixed(2)} %`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
