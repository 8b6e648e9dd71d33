/**
 * `runs list|show|export|import --db FILE`: the runs recorded in a lab database, from the
 * command line. `list`, `show` and `export` open the file read-only (nothing in it or beside
 * it is written; the app may be using it at the same time, WAL). `import` writes: it takes
 * the database's writer lock, so it is refused while a lab has the file open.
 */
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Command } from 'commander';
import { RUN_STATUSES } from '../../../src-shared/api/records';
import { ApiError, formatIssues } from '../../../src-shared/api/dispatch';
import { RunExportSchema } from '../../../src-shared/api/run-export';
import { checkRunExport } from '../../../src-shared/api/run-export-check';
import { exportRunChunks, exportRunsChunks } from '../../store/export-stream';
import { RunStore } from '../../store/run-store';
import { positiveInt, printJson, readJsonFile, UserError, withWriterLock } from '../io';

/** Largest run export `runs import` reads (a run of a million steps is about 200 MiB of JSON). */
const MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

function openStore(db: string): RunStore {
  const file = resolve(db);
  if (!existsSync(file)) throw new UserError(`no lab database at ${file}`);
  try {
    return RunStore.open(file, { readonly: true });
  } catch (e) {
    throw new UserError(`cannot open the lab database ${file}: ${(e as Error).message}`);
  }
}

async function withStore<T>(db: string, f: (s: RunStore) => T | Promise<T>): Promise<T> {
  const store = openStore(db);
  try {
    return await f(store);
  } catch (e) {
    if (e instanceof ApiError) throw new UserError(e.message);
    throw e;
  } finally {
    store.close();
  }
}

/** Writes pieces of text to `out` (a file, written whole or not at all) or to stdout, one piece in memory at a time. */
async function writePieces(pieces: Iterable<string>, out: string | undefined): Promise<string | undefined> {
  if (out === undefined) {
    for (const piece of pieces) if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
    process.stdout.write('\n');
    return undefined;
  }
  const full = resolve(out);
  mkdirSync(dirname(full), { recursive: true });
  const tmp = `${full}.${process.pid}.part`;
  const fd = openSync(tmp, 'w');
  try {
    for (const piece of pieces) writeSync(fd, piece);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, full);
  return full;
}

const fmt = (x: number | null, digits = 3) => (x === null ? '-' : x.toExponential(digits));

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('runs recorded in a lab database (list, show, export, import)');

  runs
    .command('list')
    .description('one line per run, newest first')
    .requiredOption('--db <file>', 'the lab database')
    .option('--status <status>', `only runs with this status (${RUN_STATUSES.join(', ')})`)
    .option('--trash', 'the runs in the trash instead')
    .option('--json', 'one JSON object per run')
    .action(async (o: { db: string; status?: string; trash?: boolean; json?: boolean }) => {
      if (o.status && !(RUN_STATUSES as readonly string[]).includes(o.status))
        throw new UserError(`--status must be one of ${RUN_STATUSES.join(', ')}, got "${o.status}"`);
      await withStore(o.db, (store) => {
        const { runs: list } = store.listRuns({
          ...(o.status ? { status: [o.status as (typeof RUN_STATUSES)[number]] } : {}),
          ...(o.trash ? { trash: true } : {}),
          sort: { field: 'id', dir: 'desc' },
        });
        if (o.json) {
          for (const r of list) printJson(r);
          return;
        }
        console.log(
          `${'id'.padStart(5)}  ${'status'.padEnd(11)} ${'verdict'.padEnd(7)} ${'links'.padStart(5)} ${'loss'.padStart(10)} ${'test worst'.padStart(10)} ${'steps'.padStart(7)}  name`,
        );
        for (const r of list) {
          console.log(
            `${String(r.id).padStart(5)}  ${r.status.padEnd(11)} ${r.verdict.padEnd(7)} ${String(r.softLinks ?? '-').padStart(5)} ${fmt(r.finalLoss, 2).padStart(10)} ${fmt(r.testWorst, 2).padStart(10)} ${String(r.steps).padStart(7)}  ${r.name}`,
          );
        }
      });
    });

  runs
    .command('show')
    .description('one run: its record, figures, events and snapshots')
    .requiredOption('--db <file>', 'the lab database')
    .requiredOption('--run <id>', 'run id', positiveInt('--run'))
    .option('--json', 'one JSON object: {run, metrics: {total, lastStep}, events, snapshots}')
    .action(async (o: { db: string; run: number; json?: boolean }) => {
      await withStore(o.db, (store) => {
        const run = store.getRun(o.run);
        const metrics = store.metrics(o.run, { maxPoints: 2 });
        const events = store.listEvents(o.run);
        const snapshots = store.listSnapshots(o.run);
        if (o.json) {
          printJson({ run, metrics: { total: metrics.total, lastStep: metrics.lastStep }, events, snapshots });
          return;
        }
        console.log(
          `run ${run.id}  ${run.name}  [${run.status}${run.statusReason ? `: ${run.statusReason}` : ''}]  verdict ${run.verdict}`,
        );
        console.log(`  problem ${run.problem}, estimator ${run.estimator}, seed ${run.seed}, tags ${run.tags.join(', ') || '-'}`);
        console.log(
          `  steps ${run.steps}/${run.stepBudget}, soft links ${run.softLinks ?? '-'}, loss ${fmt(run.finalLoss)} (best ${fmt(run.bestLoss)})`,
        );
        console.log(`  test loss ${fmt(run.testLoss)}, worst ${fmt(run.testWorst)}`);
        if (run.parentRunId !== null) console.log(`  from run ${run.parentRunId}, snapshot ${run.parentSnapshotId ?? '-'}`);
        console.log(`  ${metrics.total} metrics, ${events.length} events, ${snapshots.length} snapshots`);
        for (const e of events.slice(-15)) console.log(`    step ${String(e.step).padStart(6)}  ${e.kind}`);
      });
    });

  runs
    .command('export')
    .description('runs as self-contained JSON (record, metrics, events, snapshots), importable into any lab')
    .requiredOption('--db <file>', 'the lab database')
    .requiredOption('--run <id...>', 'run ids')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (o: { db: string; run: string[]; out?: string }) => {
      const ids = o.run.map((r) => positiveInt('--run')(r));
      await withStore(o.db, async (store) => {
        // page by page: memory stays bounded however long the runs are
        const pieces = ids.length === 1 ? exportRunChunks(store, ids[0] as number) : exportRunsChunks(store, ids);
        const file = await writePieces(pieces, o.out);
        if (file) process.stderr.write(`wrote ${file}\n`);
      });
    });

  runs
    .command('import')
    .description('runs exported by `runs export` (or the app), added with new ids')
    .requiredOption('--db <file>', 'the lab database (created if missing)')
    .requiredOption('--file <file>', 'a run export (one object or an array)')
    .option('--json', 'print {"ids": [...]}')
    .action((o: { db: string; file: string; json?: boolean }) => {
      const data = readJsonFile(o.file, 'run export', MAX_IMPORT_BYTES);
      const parsed = z.array(RunExportSchema).safeParse(Array.isArray(data) ? data : [data]);
      if (!parsed.success) throw new UserError(`${o.file} is not a run export: ${formatIssues(parsed.error.issues)}`);
      try {
        for (const e of parsed.data) checkRunExport(e); // ranges, order, snapshots that reproduce their loss
      } catch (e) {
        throw new UserError(`${o.file}: ${(e as Error).message}`);
      }
      const file = resolve(o.db);
      mkdirSync(dirname(file), { recursive: true });
      withWriterLock(file, 'runs import', () => {
        let store: RunStore;
        try {
          store = RunStore.open(file);
        } catch (e) {
          throw new UserError(`cannot open the lab database ${file}: ${(e as Error).message}`);
        }
        try {
          const ids = store.importRuns(parsed.data);
          if (o.json) printJson({ ids });
          else console.log(`imported ${ids.length} run(s): ${ids.join(', ')}`);
        } catch (e) {
          if (e instanceof ApiError) throw new UserError(`${o.file}: ${e.message}`);
          throw e;
        } finally {
          store.close();
        }
      });
    });
}
