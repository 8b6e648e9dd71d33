/**
 * `sweep`: a sweep in a lab database from the command line — its runs train (on this machine,
 * or on cluster workers with `--cluster`), one JSON line per run as it ends, then a summary
 * line `{"sweep", "runs", "passed", "bestRunId"}`.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ApiResult } from '../../../src-shared/api/contract';
import { dispatch } from '../../../src-shared/api/dispatch';
import { isFinalStatus } from '../../../src-shared/api/records';
import { AxisTextError, parseAxisText } from '../../../src-shared/sweeps/axis-text';
import type { AxisInput } from '../../../src-shared/sweeps/sweep-spec';
import { openLab, type Lab } from '../../lab/lab';
import type { ProcessLauncher } from '../../runs/launcher';
import { positiveInt, printJson, readJsonFile, UserError } from '../io';

interface SweepOptions {
  db: string;
  over: AxisInput[];
  problem: string;
  schedule?: string;
  concurrency?: number;
  zip?: boolean;
  confirm?: boolean;
  name?: string;
  cluster?: string;
  json?: boolean;
}

/** Where the runs of a sweep train: a launcher, and what to close after the lab. */
export interface SweepBackend {
  readonly launcher?: ProcessLauncher;
  /** Runs at once when --concurrency is not given. */
  readonly defaultConcurrency: number;
  close(): Promise<void>;
}

/** The cluster backend, loaded only when asked for (without --cluster nothing needs Redis). */
async function clusterBackend(url: string): Promise<SweepBackend> {
  const { connectCluster } = await import('../../cluster/cluster-launcher');
  const { ClusterError } = await import('../../cluster/redis-connect');
  let launcher;
  try {
    launcher = await connectCluster(url);
  } catch (e) {
    if (e instanceof ClusterError) throw new UserError(e.message);
    throw e;
  }
  return { launcher, defaultConcurrency: 8, close: () => launcher.close() };
}

const localBackend = (): SweepBackend => ({ defaultConcurrency: Math.max(1, availableParallelism() - 1), close: async () => {} });

function overOption(raw: string, acc: AxisInput[]): AxisInput[] {
  try {
    return [...acc, parseAxisText(raw)];
  } catch (e) {
    if (e instanceof AxisTextError) throw new InvalidArgumentError(`--over ${e.message}`);
    throw e;
  }
}

/** Waits until every run of the sweep has ended, printing one line per run as it ends. */
function followSweep(lab: Lab, sweepId: number, json: boolean): Promise<void> {
  const printed = new Set<number>();
  const report = (): boolean => {
    const d = lab.store.sweeps.get(sweepId);
    for (const p of d.points) {
      if (printed.has(p.run.id) || !isFinalStatus(p.run.status)) continue;
      printed.add(p.run.id);
      const r = p.run;
      const line = {
        runId: r.id,
        point: p.point,
        status: r.status,
        statusReason: r.statusReason,
        passed: p.passed === true,
        softLinks: r.softLinks,
        trainLoss: r.finalLoss,
        testLoss: r.testLoss,
        testWorst: r.testWorst,
        steps: r.steps,
        seconds: r.startedAt !== null && r.endedAt !== null ? Math.round((r.endedAt - r.startedAt) / 10) / 100 : null,
      };
      if (json) printJson(line);
      else
        process.stdout.write(
          `run ${r.id} ${r.status.padEnd(9)} ${p.passed ? 'passed' : 'failed'}  ${r.softLinks ?? '-'} links  test worst ${r.testWorst ?? '-'}  ${JSON.stringify(p.point)}\n`,
        );
    }
    return printed.size === d.points.length;
  };
  return new Promise((done) => {
    if (report()) return done();
    const off = lab.hub.subscribe((e) => {
      if (e.name !== 'run.changed' || e.data.sweepId !== sweepId || !isFinalStatus(e.data.status)) return;
      if (report()) {
        off();
        done();
      }
    });
  });
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run a sweep over schedule fields in a lab database: one line per run as it ends, then a summary')
    .requiredOption('--db <file>', 'the lab database the sweep and its runs are stored in')
    .option(
      '--over <axis>',
      'an axis: PATH=FROM-TO (integers), PATH=V1,V2,…, or PATH=random:MIN..MAX:COUNT[:log][:seed=S] (repeatable)',
      overOption,
      [] as AxisInput[],
    )
    .option('--problem <name>', "the problem (the database's)", 'duplicates')
    .option('--schedule <file>', 'base schedule JSON (only what differs from the problem defaults)')
    .option('--concurrency <n>', 'runs of the sweep at once (default: cores − 1 here, 8 on a cluster)', positiveInt('--concurrency'))
    .option('--zip', 'take the i-th value of every axis together instead of every combination')
    .option('--confirm', 'allow a sweep of more than 10,000 runs')
    .option('--name <name>', 'name of the sweep')
    .option('--cluster <url>', 'train the runs on cluster workers through this Redis (redis://host:port); see `worker`')
    .option('--json', 'one JSON object per line')
    .action(async (o: SweepOptions) => {
      if (o.over.length === 0) throw new UserError('give at least one --over PATH=VALUES (e.g. --over seed=1-10)');
      let schedule: Record<string, unknown> = {};
      if (o.schedule) {
        const data = readJsonFile(o.schedule, 'schedule file');
        if (typeof data !== 'object' || data === null || Array.isArray(data))
          throw new UserError(`schedule file ${o.schedule} must hold a JSON object`);
        schedule = data as Record<string, unknown>;
      }
      // an unreachable cluster is refused before the database is touched
      const backend = o.cluster !== undefined ? await clusterBackend(o.cluster) : localBackend();
      const concurrency = o.concurrency ?? backend.defaultConcurrency;
      let lab: Lab | undefined;
      try {
        mkdirSync(dirname(resolve(o.db)), { recursive: true });
        lab = openLab({ db: resolve(o.db), concurrency, ...(backend.launcher ? { launcher: backend.launcher } : {}) });
        // through the contract's validation, as any front end: refusals name the field
        const reply = await dispatch(lab.service.handlers, 'sweeps.create', {
          ...(o.name !== undefined ? { name: o.name } : {}),
          problem: o.problem,
          schedule,
          axes: o.over,
          combine: o.zip ? 'zip' : 'grid',
          concurrency,
          ...(o.confirm ? { confirm: true } : {}),
        });
        if (!reply.ok) throw new UserError(reply.error.message);
        const sweep = reply.result as ApiResult<'sweeps.create'>;
        process.stderr.write(`sweep ${sweep.id}: ${sweep.runs} runs, ${concurrency} at once${o.cluster ? ' on the cluster' : ''}\n`);
        const open = lab;
        let interrupted = false;
        const onSigint = () => {
          if (interrupted) process.exit(130);
          interrupted = true;
          process.stderr.write('\ninterrupted: stopping the sweep (Ctrl-C again to quit at once)\n');
          open.service.handlers['sweeps.control']({ id: sweep.id, command: 'stop' });
        };
        process.on('SIGINT', onSigint);
        try {
          await followSweep(lab, sweep.id, o.json === true);
        } finally {
          process.off('SIGINT', onSigint);
        }
        const s = lab.store.sweeps.summary(sweep.id);
        const summary = { sweep: s.id, runs: s.runs, passed: s.passed, bestRunId: s.bestRunId };
        if (o.json) printJson(summary);
        else process.stdout.write(`sweep ${s.id}: ${s.passed} of ${s.runs} runs passed; best run ${s.bestRunId ?? '-'}\n`);
      } finally {
        await lab?.close();
        await backend.close();
      }
    });
}
