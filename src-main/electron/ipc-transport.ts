/**
 * The Electron IPC transport of the API: one `invoke` channel for requests, validated
 * against the contract after checking that the sender is the app's own top frame, and one
 * channel pushing events to every window.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { ApiHandlers } from '../../src-shared/api/contract';
import { dispatch, type WireReply } from '../../src-shared/api/dispatch';
import type { EventHub } from '../lab/event-hub';
import { API_CHANNEL, EVENT_CHANNEL } from '../../src-shared/api/dmm-lab-api';
import { isNavigationAllowed } from './window-options';

/** Largest request accepted over IPC, measured as JSON. */
export const MAX_REQUEST_CHARS = 64 * 1024 * 1024;

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, appUrl: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false; // no sub-frames
  return isNavigationAllowed(frame.url, appUrl);
}

export function registerIpcTransport(opts: {
  ipcMain: IpcMain;
  handlers: ApiHandlers;
  /** Reads off the main thread (reader threads); their results come back as JSON text the client parses. */
  reader?: { handles(method: string): boolean; call(method: string, params: unknown): Promise<WireReply> };
  hub: EventHub;
  appUrl: string;
  windows: () => WebContents[];
  /** Largest request accepted, in characters of JSON (default MAX_REQUEST_CHARS; tests pass a small one). */
  maxRequestChars?: number;
}): () => void {
  const maxChars = opts.maxRequestChars ?? MAX_REQUEST_CHARS;
  opts.ipcMain.handle(API_CHANNEL, async (event, method: unknown, params: unknown): Promise<WireReply> => {
    if (!isTrustedSender(event, opts.appUrl))
      return { ok: false, error: { code: 'unauthorized', message: 'request from an untrusted frame' } };
    let size: number;
    try {
      size = JSON.stringify(params ?? {}).length;
    } catch {
      return { ok: false, error: { code: 'bad-request', message: 'parameters are not plain data' } };
    }
    if (size > maxChars) return { ok: false, error: { code: 'too-large', message: `the request is larger than ${maxChars} characters` } };
    if (opts.reader && typeof method === 'string' && opts.reader.handles(method)) return opts.reader.call(method, params);
    return dispatch(opts.handlers, method, params);
  });
  const unsubscribe = opts.hub.subscribe((e) => {
    for (const wc of opts.windows()) if (!wc.isDestroyed()) wc.send(EVENT_CHANNEL, e.name, e.data);
  });
  return () => {
    unsubscribe();
    opts.ipcMain.removeHandler(API_CHANNEL);
  };
}
