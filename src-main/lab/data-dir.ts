/**
 * Where the lab keeps its database by default: Electron's user-data folder for the app
 * ("DMM Lab"), computed the same way under plain Node so the app, the browser host and the
 * CLI share one store.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'DMM Lab';
export const DB_FILE_NAME = 'lab.sqlite';

export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env['DMM_LAB_DATA_DIR']) return env['DMM_LAB_DATA_DIR'];
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME);
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), APP_NAME);
  return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), APP_NAME);
}

export function defaultDbPath(dataDir = userDataDir()): string {
  return join(dataDir, DB_FILE_NAME);
}
