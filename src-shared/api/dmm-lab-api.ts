/**
 * The only object the preload exposes to the renderer, as `window.dmmLab`: the app's
 * version and platform, one request function for the whole API contract, one event
 * subscription, the application menu's commands, and the native open/save dialogs. Data
 * only crosses; no Node or Electron object does.
 */
import type { MenuCommand } from './menu-commands';

export interface FileFilter {
  readonly name: string;
  /** Without the dot: `json`, `csv`; `*` for any. */
  readonly extensions: readonly string[];
}

export interface SaveFileRequest {
  /** A file name (no path): the dialog starts with it. */
  readonly defaultName: string;
  readonly filters?: readonly FileFilter[];
  /** Text (written as UTF-8) or bytes; at most 64 MiB. */
  readonly content: string | Uint8Array;
}

export interface OpenFileRequest {
  readonly filters?: readonly FileFilter[];
}

export type SaveFileResult =
  | { readonly status: 'saved'; readonly name: string }
  | { readonly status: 'canceled' }
  | { readonly status: 'error'; readonly message: string };

export type OpenFileResult =
  | { readonly status: 'opened'; readonly name: string; readonly text: string }
  | { readonly status: 'canceled' }
  | { readonly status: 'error'; readonly message: string };

export interface DmmLabApi {
  readonly appVersion: string;
  readonly platform: string;
  /** One API call (see src-shared/api/contract.ts); resolves with the wire reply. */
  request(method: string, params: unknown): Promise<unknown>;
  /** Receives every API event; returns an unsubscribe function. */
  onEvent(listener: (name: string, data: unknown) => void): () => void;
  /** Receives the application menu's commands (menu-commands.ts); returns an unsubscribe function. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  /** Asks where to save (native dialog) and writes the file there. */
  saveFile(request: SaveFileRequest): Promise<SaveFileResult>;
  /** Asks which file to open (native dialog) and reads it as UTF-8 text. */
  openFile(request: OpenFileRequest): Promise<OpenFileResult>;
}

/** IPC channel names (shared by main and preload). */
export const API_CHANNEL = 'dmm-lab:api';
export const EVENT_CHANNEL = 'dmm-lab:event';
export const FILE_SAVE_CHANNEL = 'dmm-lab:save-file';
export const FILE_OPEN_CHANNEL = 'dmm-lab:open-file';
