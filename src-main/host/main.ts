/**
 * `npm run lab`: the browser host. Opens the lab (default database in the app's user-data
 * folder), serves the built renderer and the API on 127.0.0.1, and prints the address with
 * its session token. Ctrl+C (or SIGTERM) stops running runs as interrupted and exits.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { PROJECT_ROOT } from '../cli/paths';
import { defaultDbPath } from '../lab/data-dir';
import { openLab, type Lab } from '../lab/lab';
import { RENDERER_DIR, startHost } from './http-host';

const int = (name: string, min: number) => (raw: string) => {
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || v < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return v;
};

const program = new Command()
  .name('lab')
  .description('DMM Lab in a browser: the API and the built renderer on 127.0.0.1')
  .option('--db <file>', 'the lab database', defaultDbPath())
  .option('--port <n>', 'port (0: any free one)', int('--port', 0), 0)
  .option('--concurrency <n>', 'runs at once (default: cores − 1)', int('--concurrency', 1))
  .option('--snapshot-every <n>', 'interval snapshots every n steps', int('--snapshot-every', 0), 100)
  .option('--json', 'print {"url", "port", "token", "db", "pid"} as one JSON line when ready')
  .parse();

/** Tuning for small disks and fault tests: an integer environment variable, when set. */
function envInt<K extends string>(name: string, key: K): Partial<Record<K, number>> {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return {};
  if (!/^\d+$/.test(raw)) {
    process.stderr.write(`lab: ${name} must be a non-negative integer, got "${raw}"\n`);
    process.exit(2);
  }
  return { [key]: Number(raw) } as Partial<Record<K, number>>;
}

const o = program.opts<{ db: string; port: number; concurrency?: number; snapshotEvery: number; json?: boolean }>();
const rendererDir = resolve(PROJECT_ROOT, RENDERER_DIR);
let lab: Lab;
try {
  lab = openLab({
    db: resolve(o.db),
    snapshotEvery: o.snapshotEvery,
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
    ...envInt('DMM_LAB_RESERVE_BYTES', 'reserveBytes'),
    ...envInt('DMM_LAB_ACK_TIMEOUT_MS', 'ackTimeoutMs'),
    ...envInt('DMM_LAB_WINDOW', 'window'),
    ...envInt('DMM_LAB_DISK_RETRY_MS', 'diskRetryMs'),
  });
} catch (e) {
  // e.g. another lab holds the database (lab-lock.ts), or the file is not a lab database
  const debug = process.env['DMM_LAB_DEBUG'] === '1' && e instanceof Error ? `\n${e.stack}` : '';
  process.stderr.write(`lab: cannot open ${resolve(o.db)}: ${e instanceof Error ? e.message : String(e)}${debug}\n`);
  process.exit(1);
}
const host = await startHost({
  handlers: lab.service.handlers,
  hub: lab.hub,
  ...(lab.reader ? { reader: lab.reader } : {}),
  ...(existsSync(rendererDir) ? { rendererDir } : {}),
});

// what the start found, always on stderr (stdout is for --json)
if (lab.interrupted.length) process.stderr.write(`runs interrupted by the last shutdown: ${lab.interrupted.join(', ')}\n`);
for (const r of lab.supervisor.recovered)
  process.stderr.write(
    r.error
      ? `recovery file ${r.file}: ${r.error}\n`
      : `run ${r.runId}: stored ${r.stored} of ${r.messages} messages its process had kept for a crash\n`,
  );
if (lab.health.mode !== 'read-write') process.stderr.write(`the lab is ${lab.health.mode}: ${lab.health.status.reason}\n`);
if (o.json) {
  process.stdout.write(JSON.stringify({ url: host.url, port: host.port, token: host.token, db: resolve(o.db), pid: process.pid }) + '\n');
} else {
  process.stderr.write(`DMM Lab database: ${resolve(o.db)}\n`);
  if (!existsSync(rendererDir))
    process.stderr.write('no renderer build found: run `npm run build` to get the UI (the API works without it)\n');
  process.stderr.write(`open ${host.url}\n`);
}

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await host.close();
  await lab.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
