// Pure helpers for the main window. Must not import `electron` so they can be
// unit-tested under plain Node (test/unit/window-options.test.ts).

/** The subset of Electron's `WebPreferences` that we set. Structurally compatible with it. */
export interface SecureWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: false;
  additionalArguments: string[];
}

/** Command-line switch used to hand the app version to the sandboxed preload (which cannot use `app`). */
export const APP_VERSION_ARG = '--dmm-lab-app-version=';

export function buildWebPreferences(opts: { preloadPath: string; appVersion: string }): SecureWebPreferences {
  return {
    preload: opts.preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    additionalArguments: [`${APP_VERSION_ARG}${opts.appVersion}`],
  };
}

/** Reads the value written by `buildWebPreferences` back out of `process.argv` (used by the preload). */
export function readAppVersionArg(argv: readonly string[]): string {
  const arg = argv.find((a) => a.startsWith(APP_VERSION_ARG));
  return arg ? arg.slice(APP_VERSION_ARG.length) : 'unknown';
}

/**
 * Whether the window may navigate from `currentUrl` (the URL the app was loaded from) to `targetUrl`.
 * http(s): same origin only (dev server). file: only the very same file (reload / hash change).
 */
export function isNavigationAllowed(targetUrl: string, appUrl: string): boolean {
  let target: URL;
  let app: URL;
  try {
    target = new URL(targetUrl);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return target.protocol === 'file:' && target.host === app.host && target.pathname === app.pathname;
  return target.origin === app.origin;
}
