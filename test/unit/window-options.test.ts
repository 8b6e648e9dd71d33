import { describe, expect, it } from 'vitest';
import { buildWebPreferences, isNavigationAllowed, readAppVersionArg } from '../../src-main/electron/window-options';

describe('buildWebPreferences', () => {
  const prefs = buildWebPreferences({ preloadPath: '/app/out/preload/index.cjs', appVersion: '1.2.3' });

  it('uses secure defaults', () => {
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
  });

  it('passes the preload path and app version through', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(readAppVersionArg(['electron', ...prefs.additionalArguments])).toBe('1.2.3');
    expect(readAppVersionArg(['electron'])).toBe('unknown');
  });
});

describe('isNavigationAllowed', () => {
  it('allows only the same origin for the dev server', () => {
    expect(isNavigationAllowed('http://localhost:5173/#x', 'http://localhost:5173/')).toBe(true);
    expect(isNavigationAllowed('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isNavigationAllowed('https://example.com/', 'http://localhost:5173/')).toBe(false);
  });

  it('allows only the same file for file: URLs', () => {
    const app = 'file:///app/out/renderer/index.html';
    expect(isNavigationAllowed('file:///app/out/renderer/index.html#/a', app)).toBe(true);
    expect(isNavigationAllowed('file:///etc/passwd', app)).toBe(false);
    // the same path on another host (a network share) is another file
    expect(isNavigationAllowed('file://evil-host/app/out/renderer/index.html', app)).toBe(false);
    expect(isNavigationAllowed('https://example.com/', app)).toBe(false);
    expect(isNavigationAllowed('not a url', app)).toBe(false);
  });
});
