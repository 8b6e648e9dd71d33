/**
 * Packaging (scripts/electron-package.ts + electron-builder.ts) and the Electron build of
 * better-sqlite3 (scripts/electron-native.ts), as far as they can run without an Electron
 * distribution or the network:
 * - packaging fails at once, before any build, naming what is missing;
 * - with a stand-in Electron distribution (an unpacked folder whose `electron` is a shell
 *   script) electron-builder's `dir` target runs for real, offline, and lays the app out as
 *   the packaged main process expects (app.asar with out/ and package.json, the Electron
 *   build of better-sqlite3 in resources/native/, not the Node one);
 * - packaging always runs the native script into the folder it packs from, which checks a
 *   build already there;
 * - the native script refuses a build for the wrong ABI, fails with a clear message when
 *   nothing can be fetched (its downloads pointed at a closed local port) and leaves no
 *   temporary folder behind, and takes an unreadable binding.json for "not up to date".
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/lab';

const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const require = createRequire(import.meta.url);
const NODE_BUILD = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');
const ELECTRON_ABI = readFileSync(join(ROOT, 'node_modules', 'electron', 'abi_version'), 'utf8').trim();
const SQLITE_VERSION = (JSON.parse(readFileSync(require.resolve('better-sqlite3/package.json'), 'utf8')) as { version: string }).version;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function script(name: string, args: string[], env: Record<string, string | undefined>, timeout = 120_000): Promise<Result> {
  try {
    const r = await promisify(execFile)(process.execPath, [TSX, join(ROOT, 'scripts', name), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      timeout,
      maxBuffer: 32 * 1024 * 1024,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

const tmp = tempDir('dmm-package-');
afterAll(() => tmp.cleanup());

describe('npm run package: fails fast without an Electron distribution', () => {
  it('names the missing ELECTRON_DIST and builds nothing', async () => {
    const r = await script('electron-package.ts', ['--linux', 'dir'], { ELECTRON_DIST: join(tmp.dir, 'no-such-electron') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`ELECTRON_DIST=${join(tmp.dir, 'no-such-electron')} does not exist`);
    expect(r.stderr).toContain('electron-v40');
    expect(r.stderr).not.toContain('electron-vite build');
  });

  it('asks for a platform', async () => {
    const r = await script('electron-package.ts', [], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('name a platform: --linux');
  });
});

describe('npm run package:dir with a stand-in Electron distribution (offline)', () => {
  const fakeElectron = join(tmp.dir, 'electron-dist');
  const nativeDir = join(tmp.dir, 'native');
  const output = join(tmp.dir, 'dist');
  const fakeBinding = `not really an addon; exports node_register_module_v${ELECTRON_ABI}\n`;
  let r: Result;

  beforeAll(async () => {
    mkdirSync(join(fakeElectron, 'resources'), { recursive: true });
    writeFileSync(join(fakeElectron, 'electron'), '#!/bin/sh\necho stand-in electron\n');
    chmodSync(join(fakeElectron, 'electron'), 0o755);
    writeFileSync(join(fakeElectron, 'LICENSE'), 'MIT\n');
    writeFileSync(join(fakeElectron, 'version'), '40.10.2\n');
    mkdirSync(nativeDir);
    writeFileSync(join(nativeDir, 'better_sqlite3.node'), fakeBinding);
    // as scripts/electron-native.ts leaves it: so it finds this build up to date
    writeFileSync(join(nativeDir, 'binding.json'), JSON.stringify({ betterSqlite3: SQLITE_VERSION, source: 'test' }));
    r = await script(
      'electron-package.ts',
      ['--linux', 'dir', '--skip-build', `-c.directories.output=${output}`],
      {
        ELECTRON_DIST: fakeElectron,
        DMM_ELECTRON_NATIVE_DIR: nativeDir,
      },
      240_000,
    );
  }, 300_000);

  it('electron-builder packs the unpacked app', () => {
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toContain(`from ELECTRON_DIST (${fakeElectron})`);
    // the native step ran on the folder packed from, and found it up to date
    expect(r.stderr).toContain(`up to date in ${nativeDir}`);
    expect(existsSync(join(output, 'linux-unpacked', 'dmm-lab'))).toBe(true); // executableName
  });

  it('ships the Electron build of better-sqlite3 in resources/native/', () => {
    expect(readFileSync(join(output, 'linux-unpacked', 'resources', 'native', 'better_sqlite3.node'), 'utf8')).toBe(fakeBinding);
  });

  it('app.asar holds the built app and the runtime dependencies, but not the Node build of better-sqlite3', () => {
    const files = listPackage(join(output, 'linux-unpacked', 'resources', 'app.asar'), { isPack: false }).map((f) =>
      f.replaceAll('\\', '/'),
    );
    for (const f of [
      '/package.json',
      '/out/main/index.js',
      '/out/main/run-worker.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/resources/icon.png',
      '/node_modules/better-sqlite3/lib/database.js',
      '/node_modules/zod/package.json',
    ]) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('/node_modules/better-sqlite3/build') || f.endsWith('.node'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('/src-') || f.startsWith('/test/'))).toEqual([]);
  });
});

describe('npm run package: the native step checks a build that is already there', () => {
  it('fails before electron-builder when the build in DMM_ELECTRON_NATIVE_DIR is stale and the given one is for Node', async () => {
    const fakeElectron = join(tmp.dir, 'electron-dist-2');
    mkdirSync(fakeElectron, { recursive: true });
    writeFileSync(join(fakeElectron, 'electron'), '#!/bin/sh\n');
    chmodSync(join(fakeElectron, 'electron'), 0o755);
    const nativeDir = join(tmp.dir, 'native-stale');
    mkdirSync(nativeDir);
    // a build for another better-sqlite3: not up to date
    writeFileSync(join(nativeDir, 'better_sqlite3.node'), `exports node_register_module_v${ELECTRON_ABI}`);
    writeFileSync(join(nativeDir, 'binding.json'), JSON.stringify({ betterSqlite3: '0.0.1' }));
    const r = await script(
      'electron-package.ts',
      ['--linux', 'dir', '--skip-build', `-c.directories.output=${join(tmp.dir, 'dist-stale')}`],
      {
        ELECTRON_DIST: fakeElectron,
        DMM_ELECTRON_NATIVE_DIR: nativeDir,
        DMM_ELECTRON_SQLITE_BINDING: NODE_BUILD,
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`is built for ABI ${process.versions.modules}, not ${ELECTRON_ABI}`);
    expect(r.stderr).toContain('getting better-sqlite3 for Electron failed');
    expect(r.stderr).not.toContain('electron-builder --linux');
    expect(existsSync(join(tmp.dir, 'dist-stale'))).toBe(false);
  });
});

describe('npm run native:electron (scripts/electron-native.ts)', () => {
  it("refuses a binding built for Node's ABI instead of Electron's", async () => {
    const out = join(tmp.dir, 'native-wrong');
    const r = await script('electron-native.ts', ['--out', out], { DMM_ELECTRON_SQLITE_BINDING: NODE_BUILD });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`is built for ABI ${process.versions.modules}, not ${ELECTRON_ABI}`);
    expect(existsSync(join(out, 'better_sqlite3.node'))).toBe(false);
  });

  it('installs a given binding for the right ABI, then finds it up to date', async () => {
    const given = join(tmp.dir, 'given.node');
    writeFileSync(given, `exports node_register_module_v${ELECTRON_ABI}`);
    const out = join(tmp.dir, 'native-ok');
    const r = await script('electron-native.ts', ['--out', out], { DMM_ELECTRON_SQLITE_BINDING: given });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(out, 'better_sqlite3.node'), 'utf8')).toBe(`exports node_register_module_v${ELECTRON_ABI}`);
    expect(JSON.parse(readFileSync(join(out, 'binding.json'), 'utf8'))).toMatchObject({
      electron: expect.stringMatching(/^40\./),
      source: `copied from ${given}`,
    });
    const again = await script('electron-native.ts', ['--out', out], { DMM_ELECTRON_SQLITE_BINDING: undefined });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('up to date');
  });

  it('takes an unreadable binding.json for "not up to date" and gets the build again', async () => {
    const given = join(tmp.dir, 'given-2.node');
    writeFileSync(given, `exports node_register_module_v${ELECTRON_ABI} (again)`);
    const out = join(tmp.dir, 'native-corrupt');
    mkdirSync(out);
    writeFileSync(join(out, 'better_sqlite3.node'), `exports node_register_module_v${ELECTRON_ABI}`);
    writeFileSync(join(out, 'binding.json'), '{"betterSqlite3": "12.'); // cut short
    const r = await script('electron-native.ts', ['--out', out], { DMM_ELECTRON_SQLITE_BINDING: given });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${join(out, 'binding.json')} is unreadable`);
    expect(r.stderr).not.toMatch(/SyntaxError|\n\s+at /);
    expect(readFileSync(join(out, 'better_sqlite3.node'), 'utf8')).toBe(`exports node_register_module_v${ELECTRON_ABI} (again)`);
    expect(JSON.parse(readFileSync(join(out, 'binding.json'), 'utf8'))).toMatchObject({
      betterSqlite3: SQLITE_VERSION,
      source: `copied from ${given}`,
    });
  });

  it('without a way to fetch one, fails naming each attempt and how to provide it offline', async () => {
    const out = join(tmp.dir, 'native-offline');
    // its own temp folder, to see that the script's work folder (dmm-native-*) is removed
    const scratch = join(tmp.dir, 'scratch-tmp');
    mkdirSync(scratch);
    // every download goes to a closed local port: offline, wherever the test runs
    const r = await script('electron-native.ts', ['--out', out], {
      DMM_ELECTRON_SQLITE_BINDING: undefined,
      npm_config_better_sqlite3_binary_host: 'http://127.0.0.1:9',
      DMM_ELECTRON_HEADERS_URL: 'http://127.0.0.1:9',
      npm_config_devdir: join(tmp.dir, 'gyp-cache'),
      HOME: tmp.dir,
      TMPDIR: scratch,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not get better-sqlite3');
    expect(r.stderr).toMatch(/prebuilt download: .*ECONNREFUSED/);
    expect(r.stderr).toMatch(/build from source: /);
    expect(r.stderr).toContain('DMM_ELECTRON_SQLITE_BINDING=/path/to/better_sqlite3.node');
    expect(r.stderr).toContain('`npm test` and `npm run lab` do not need it');
    expect(existsSync(join(out, 'better_sqlite3.node'))).toBe(false);
    // it worked in the scratch folder, and removed its work folder there
    const work = /working in (\S+) /.exec(r.stderr)?.[1];
    expect(work?.startsWith(join(scratch, 'dmm-native-')), r.stderr).toBe(true);
    expect(existsSync(work!)).toBe(false);
    expect(readdirSync(scratch).filter((f) => f.startsWith('dmm-native-'))).toEqual([]);
  });
});
