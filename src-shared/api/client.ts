/**
 * The typed client every front end uses, over any transport that can send a request and
 * deliver events (Electron IPC, HTTP + WebSocket, or in-process for the CLI and tests).
 */
import { API_EVENTS, API_METHODS, type ApiClient, type ApiEvent, type ApiMethod } from './contract';
import { unwrapReply } from './dispatch';

export interface ApiTransport {
  /** Sends one request; resolves with the wire reply ({ok, result} or {ok: false, error}). */
  request(method: ApiMethod, params: unknown): Promise<unknown>;
  /** Delivers events; returns an unsubscribe function. */
  subscribe(listener: (name: string, data: unknown) => void): () => void;
}

export function createClient(transport: ApiTransport): ApiClient & { on(listener: (e: ApiEvent) => void): () => void } {
  const client: Record<string, unknown> = {};
  for (const m of API_METHODS) {
    client[m] = async (params: unknown) => unwrapReply(m, await transport.request(m, params ?? {}));
  }
  client['on'] = (listener: (e: ApiEvent) => void) =>
    transport.subscribe((name, data) => {
      if (!Object.hasOwn(API_EVENTS, name)) return;
      const schema = API_EVENTS[name as keyof typeof API_EVENTS];
      const parsed = schema.safeParse(data);
      if (parsed.success) listener({ name, data: parsed.data } as ApiEvent);
    });
  return client as ApiClient & { on(listener: (e: ApiEvent) => void): () => void };
}
