/**
 * `npm run package` and friends: checks first (in a second, before any build) that an
 * Electron distribution is here (scripts/electron-dist.ts) and gets the Electron build of
 * better-sqlite3 (scripts/electron-native.ts), then builds the app (electron-vite) and runs
 * electron-builder (config: electron-builder.ts) with the given targets.
 *
 *   npx tsx scripts/electron-package.ts --linux deb AppImage     (npm run package)
 *   npx tsx scripts/electron-package.ts --linux dir              (npm run package:dir)
 *   npx tsx scripts/electron-package.ts --mac dmg | --win nsis   (on a Mac / on Windows)
 *   options: --download (let electron-builder download Electron), --skip-build (out/ is current)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeBindingDir } from '../src-main/electron/native-binding';
import { findElectronDist } from './electron-dist';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PLATFORM_FLAGS: Readonly<Record<string, string>> = { '--linux': 'linux', '--mac': 'darwin', '--win': 'win32' };

function fail(message: string): never {
  process.stderr.write(`electron-package: ${message}\n`);
  process.exit(1);
}

function step(what: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  process.stderr.write(`electron-package: ${what}\n`);
  const r = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (r.status !== 0) fail(`${what} failed (exit ${r.status ?? r.signal})`);
}

const argv = process.argv.slice(2);
const allowDownload = argv.includes('--download');
const skipBuild = argv.includes('--skip-build');
const builderArgs = argv.filter((a) => a !== '--download' && a !== '--skip-build');
const platformFlag = builderArgs.find((a) => a in PLATFORM_FLAGS);
if (!platformFlag) fail('name a platform: --linux [deb AppImage dir], --mac [dmg], --win [nsis]');
const platform = PLATFORM_FLAGS[platformFlag]!;
const archFlag = builderArgs.find((a) => ['--x64', '--arm64', '--ia32', '--armv7l'].includes(a));
const arch = archFlag ? archFlag.slice(2) : process.arch;

const electronPackageDir = join(ROOT, 'node_modules', 'electron');
let version: string;
try {
  version = (JSON.parse(readFileSync(join(electronPackageDir, 'package.json'), 'utf8')) as { version: string }).version;
} catch {
  fail('the electron package is not installed (run npm install)');
}

const dist = findElectronDist(
  {
    version,
    platform,
    arch,
    hostPlatform: process.platform,
    hostArch: process.arch,
    env: process.env,
    electronPackageDir,
    home: homedir(),
    exists: existsSync,
    listDir: (p) => {
      try {
        return readdirSync(p);
      } catch {
        return [];
      }
    },
  },
  allowDownload,
);
if (!dist.ok) fail(dist.message);
process.stderr.write(
  `electron-package: Electron ${version} for ${platform}-${arch} from ${dist.from}${dist.electronDist ? ` (${dist.electronDist})` : ''}\n`,
);

if (platform !== process.platform || arch !== process.arch) {
  fail(`packaging for ${platform}-${arch} needs better-sqlite3 built for it: run this on a ${platform}-${arch} machine`);
}
// always: it returns at once when the build there is up to date, and checks it (version, ABI) when it is there;
// into the folder electron-builder.ts packs from (DMM_ELECTRON_NATIVE_DIR when set)
const nativeDir = process.env['DMM_ELECTRON_NATIVE_DIR'] ?? nativeBindingDir(ROOT, { electronVersion: version, platform, arch });
step('getting better-sqlite3 for Electron', process.execPath, [
  join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
  join(ROOT, 'scripts', 'electron-native.ts'),
  '--out',
  nativeDir,
]);

if (!skipBuild)
  step('building the app (electron-vite build)', process.execPath, [
    join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
    'build',
  ]);

const env = { ...process.env, ...(dist.electronDist ? { ELECTRON_DIST: dist.electronDist } : {}) };
step(
  `electron-builder ${builderArgs.join(' ')}`,
  process.execPath,
  [join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), ...builderArgs, '--publish', 'never'],
  env,
);
process.stderr.write(`electron-package: done, see ${join(ROOT, 'dist')}\n`);
