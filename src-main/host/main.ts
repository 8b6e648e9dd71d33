/**
 * `npm run lab`: the browser host. Builds the renderer when out/renderer is missing or older
 * than its sources (app-build.ts, the check the tests use), opens the lab (default database
 * in the app's user-data folder), serves the renderer and the API on 127.0.0.1 (`--port N`,
 * default any free port), and prints the address with its session token. Ctrl+C (or
 * SIGTERM) stops running runs as interrupted and exits.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { PROJECT_ROOT } from '../cli/paths';
import { defaultDbPath } from '../lab/data-dir';
import { openLab, type Lab } from '../lab/lab';
import { ensureAppBuilt } from './app-build';
import { RENDERER_DIR, startHost, type Host } from './http-host';

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
  .option('--no-build', 'serve out/renderer as it is (no build when it is missing or stale)')
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

const o = program.opts<{ db: string; port: number; concurrency?: number; snapshotEvery: number; json?: boolean; build: boolean }>();
const rendererDir = resolve(PROJECT_ROOT, RENDERER_DIR);
if (o.build) {
  try {
    await ensureAppBuilt(PROJECT_ROOT, {
      onBuild: (why) => process.stderr.write(`lab: ${why}: building it (electron-vite build, about a minute)…\n`),
    });
  } catch (e) {
    // the API still works without a UI: say why and go on
    process.stderr.write(`lab: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}; serving the API without a new UI build\n`);
  }
}
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
let host: Host;
try {
  host = await startHost({
    port: o.port,
    handlers: lab.service.handlers,
    hub: lab.hub,
    ...(lab.reader ? { reader: lab.reader } : {}),
    ...(existsSync(rendererDir) ? { rendererDir } : {}),
  });
} catch (e) {
  const code = (e as { code?: string }).code;
  process.stderr.write(
    `lab: cannot listen on 127.0.0.1:${o.port}: ${code === 'EADDRINUSE' ? 'the port is in use (another lab?)' : e instanceof Error ? e.message : String(e)}\n`,
  );
  await lab.close();
  process.exit(1);
}

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
    process.stderr.write('no renderer build found (started with --no-build, or the build failed): the API works without it\n');
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
