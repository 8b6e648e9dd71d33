/**
 * The only object the preload exposes to the renderer, as `window.dmmLab`: the app's
 * version and platform, one request function for the whole API contract, and one event
 * subscription. Data only crosses; no Node or Electron object does.
 */
export interface DmmLabApi {
  readonly appVersion: string;
  readonly platform: string;
  /** One API call (see src-shared/api/contract.ts); resolves with the wire reply. */
  request(method: string, params: unknown): Promise<unknown>;
  /** Receives every API event; returns an unsubscribe function. */
  onEvent(listener: (name: string, data: unknown) => void): () => void;
}

/** IPC channel names (shared by main and preload). */
export const API_CHANNEL = 'dmm-lab:api';
export const EVENT_CHANNEL = 'dmm-lab:event';
