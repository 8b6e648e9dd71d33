/**
 * Puts a better-sqlite3 build for Electron's ABI beside the Node one:
 * build/native/electron-<version>-<platform>-<arch>/better_sqlite3.node (+ binding.json).
 * node_modules/better-sqlite3 keeps its Node build, so `npm test` (Node) and `npm start`
 * (Electron, which loads this one through better-sqlite3's `nativeBinding` option, see
 * src-main/electron/native-binding.ts) both work after one `npm install`, in either order.
 * `npm start` / `npm run dev` run it first (the prestart / predev scripts) and
 * scripts/electron-package.ts runs it with --out before packaging; when the build there is
 * up to date (binding.json names this better-sqlite3 and the file is for Electron's ABI) it
 * returns at once.
 *
 * Where the build comes from, first that works:
 *   1. DMM_ELECTRON_SQLITE_BINDING=/path/better_sqlite3.node (built elsewhere: the offline way);
 *   2. better-sqlite3's prebuilt for this Electron (prebuild-install: GitHub releases, or
 *      ~/.npm/_prebuilds/ and a mirror in npm_config_better_sqlite3_binary_host);
 *   3. compiled from better-sqlite3's sources against Electron's headers (node-gyp: needs
 *      the headers from electronjs.org, python3, make and a C++ compiler).
 * With none, it exits 1 and says what is missing and how to provide it.
 *
 *   npx tsx scripts/electron-native.ts [--force] [--out DIR] [--no-source]
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { abiMismatch } from '../src-main/electron/native-abi';
import { NATIVE_BINDING_ENV, NATIVE_BINDING_FILE, nativeBindingDir } from '../src-main/electron/native-binding';

/** Where Electron's headers are downloaded from (a mirror), or a folder with them unpacked. */
const HEADERS_URL_ENV = 'DMM_ELECTRON_HEADERS_URL';
const HEADERS_DIR_ENV = 'DMM_ELECTRON_HEADERS_DIR';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(ROOT, 'package.json'));
const run = promisify(execFile);

interface Args {
  force: boolean;
  out?: string;
  source: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { force: false, source: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--force') args.force = true;
    else if (a === '--no-source') args.source = false;
    else if (a === '--out' && argv[i + 1]) args.out = argv[++i];
    else fail(`unknown option ${a} (options: --force, --out DIR, --no-source)`, 2);
  }
  return args;
}

/** An expected failure: its message is printed as it is and the script exits with `code`. */
class Failure extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

/** Throws (so that `finally` blocks clean up); the top level prints it and sets the exit code. */
function fail(message: string, code = 1): never {
  throw new Failure(message, code);
}

const say = (m: string): void => void process.stderr.write(`electron-native: ${m}\n`);

function packageVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

const firstLine = (e: unknown): string => {
  const err = e as { stderr?: string; message?: string };
  const text = `${err.stderr ?? ''}\n${err.message ?? String(e)}`;
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const pick = (re: RegExp) => lines.find((l) => re.test(l));
  const network = pick(/ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|getaddrinfo/);
  if (network) return network;
  const gypHttp = pick(/^gyp http GET/);
  if (pick(/network connectivity/))
    return `cannot download ${gypHttp ? gypHttp.replace(/^gyp http GET\s*/, '') : "Electron's headers"} (no network)`;
  return pick(/ERR!|error|40[34]|not found/i) ?? lines[0] ?? 'unknown error';
};

/** better-sqlite3's prebuilt for this Electron, via prebuild-install, into `work`/build/Release. */
async function fromPrebuilt(work: string, electron: string, sqliteDir: string): Promise<string> {
  copyFileSync(join(sqliteDir, 'package.json'), join(work, 'package.json'));
  const bin = require.resolve('prebuild-install/bin.js');
  const argv = [bin, '--runtime', 'electron', '--target', electron, '--arch', process.arch, '--platform', process.platform, '--verbose'];
  const r = await run(process.execPath, argv, { cwd: work, timeout: 120_000, maxBuffer: 8 * 1024 * 1024 }).catch((e: unknown) => {
    throw new Error(firstLine(e));
  });
  const built = join(work, 'build', 'Release', NATIVE_BINDING_FILE);
  if (!existsSync(built)) throw new Error(firstLine({ stderr: r.stderr, message: 'no prebuilt was installed' }));
  return built;
}

/** Compiles better-sqlite3 against Electron's headers (node-gyp), in a copy of its sources. */
async function fromSource(work: string, electron: string, sqliteDir: string): Promise<string> {
  for (const part of ['package.json', 'binding.gyp', 'src', 'deps']) cpSync(join(sqliteDir, part), join(work, part), { recursive: true });
  const gyp = require.resolve('node-gyp/bin/node-gyp.js');
  const distUrl = process.env[HEADERS_URL_ENV] ?? 'https://electronjs.org/headers';
  const headersDir = process.env[HEADERS_DIR_ENV];
  const argv = [
    gyp,
    'rebuild',
    '--release',
    `--target=${electron}`,
    `--arch=${process.arch}`,
    `--dist-url=${distUrl}`,
    ...(headersDir ? [`--nodedir=${headersDir}`] : []),
  ];
  // npm passes its own config down as npm_config_* (a `nodedir` there would point node-gyp at
  // Node's headers and silently build for Node's ABI): node-gyp gets none of it
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_')));
  await run(process.execPath, argv, { cwd: work, env, timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 }).catch((e: unknown) => {
    throw new Error(firstLine(e));
  });
  const built = join(work, 'build', 'Release', NATIVE_BINDING_FILE);
  if (!existsSync(built)) throw new Error('node-gyp finished without producing build/Release/better_sqlite3.node');
  return built;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const electron = packageVersion('electron');
  if (!electron) fail('the electron package is not installed (run npm install)');
  const sqlite = packageVersion('better-sqlite3');
  if (!sqlite) fail('the better-sqlite3 package is not installed (run npm install)');
  const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
  const abi = Number(readFileSync(join(dirname(require.resolve('electron/package.json')), 'abi_version'), 'utf8').trim());
  const checked = (file: string): string => {
    const why = abiMismatch(readFileSync(file), abi);
    if (why) throw new Error(`${file} is not for Electron ${electron}: ${why}`);
    return file;
  };
  const target = { electronVersion: electron, platform: process.platform, arch: process.arch };
  const outDir = args.out ?? nativeBindingDir(ROOT, target);
  const outFile = join(outDir, NATIVE_BINDING_FILE);
  const markerFile = join(outDir, 'binding.json');
  const label = `better-sqlite3 ${sqlite} for Electron ${electron} (${process.platform}-${process.arch})`;

  if (!args.force && existsSync(outFile) && existsSync(markerFile)) {
    let marker: { betterSqlite3?: unknown } | undefined;
    try {
      marker = JSON.parse(readFileSync(markerFile, 'utf8')) as { betterSqlite3?: unknown };
    } catch (e) {
      say(`${markerFile} is unreadable (${(e as Error).message}): getting ${label} again`);
    }
    if (marker?.betterSqlite3 === sqlite && !abiMismatch(readFileSync(outFile), abi)) {
      say(`${label}: up to date in ${outDir}`);
      return;
    }
  }

  const tried: string[] = [];
  let built: string | undefined;
  let source = '';
  const given = process.env[NATIVE_BINDING_ENV];
  if (given) {
    if (!existsSync(given)) fail(`${NATIVE_BINDING_ENV}=${given}: no such file`);
    try {
      built = checked(given);
    } catch (e) {
      fail(`${NATIVE_BINDING_ENV}: ${(e as Error).message}`);
    }
    source = `copied from ${given}`;
  }
  const work = mkdtempSync(join(tmpdir(), 'dmm-native-'));
  try {
    if (!built) {
      say(`working in ${work} (removed when done)`);
      try {
        say(`${label}: fetching the prebuilt binary…`);
        mkdirSync(join(work, 'prebuilt'));
        built = checked(await fromPrebuilt(join(work, 'prebuilt'), electron, sqliteDir));
        source = 'prebuilt (prebuild-install)';
      } catch (e) {
        tried.push(`prebuilt download: ${(e as Error).message}`);
      }
    }
    if (!built && args.source) {
      try {
        say(`${label}: no prebuilt; compiling from source against Electron's headers (a few minutes)…`);
        mkdirSync(join(work, 'source'));
        built = checked(await fromSource(join(work, 'source'), electron, sqliteDir));
        source = 'compiled (node-gyp)';
      } catch (e) {
        tried.push(`build from source: ${(e as Error).message}`);
      }
    }
    if (!built) {
      fail(
        [
          `could not get ${label}.`,
          ...tried.map((t) => `  - ${t}`),
          'This needs internet access once (github.com for the prebuilt, or electronjs.org for the headers plus python3, make and g++;',
          `  ${HEADERS_URL_ENV} names a headers mirror, ${HEADERS_DIR_ENV} a folder with node-v${electron}-headers unpacked).`,
          'Offline: on a machine with internet run `npm run native:electron` and copy',
          `  ${outDir}/ here, or set ${NATIVE_BINDING_ENV}=/path/to/better_sqlite3.node (built for Electron ${electron}),`,
          `  or put better-sqlite3-v${sqlite}-electron-v${abi}-${process.platform}-${process.arch}.tar.gz in ~/.npm/_prebuilds/.`,
          '`npm test` and `npm run lab` do not need it (they use the Node build).',
        ].join('\n'),
      );
    }
    mkdirSync(outDir, { recursive: true });
    copyFileSync(built, outFile);
    writeFileSync(
      markerFile,
      `${JSON.stringify({ electron, betterSqlite3: sqlite, platform: process.platform, arch: process.arch, source }, null, 2)}\n`,
    );
    say(`${label}: ${source} → ${outFile}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (e) {
  process.stderr.write(`electron-native: ${e instanceof Failure ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = e instanceof Failure ? e.code : 1;
}
