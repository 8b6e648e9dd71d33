/**
 * The renderer's way to the lab: through the preload's IPC bridge inside Electron, or over
 * HTTP + WebSocket from the browser host (token from the URL fragment). Either way the UI
 * gets the same typed client, derived from the API contract.
 */
import { createClient, type ApiTransport } from '@shared/api/client';
import type { ApiMethod } from '@shared/api/contract';
import type { DmmLabApi } from '../../src-shared/api/dmm-lab-api';

export function ipcTransport(bridge: DmmLabApi): ApiTransport {
  return {
    request: (method: ApiMethod, params: unknown) => bridge.request(method, params),
    subscribe: (listener) => bridge.onEvent(listener),
  };
}

export function httpTransport(origin: string, token: string): ApiTransport {
  const listeners = new Set<(name: string, data: unknown) => void>();
  let socket: WebSocket | undefined;
  let retry = 500;
  const open = () => {
    socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/events?token=${encodeURIComponent(token)}`);
    socket.onmessage = (m) => {
      try {
        const e = JSON.parse(String(m.data)) as { name: string; data: unknown };
        for (const l of listeners) l(e.name, e.data);
      } catch {
        // not an event: ignore
      }
    };
    socket.onopen = () => (retry = 500);
    // the event stream stays open for the page's lifetime (screens come and go; events must not
    // fall into the gaps) and reconnects with backoff if the host restarts
    socket.onclose = () => {
      setTimeout(open, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  return {
    request: async (method: ApiMethod, params: unknown) => {
      const res = await fetch(`${origin}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(params ?? {}),
      });
      return res.json();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      if (!socket) open();
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

const TOKEN_KEY = 'dmm-lab-token';

/**
 * The browser host's session token: from the URL fragment on first load (`#token=…`, then
 * removed from the address so it does not end up in bookmarks), or from this tab's session.
 */
export function takeToken(win: Window): string | null {
  const fromHash = new URLSearchParams(win.location.hash.slice(1)).get('token');
  if (fromHash) {
    win.sessionStorage.setItem(TOKEN_KEY, fromHash);
    win.history.replaceState(null, '', `${win.location.pathname}${win.location.search}#/runs`);
    return fromHash;
  }
  return win.sessionStorage.getItem(TOKEN_KEY);
}

export type LabClient = ReturnType<typeof createClient>;

/** The client for wherever the page runs; undefined when it has no way to the lab. */
export function connect(win: Window = window): LabClient | undefined {
  if (win.dmmLab) return createClient(ipcTransport(win.dmmLab));
  if (!win.location.protocol.startsWith('http')) return undefined;
  const token = takeToken(win);
  return token ? createClient(httpTransport(win.location.origin, token)) : undefined;
}
