/**
 * The window's hardening beyond its webPreferences (window-options.ts), following Electron's
 * security checklist: navigation away from the app is prevented (https links open in the
 * system browser instead), new windows are denied, <webview> cannot be attached, and every
 * permission request or check is refused. Written against the few methods it uses, so the
 * handlers are tested under Node with fakes.
 */
import { isNavigationAllowed } from './window-options';

/** Links that may leave the app, to the system browser: https only, no credentials in the URL. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.username === '' && u.password === '' && u.hostname !== '';
  } catch {
    return false;
  }
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The part of WebContents this module uses. */
export interface HardenableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/** Contents already hardened: hardening twice would add a second listener (and open an external link twice). */
const hardened = new WeakSet<HardenableContents>();

/** Idempotent: a second call on the same contents does nothing. */
export function hardenWebContents(contents: HardenableContents, opts: { appUrl: string; openExternal: (url: string) => void }): void {
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const leave = (event: PreventableEvent, url: string) => {
    if (isNavigationAllowed(url, opts.appUrl)) return;
    event.preventDefault();
    if (isSafeExternalUrl(url)) opts.openExternal(url);
  };
  contents.on('will-navigate', leave);
  contents.on('will-redirect', leave);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) opts.openExternal(url);
    return { action: 'deny' };
  });
}

/** The part of Session this module uses. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
}

/** The renderer needs no permission (camera, notifications, clipboard-read, …): refuse all. */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
