/**
 * Where packaging gets its Electron distribution (findElectronDist), with a fake file system:
 * ELECTRON_DIST, node_modules/electron/dist, Electron's download cache, a download only when
 * asked, otherwise a message naming what is missing and how to provide it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronCacheDir, findElectronDist, type DistQuery } from '../../scripts/electron-dist';

const base: DistQuery = {
  version: '40.10.2',
  platform: 'linux',
  arch: 'x64',
  hostPlatform: 'linux',
  hostArch: 'x64',
  env: {},
  electronPackageDir: '/p/node_modules/electron',
  home: '/home/me',
  exists: () => false,
  listDir: () => [],
};

describe('findElectronDist', () => {
  it('uses ELECTRON_DIST when it exists, and names it when it does not', () => {
    expect(findElectronDist({ ...base, env: { ELECTRON_DIST: '/d/e.zip' }, exists: (p) => p === '/d/e.zip' }, false)).toEqual({
      ok: true,
      electronDist: '/d/e.zip',
      from: 'ELECTRON_DIST',
    });
    const r = findElectronDist({ ...base, env: { ELECTRON_DIST: '/d/nope' } }, true);
    expect(r).toEqual({ ok: false, message: expect.stringContaining('ELECTRON_DIST=/d/nope does not exist') });
  });

  it('uses the Electron npm install downloaded, for the same platform and arch only', () => {
    const exe = '/p/node_modules/electron/dist/electron';
    expect(findElectronDist({ ...base, exists: (p) => p === exe }, false)).toEqual({
      ok: true,
      electronDist: '/p/node_modules/electron/dist',
      from: 'node_modules/electron/dist',
    });
    expect(findElectronDist({ ...base, arch: 'arm64', exists: (p) => p === exe }, false).ok).toBe(false);
  });

  it("finds the zip in Electron's download cache, at the top or one folder down", () => {
    const cache = '/home/me/.cache/electron';
    expect(electronCacheDir(base)).toBe(cache);
    const top = join(cache, 'electron-v40.10.2-linux-x64.zip');
    expect(findElectronDist({ ...base, exists: (p) => p === top }, false)).toMatchObject({ ok: true, electronDist: top });
    const nested = join(cache, 'abc123', 'electron-v40.10.2-linux-x64.zip');
    const files = new Set([cache, nested]);
    expect(findElectronDist({ ...base, exists: (p) => files.has(p), listDir: () => ['abc123'] }, false)).toMatchObject({
      ok: true,
      electronDist: nested,
    });
    expect(electronCacheDir({ ...base, env: { ELECTRON_CACHE: '/c' } })).toBe('/c');
    expect(electronCacheDir({ ...base, hostPlatform: 'darwin' })).toBe('/home/me/Library/Caches/electron');
  });

  it('lets electron-builder download only when asked', () => {
    expect(findElectronDist(base, true)).toEqual({ ok: true, electronDist: undefined, from: 'download' });
  });

  it('otherwise fails with what is missing and every way to provide it', () => {
    const r = findElectronDist(base, false);
    expect(r.ok).toBe(false);
    const m = (r as { message: string }).message;
    expect(m).toContain('No Electron 40.10.2 for linux-x64 to package with');
    expect(m).toContain('ELECTRON_DIST=/path/to/electron-v40.10.2-linux-x64.zip');
    expect(m).toContain('node_modules/electron/dist');
    expect(m).toContain('/home/me/.cache/electron');
    expect(m).toContain('--download');
  });
});
