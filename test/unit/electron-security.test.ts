/**
 * The window hardening of Electron's security checklist with fake webContents and session:
 * navigation away from the app prevented (https opened in the system browser, nothing
 * else), new windows denied, <webview> refused, every permission refused.
 */
import { describe, expect, it } from 'vitest';
import { denyAllPermissions, hardenWebContents, isSafeExternalUrl } from '../../src-main/electron/security';

const APP_URL = 'file:///opt/dmm-lab/out/renderer/index.html';

function fakeContents() {
  type Listener = (event: { preventDefault(): void }, url?: string) => void;
  const listeners = new Map<string, Listener[]>();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  const contents = {
    on: (name: string, l: Listener) => listeners.set(name, [...(listeners.get(name) ?? []), l]),
    setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => (openHandler = h),
  };
  const opened: string[] = [];
  const harden = () => hardenWebContents(contents as never, { appUrl: APP_URL, openExternal: (u) => opened.push(u) });
  harden();
  const fire = (name: string, url?: string): boolean => {
    let prevented = false;
    for (const l of listeners.get(name) ?? []) l({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  return { listeners, opened, fire, harden, open: (url: string) => openHandler!({ url }) };
}

describe('isSafeExternalUrl', () => {
  it('accepts https only, without credentials', () => {
    expect(isSafeExternalUrl('https://github.com/electron/electron')).toBe(true);
    for (const u of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.com/',
      'not a url',
      '',
    ]) {
      expect(isSafeExternalUrl(u), u).toBe(false);
    }
  });
});

describe('hardenWebContents', () => {
  it('lets the app move within its own page (hash routes, reload)', () => {
    const c = fakeContents();
    expect(c.fire('will-navigate', `${APP_URL}#/runs/3`)).toBe(false);
    expect(c.fire('will-redirect', APP_URL)).toBe(false);
    expect(c.opened).toEqual([]);
  });

  it('prevents navigation elsewhere; an https link opens in the system browser instead', () => {
    const c = fakeContents();
    expect(c.fire('will-navigate', 'https://example.com/paper.pdf')).toBe(true);
    expect(c.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(c.fire('will-navigate', 'http://example.com/')).toBe(true);
    expect(c.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(c.opened).toEqual(['https://example.com/paper.pdf', 'https://evil.example/']);
  });

  it('hardening the same contents twice adds no second listener (a link would open twice)', () => {
    const c = fakeContents();
    c.harden();
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) expect(c.listeners.get(name), name).toHaveLength(1);
    expect(c.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(c.opened).toEqual(['https://example.com/']);
  });

  it('denies every new window; https ones open in the system browser', () => {
    const c = fakeContents();
    expect(c.open('https://example.com/')).toEqual({ action: 'deny' });
    expect(c.open('file:///tmp/x.html')).toEqual({ action: 'deny' });
    expect(c.open(APP_URL)).toEqual({ action: 'deny' });
    expect(c.opened).toEqual(['https://example.com/']);
  });

  it('refuses to attach a <webview>', () => {
    expect(fakeContents().fire('will-attach-webview')).toBe(true);
  });
});

describe('denyAllPermissions', () => {
  it('refuses permission requests and checks', () => {
    let request: ((c: unknown, p: string, cb: (g: boolean) => void) => void) | undefined;
    let check: ((c: unknown, p: string) => boolean) | undefined;
    denyAllPermissions({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const answers: boolean[] = [];
      request!({}, p, (g) => answers.push(g));
      expect(answers).toEqual([false]);
      expect(check!({}, p)).toBe(false);
    }
  });
});
