/**
 * electron-builder configuration (loaded by electron-builder itself; run it through
 * `npm run package`, `npm run package:dir`, … — scripts/electron-package.ts checks first that
 * an Electron distribution and the Electron build of better-sqlite3 are there).
 *
 * - Linux: deb first, AppImage second (`npm run package`); `dir` (`npm run package:dir`) is
 *   the unpacked app, dist/linux-unpacked/.
 * - macOS: dmg (`npm run package:mac`, on a Mac); Windows: nsis (`npm run package:win`).
 * - The app is out/ (electron-vite build) plus the runtime dependencies. better-sqlite3's own
 *   build in node_modules is Node's (for the tests), so it is left out, and the Electron build
 *   (build/native/electron-<version>-<platform>-<arch>/, made by scripts/electron-native.ts) goes
 *   to resources/native/, where src-main/electron/native-binding.ts finds it; npmRebuild is
 *   off, since rebuilding would need Electron's headers from the network at packaging time.
 * - ELECTRON_DIST: an Electron distribution to use instead of downloading one (a zip, a
 *   folder with electron-v<version>-<platform>-<arch>.zip, or an unpacked Electron).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Configuration } from 'electron-builder';
import { NATIVE_BINDING_FILE, nativeBindingDir, PACKAGED_NATIVE_DIR } from './src-main/electron/native-binding';

const root = fileURLToPath(new URL('.', import.meta.url));
const electronVersion = (JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string })
  .version;
// DMM_ELECTRON_NATIVE_DIR: another folder holding better_sqlite3.node for this Electron (the packaging test uses it)
const nativeDir =
  process.env['DMM_ELECTRON_NATIVE_DIR'] ?? nativeBindingDir(root, { electronVersion, platform: process.platform, arch: process.arch });
const electronDist = process.env['ELECTRON_DIST'];

const config: Configuration = {
  appId: 'org.dmm-lab.app',
  productName: 'DMM Lab',
  copyright: 'DMM Lab authors',
  electronVersion,
  ...(electronDist ? { electronDist } : {}),
  directories: { output: 'dist', buildResources: 'resources' },
  files: [
    'out/**/*',
    'resources/icon.png',
    'package.json',
    '!node_modules/better-sqlite3/build/**',
    '!node_modules/better-sqlite3/deps/**',
    '!node_modules/better-sqlite3/src/**',
    // msgpackr's optional native speed-up (via bullmq) is built for Node's ABI, not Electron's; msgpackr runs without it
    '!node_modules/@msgpackr-extract/**',
  ],
  extraResources: [{ from: join(nativeDir, NATIVE_BINDING_FILE), to: `${PACKAGED_NATIVE_DIR}/${NATIVE_BINDING_FILE}` }],
  asar: true,
  npmRebuild: false,
  buildDependenciesFromSource: false,
  linux: {
    target: ['deb', 'AppImage'],
    icon: 'resources/icon.png',
    category: 'Science',
    synopsis: 'Synthesize and inspect dataflow matrix machines',
    maintainer: 'DMM Lab authors <dmm-lab@users.noreply.github.com>',
    executableName: 'dmm-lab',
  },
  deb: { packageCategory: 'science' },
  appImage: { artifactName: '${productName}-${version}-${arch}.${ext}' },
  mac: { target: 'dmg', icon: 'resources/icon.png', category: 'public.app-category.education' },
  win: { target: 'nsis', icon: 'resources/icon.png' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
};

export default config;
