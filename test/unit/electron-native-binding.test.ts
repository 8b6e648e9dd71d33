/**
 * Which better_sqlite3.node the Electron main process loads (resolveNativeBinding), and the
 * ABI check of a native addon (addonAbis) on the real Node build of better-sqlite3.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abiMismatch, addonAbis } from '../../src-main/electron/native-abi';
import {
  NATIVE_BINDING_ENV,
  nativeBindingDir,
  resolveNativeBinding,
  type NativeBindingQuery,
} from '../../src-main/electron/native-binding';

const base: NativeBindingQuery = {
  isPackaged: false,
  appPath: '/src/dmm-lab',
  resourcesPath: '/opt/DMM Lab/resources',
  electronVersion: '40.10.2',
  platform: 'linux',
  arch: 'x64',
  env: {},
  exists: () => true,
};
const only =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);

describe('resolveNativeBinding', () => {
  it('from the sources: build/native/electron-<version>-<platform>-<arch>/better_sqlite3.node', () => {
    const path = '/src/dmm-lab/build/native/electron-40.10.2-linux-x64/better_sqlite3.node';
    expect(nativeBindingDir('/src/dmm-lab', base)).toBe(dirname(path));
    expect(resolveNativeBinding({ ...base, exists: only(path) })).toEqual({ ok: true, path });
  });

  it('packaged: resources/native/better_sqlite3.node', () => {
    const path = '/opt/DMM Lab/resources/native/better_sqlite3.node';
    expect(resolveNativeBinding({ ...base, isPackaged: true, exists: only(path) })).toEqual({ ok: true, path });
  });

  it('the environment variable overrides the lookup from the sources', () => {
    const dev = '/src/dmm-lab/build/native/electron-40.10.2-linux-x64/better_sqlite3.node';
    expect(resolveNativeBinding({ ...base, env: { [NATIVE_BINDING_ENV]: '/x/b.node' }, exists: only('/x/b.node', dev) })).toEqual({
      ok: true,
      path: '/x/b.node',
    });
    const r = resolveNativeBinding({ ...base, env: { [NATIVE_BINDING_ENV]: '/x/missing.node' }, exists: () => false });
    expect(r).toEqual({ ok: false, message: expect.stringContaining(`${NATIVE_BINDING_ENV} names /x/missing.node, which does not exist`) });
  });

  it('a packaged app ignores the environment variable and loads what it was packaged with', () => {
    const packaged = '/opt/DMM Lab/resources/native/better_sqlite3.node';
    const env = { [NATIVE_BINDING_ENV]: '/tmp/evil.node' };
    expect(resolveNativeBinding({ ...base, isPackaged: true, env, exists: only(packaged, '/tmp/evil.node') })).toEqual({
      ok: true,
      path: packaged,
    });
    const missing = resolveNativeBinding({ ...base, isPackaged: true, env, exists: only('/tmp/evil.node') });
    expect(missing.ok).toBe(false);
    expect((missing as { message: string }).message).toMatch(/package is incomplete/);
    expect((missing as { message: string }).message).not.toContain('/tmp/evil.node');
  });

  it('says what is missing and how to get it', () => {
    const dev = resolveNativeBinding({ ...base, exists: () => false });
    expect(dev.ok).toBe(false);
    expect((dev as { message: string }).message).toContain('better-sqlite3 for Electron 40.10.2 (linux-x64) is missing');
    expect((dev as { message: string }).message).toContain('npm run native:electron');
    const packaged = resolveNativeBinding({ ...base, isPackaged: true, exists: () => false });
    expect((packaged as { message: string }).message).toMatch(
      /package is incomplete: .*native\/better_sqlite3\.node is missing.*Reinstall/,
    );
  });
});

describe('addonAbis', () => {
  const require = createRequire(import.meta.url);
  const nodeBuild = join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');

  it("reads the ABI of the installed Node build of better-sqlite3 as this Node's", () => {
    const bytes = readFileSync(nodeBuild);
    expect(addonAbis(bytes)).toEqual([Number(process.versions.modules)]);
    expect(abiMismatch(bytes, Number(process.versions.modules))).toBeUndefined();
    expect(abiMismatch(bytes, 143)).toBe(`it is built for ABI ${process.versions.modules}, not 143`);
  });

  it('says when a file is no Node addon at all', () => {
    expect(addonAbis(new TextEncoder().encode('hello'))).toEqual([]);
    expect(abiMismatch(new TextEncoder().encode('hello'), 143)).toBe('it is not a Node addon (no node_register_module_v143)');
  });
});
