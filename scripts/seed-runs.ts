/**
 * Seeds a lab database with many plausible runs (through RunStore, in bulk transactions) and
 * measures what the run browser and the run detail ask of the store.
 *
 *   npx tsx scripts/seed-runs.ts --db FILE --runs 10000 --metrics 500            # seed
 *   npx tsx scripts/seed-runs.ts --db FILE --measure [--json]                     # measure
 *   npx tsx scripts/seed-runs.ts --db FILE --runs 10000 --metrics 500 --measure   # both
 *
 * Seeded runs are all in a final status (completed, failed, diverged, stopped,
 * interrupted), so a lab opened on the file (`npm run lab -- --db FILE`) starts nothing.
 * Their schedules vary (seed, learning rate, λ1, cut rule, estimator) so schedule-path
 * filters such as `optimizer.lr = 0.02` have something to find; some carry tags and notes,
 * about 2 % are in the trash. Every run has `--metrics` steps, except one run in 1000 with a
 * long series (`--long`, default 30 000 steps, the default schedule's budget) so the curve
 * timing covers a full-length run: 10 000 runs × 500 give 5.3 million metric rows.
 *
 * Measurement: each query runs `--repeat` times (default 5) on a freshly opened store; the
 * median and the worst are reported, in milliseconds.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { RunQuery } from '../src-shared/api/contract';
import type { Metric, RunStatus } from '../src-shared/api/records';
import { scheduleFromOverrides, type Schedule } from '../src-shared/synthesis/schedule';
import { Rng } from '../src-shared/util/rng';
import { RunStore } from '../src-main/store/run-store';

interface Options {
  readonly db: string;
  readonly runs: number;
  readonly metrics: number;
  readonly long: number;
  readonly measure: boolean;
  readonly repeat: number;
  readonly json: boolean;
  readonly seed: number;
}

function usage(message?: string): never {
  if (message) process.stderr.write(`seed-runs: ${message}\n`);
  process.stderr.write(
    'usage: npx tsx scripts/seed-runs.ts --db FILE [--runs N] [--metrics N] [--long N] [--seed N] [--measure] [--repeat N] [--json]\n',
  );
  process.exit(2);
}

function intOption(raw: string | undefined, name: string, fallback: number, min = 0): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(v) || v < min) usage(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return v;
}

function readOptions(argv: readonly string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
        runs: { type: 'string' },
        metrics: { type: 'string' },
        long: { type: 'string' },
        seed: { type: 'string' },
        measure: { type: 'boolean', default: false },
        repeat: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help) usage();
  if (!values.db) usage('--db FILE is required');
  const runs = intOption(values.runs, '--runs', 0);
  if (runs === 0 && !values.measure) usage('give --runs N to seed and/or --measure to measure');
  return {
    db: values.db,
    runs,
    metrics: intOption(values.metrics, '--metrics', 500, 1),
    long: intOption(values.long, '--long', 30_000, 1),
    measure: values.measure ?? false,
    repeat: intOption(values.repeat, '--repeat', 5, 1),
    json: values.json ?? false,
    seed: intOption(values.seed, '--seed', 1),
  };
}

// ------------------------------------------------------------------ seeding

const LRS = [0.005, 0.01, 0.02, 0.05] as const;
const L1S = [0.0005, 0.001, 0.002] as const;
const TAGS = ['baseline', 'sweep-lr', 'es', 'repair', 'keep', 'paper', 'flaky', 'long'] as const;
const WORDS = ['sweep', 'probe', 'repair', 'dense', 'sparse', 'es', 'baseline', 'retry', 'ablation', 'check'] as const;
const NOTES = [
  '',
  '',
  '',
  'Converged to the **8-link** detector.',
  'Backtracked twice in round 3; see the event log.\n\n- lr too high?\n- try `fineBelow: 20`',
  'Diverged after the λ1 bump. *Do not reuse this schedule.*',
] as const;

/** A handful of schedule templates (validated once): the seed is set per run. */
function templates(): Schedule[] {
  const out: Schedule[] = [];
  for (const lr of LRS) {
    for (const l1 of L1S) {
      out.push(scheduleFromOverrides({ optimizer: { lr }, dense: { l1 } }));
      out.push(
        scheduleFromOverrides({ optimizer: { lr }, dense: { l1 }, rounds: { cut: { kind: 'threshold', threshold: 0.01, factor: 1.5 } } }),
      );
    }
  }
  out.push(
    scheduleFromOverrides({ estimator: { kind: 'es', sigma: 0.01, population: 16, weightDecay: 0, workers: 0 }, optimizer: { lr: 0.01 } }),
  );
  out.push(
    scheduleFromOverrides({
      estimator: { kind: 'es', sigma: 0.02, population: 32, weightDecay: 0.001, workers: 2 },
      optimizer: { lr: 0.02 },
    }),
  );
  return out;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.next() * xs.length)] as T;
}

function finalStatus(rng: Rng): RunStatus {
  const x = rng.next();
  if (x < 0.8) return 'completed';
  if (x < 0.87) return 'stopped';
  if (x < 0.93) return 'failed';
  if (x < 0.97) return 'diverged';
  return 'interrupted';
}

/** A plausible series: loss decaying with noise, soft links falling in steps from 1486 to `finalLinks`. */
function series(rng: Rng, steps: number, finalLinks: number, diverged: boolean): Metric[] {
  const out: Metric[] = new Array<Metric>(steps);
  const dense = Math.max(1, Math.floor(steps * 0.15));
  const polish = Math.max(1, Math.floor(steps * 0.1));
  let links = 1486;
  let loss = 400 + 100 * rng.next();
  const floor = 1e-4 + rng.next() * 0.05;
  const decay = Math.pow(floor / loss, 1 / steps);
  const cuts = 12;
  const cutEvery = Math.max(1, Math.floor((steps - dense - polish) / cuts));
  for (let i = 0; i < steps; i++) {
    const step = i + 1;
    const phase: Metric['phase'] = i < dense ? 'dense' : i >= steps - polish ? 'polish' : 'sparsify';
    if (phase === 'sparsify' && (i - dense) % cutEvery === 0 && links > finalLinks) {
      links = Math.max(finalLinks, Math.floor(links * 0.55));
      loss *= 1.5 + rng.next();
    }
    if (phase === 'polish') links = finalLinks;
    loss *= decay * (0.97 + 0.06 * rng.next());
    const prereg = diverged && i > steps * 0.9 ? (i === steps - 1 ? Number.NaN : loss * 10 ** ((i - steps * 0.9) / 5)) : loss;
    const lambda1 = phase === 'dense' ? 0.001 : phase === 'polish' ? 0 : 0.003;
    const l1 = links * 0.05;
    out[i] = {
      step,
      phase,
      preregLoss: prereg,
      loss: prereg + lambda1 * l1,
      l1,
      lambda1,
      softLinks: links,
      wallMs: step * (6 + rng.next()),
    };
  }
  return out;
}

function seed(store: RunStore, o: Options, clock: { now: number }): { runs: number; metrics: number; seconds: number } {
  const rng = new Rng(o.seed);
  const schedules = templates();
  const t0 = performance.now();
  const start = Date.now() - 90 * 86_400_000;
  const spacing = Math.max(1, Math.floor((90 * 86_400_000) / Math.max(1, o.runs)));
  let metricRows = 0;
  const batch = 100;
  const bulk = store.db.transaction((from: number, to: number) => {
    for (let k = from; k < to; k++) {
      const base = pick(rng, schedules);
      const runSeed = 1 + Math.floor(rng.next() * 10_000);
      const schedule: Schedule = { ...base, seed: runSeed };
      const status = finalStatus(rng);
      const tags: string[] = [];
      for (const t of TAGS) if (rng.next() < 0.08) tags.push(t);
      if (schedule.estimator.kind === 'es' && !tags.includes('es')) tags.push('es');
      clock.now = start + k * spacing;
      const run = store.createRun({
        name: `${pick(rng, WORDS)} ${pick(rng, WORDS)} ${k + 1}`,
        schedule,
        tags,
        notes: pick(rng, NOTES),
      });
      clock.now += 1000;
      store.setStatus(run.id, 'running');
      const long = k % 1000 === 499;
      const steps = long ? o.long : o.metrics;
      const finalLinks = status === 'completed' ? 8 + Math.floor(rng.next() * 10) : 8 + Math.floor(rng.next() * 200);
      const metrics = series(rng, steps, finalLinks, status === 'diverged');
      store.appendMetrics(run.id, metrics);
      metricRows += metrics.length;
      const last = metrics[metrics.length - 1] as Metric;
      if (status === 'completed' || status === 'stopped') {
        const testLoss = rng.next() < 0.3 ? 0 : 10 ** (-5 + 4 * rng.next());
        store.updateRunFigures(run.id, { testLoss, testWorst: Math.min(1, testLoss * (0.1 + rng.next())) });
      }
      clock.now += Math.round(last.wallMs ?? steps * 6);
      const reasons: Partial<Record<RunStatus, string>> = {
        failed: 'run worker exited with code 1',
        diverged: `loss not finite at step ${steps}`,
        stopped: 'stopped by the user',
        interrupted: 'the lab stopped while the run was running',
      };
      store.setStatus(run.id, status, reasons[status] ?? 'target size reached');
      if (rng.next() < 0.02) store.trash([run.id]);
    }
  });
  for (let from = 0; from < o.runs; from += batch) {
    bulk.immediate(from, Math.min(o.runs, from + batch));
    if (!o.json && process.stderr.isTTY) process.stderr.write(`\rseeded ${Math.min(o.runs, from + batch)}/${o.runs} runs`);
  }
  if (!o.json && process.stderr.isTTY) process.stderr.write('\n');
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.db.exec('ANALYZE');
  return { runs: o.runs, metrics: metricRows, seconds: (performance.now() - t0) / 1000 };
}

// ------------------------------------------------------------------ measuring

interface Timing {
  readonly what: string;
  readonly medianMs: number;
  readonly worstMs: number;
  readonly rows: number;
}

function time(what: string, repeat: number, f: () => number): Timing {
  const ms: number[] = [];
  let rows = 0;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    rows = f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 10) / 10;
  return { what, medianMs: round(ms[Math.floor(ms.length / 2)] as number), worstMs: round(ms[ms.length - 1] as number), rows };
}

/** What the run browser sends: the first page (and then the rest in pages of 2000). */
const FIRST_PAGE = 200;

function measure(file: string, o: Options): Timing[] {
  const store = RunStore.open(file);
  try {
    const timings: Timing[] = [];
    const first =
      (q: RunQuery): (() => number) =>
      () => {
        const r = store.listRuns({ ...q, offset: 0, limit: FIRST_PAGE });
        return r.runs.length;
      };
    const all =
      (q: RunQuery): (() => number) =>
      () =>
        store.listRuns(q).runs.length;
    // the very first call on a fresh connection (statement preparation, cold page cache of this process)
    timings.push(time('first call on a fresh store: default view, first page', 1, first({})));
    const queries: [string, RunQuery][] = [
      ['default view (newest first)', {}],
      ['sort by softLinks asc', { sort: { field: 'softLinks', dir: 'asc' } }],
      ['sort by testLoss desc', { sort: { field: 'testLoss', dir: 'desc' } }],
      ['sort by name asc', { sort: { field: 'name', dir: 'asc' } }],
      ['sort by duration desc', { sort: { field: 'duration', dir: 'desc' } }],
      ['status completed, failed', { status: ['completed', 'failed'] }],
      ['where softLinks <= 12', { where: [{ field: 'softLinks', op: '<=', value: 12 }] }],
      [
        'where testWorst < 0.05, sort bestLoss',
        { where: [{ field: 'testWorst', op: '<', value: 0.05 }], sort: { field: 'bestLoss', dir: 'asc' } },
      ],
      ['where optimizer.lr = 0.02 (schedule path)', { where: [{ field: 'optimizer.lr', op: '=', value: 0.02 }] }],
      ['tag baseline', { tag: 'baseline' }],
      ['text "sweep"', { text: 'sweep' }],
      ['trash', { trash: true }],
    ];
    for (const [what, q] of queries) timings.push(time(`list, first ${FIRST_PAGE}: ${what}`, o.repeat, first(q)));
    for (const [what, q] of queries.slice(0, 2)) timings.push(time(`list, all rows: ${what}`, o.repeat, all(q)));
    const pages = (): number => {
      let n = 0;
      let offset = 0;
      for (;;) {
        const r = store.listRuns({ offset, limit: offset === 0 ? FIRST_PAGE : 2000 });
        n += r.runs.length;
        offset += r.runs.length;
        if (offset >= r.total || r.runs.length === 0) return n;
      }
    };
    timings.push(time('list, all rows in pages (200 then 2000 each): default view', o.repeat, pages));

    const ids = store.listRuns({ limit: 1, sort: { field: 'steps', dir: 'desc' } }).runs;
    const typical = store.listRuns({ limit: 1, where: [{ field: 'steps', op: '=', value: o.metrics }] }).runs;
    for (const [what, run] of [
      ['typical run', typical[0]],
      ['longest run', ids[0]],
    ] as const) {
      if (run === undefined) continue;
      timings.push(
        time(
          `metrics(maxPoints 2000): ${what} (${run.steps} steps)`,
          o.repeat,
          () => store.metrics(run.id, { maxPoints: 2000 }).points.length,
        ),
      );
    }
    return timings;
  } finally {
    store.close();
  }
}

function counts(file: string): { runs: number; trashed: number; metrics: number; megabytes: number } {
  const store = RunStore.open(file);
  try {
    const one = (sql: string): number => store.db.prepare(sql).pluck().get() as number;
    const bytes = statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    return {
      runs: one('SELECT count(*) FROM runs'),
      trashed: one('SELECT count(*) FROM runs WHERE deleted_at IS NOT NULL'),
      metrics: one('SELECT count(*) FROM metrics'),
      megabytes: Math.round(bytes / 1e5) / 10,
    };
  } finally {
    store.close();
  }
}

function main(): void {
  const o = readOptions(process.argv.slice(2));
  const out = (obj: unknown, text: string): void => {
    if (o.json) process.stdout.write(`${JSON.stringify(obj)}\n`);
    else process.stdout.write(`${text}\n`);
  };
  if (o.runs > 0) {
    const clock = { now: Date.now() };
    const store = RunStore.open(o.db, { clock: () => clock.now });
    try {
      const s = seed(store, o, clock);
      out({ seeded: s }, `seeded ${s.runs} runs, ${s.metrics} metric rows in ${s.seconds.toFixed(1)} s`);
    } finally {
      store.close();
    }
  }
  const c = counts(o.db);
  out(
    { database: { file: o.db, ...c } },
    `${o.db}: ${c.runs} runs (${c.trashed} in the trash), ${c.metrics} metric rows, ${c.megabytes} MB`,
  );
  if (o.measure) {
    for (const t of measure(o.db, o)) {
      out(
        t,
        `${t.medianMs.toFixed(1).padStart(8)} ms median ${t.worstMs.toFixed(1).padStart(8)} ms worst  ${String(t.rows).padStart(6)} rows  ${t.what}`,
      );
    }
  }
}

main();
