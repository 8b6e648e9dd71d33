/**
 * Which better_sqlite3.node the Electron main process loads. `npm install` builds
 * better-sqlite3 for Node (the tests, the CLI and the browser host use that build); the app
 * needs one built for Electron's ABI, which scripts/electron-native.ts puts in its own folder
 * (build/native/electron-<version>-<platform>-<arch>/) and electron-builder copies into the
 * package's resources (resources/native/). Both builds live side by side, so `npm start`
 * and `npm test` work after one install, in either order. No `electron` import: tested under Node.
 */
import { join } from 'node:path';

export const NATIVE_BINDING_FILE = 'better_sqlite3.node';
/** Where the packaged app keeps it, relative to process.resourcesPath. */
export const PACKAGED_NATIVE_DIR = 'native';
/**
 * Environment variable naming a better_sqlite3.node built for this Electron (overrides the
 * lookup when run from the sources; a packaged app ignores it).
 */
export const NATIVE_BINDING_ENV = 'DMM_ELECTRON_SQLITE_BINDING';

export interface NativeTarget {
  readonly electronVersion: string;
  readonly platform: string;
  readonly arch: string;
}

/** build/native/electron-40.10.2-linux-x64 under the project root. */
export function nativeBindingDir(projectRoot: string, t: NativeTarget): string {
  return join(projectRoot, 'build', 'native', `electron-${t.electronVersion}-${t.platform}-${t.arch}`);
}

export interface NativeBindingQuery extends NativeTarget {
  readonly isPackaged: boolean;
  /** app.getAppPath(): the project root when run from the sources (`electron-vite preview`). */
  readonly appPath: string;
  /** process.resourcesPath of the packaged app. */
  readonly resourcesPath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly exists: (path: string) => boolean;
}

export type NativeBindingResolution = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly message: string };

export function resolveNativeBinding(q: NativeBindingQuery): NativeBindingResolution {
  const target = `Electron ${q.electronVersion} (${q.platform}-${q.arch})`;
  // from the sources only: an installed app loads what it was packaged with, whatever the environment says
  const override = q.isPackaged ? undefined : q.env[NATIVE_BINDING_ENV];
  if (override) {
    return q.exists(override)
      ? { ok: true, path: override }
      : {
          ok: false,
          message: `${NATIVE_BINDING_ENV} names ${override}, which does not exist. Point it at a better_sqlite3.node built for ${target}, or unset it.`,
        };
  }
  if (q.isPackaged) {
    const path = join(q.resourcesPath, PACKAGED_NATIVE_DIR, NATIVE_BINDING_FILE);
    return q.exists(path)
      ? { ok: true, path }
      : { ok: false, message: `The package is incomplete: ${path} is missing (the database module for ${target}). Reinstall DMM Lab.` };
  }
  const path = join(nativeBindingDir(q.appPath, q), NATIVE_BINDING_FILE);
  return q.exists(path)
    ? { ok: true, path }
    : {
        ok: false,
        message:
          `better-sqlite3 for ${target} is missing: expected ${path}. ` +
          'Run `npm run native:electron` once (it downloads or builds it; `npm start` runs it for you), ' +
          `or set ${NATIVE_BINDING_ENV} to a better_sqlite3.node built for this Electron.`,
      };
}
