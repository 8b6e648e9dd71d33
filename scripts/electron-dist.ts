/**
 * Which Electron distribution electron-builder packages the app with. It would download
 * electron-v<version>-<platform>-<arch>.zip from GitHub; where that is not reachable (as on
 * our CI) packaging must say at once what is missing instead of failing deep inside
 * electron-builder. Pure (the file system is passed in): tested under Node.
 */
import { join } from 'node:path';

export const ELECTRON_DIST_ENV = 'ELECTRON_DIST';

export interface DistQuery {
  readonly version: string;
  readonly platform: string;
  readonly arch: string;
  /** Host platform: node_modules/electron/dist only serves packaging for it. */
  readonly hostPlatform: string;
  readonly hostArch: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** node_modules/electron */
  readonly electronPackageDir: string;
  readonly home: string;
  readonly exists: (path: string) => boolean;
  readonly listDir: (path: string) => readonly string[];
}

export type DistResolution =
  | { readonly ok: true; readonly electronDist: string; readonly from: string }
  | { readonly ok: true; readonly electronDist: undefined; readonly from: 'download' }
  | { readonly ok: false; readonly message: string };

export function electronZipName(q: Pick<DistQuery, 'version' | 'platform' | 'arch'>): string {
  return `electron-v${q.version}-${q.platform}-${q.arch}.zip`;
}

/** Electron's download cache (@electron/get): ELECTRON_CACHE or the platform's cache folder. */
export function electronCacheDir(q: Pick<DistQuery, 'env' | 'hostPlatform' | 'home'>): string {
  if (q.env['ELECTRON_CACHE']) return q.env['ELECTRON_CACHE'];
  if (q.hostPlatform === 'darwin') return join(q.home, 'Library', 'Caches', 'electron');
  if (q.hostPlatform === 'win32') return join(q.env['LOCALAPPDATA'] ?? join(q.home, 'AppData', 'Local'), 'electron', 'Cache');
  return join(q.env['XDG_CACHE_HOME'] ?? join(q.home, '.cache'), 'electron');
}

const EXECUTABLE: Readonly<Record<string, string>> = { linux: 'electron', win32: 'electron.exe', darwin: 'Electron.app' };

/**
 * In order: ELECTRON_DIST; the Electron that `npm install` downloaded (node_modules/electron/dist,
 * same platform and arch only); the zip in Electron's download cache (top level or one folder
 * down, as @electron/get keeps it); a download when `allowDownload`. Otherwise a message
 * naming what is missing and how to provide it.
 */
export function findElectronDist(q: DistQuery, allowDownload: boolean): DistResolution {
  const zip = electronZipName(q);
  const target = `Electron ${q.version} for ${q.platform}-${q.arch}`;
  const given = q.env[ELECTRON_DIST_ENV];
  if (given) {
    return q.exists(given)
      ? { ok: true, electronDist: given, from: ELECTRON_DIST_ENV }
      : {
          ok: false,
          message: `${ELECTRON_DIST_ENV}=${given} does not exist. Point it at ${zip}, a folder holding it, or an unpacked ${target}.`,
        };
  }
  const installed = join(q.electronPackageDir, 'dist');
  const exe = EXECUTABLE[q.platform];
  if (q.platform === q.hostPlatform && q.arch === q.hostArch && exe && q.exists(join(installed, exe))) {
    return { ok: true, electronDist: installed, from: 'node_modules/electron/dist' };
  }
  const cache = electronCacheDir(q);
  if (q.exists(join(cache, zip))) return { ok: true, electronDist: join(cache, zip), from: 'the Electron download cache' };
  if (q.exists(cache)) {
    for (const sub of q.listDir(cache)) {
      const candidate = join(cache, sub, zip);
      if (q.exists(candidate)) return { ok: true, electronDist: candidate, from: 'the Electron download cache' };
    }
  }
  if (allowDownload) return { ok: true, electronDist: undefined, from: 'download' };
  return {
    ok: false,
    message: [
      `No ${target} to package with: electron-builder needs an Electron distribution and none is here.`,
      'Provide one of:',
      `  - ${ELECTRON_DIST_ENV}=/path/to/${zip} (or a folder holding it, or an unpacked Electron), e.g. ${ELECTRON_DIST_ENV}=~/Downloads/${zip} npm run package:dir`,
      `  - the Electron binary that \`npm install\` downloads into node_modules/electron/dist (not with ELECTRON_SKIP_BINARY_DOWNLOAD=1: run \`node node_modules/electron/install.js\` online)`,
      `  - ${zip} in Electron's download cache ${cache}`,
      '  - or let electron-builder download it (needs github.com): add --download',
    ].join('\n'),
  };
}
