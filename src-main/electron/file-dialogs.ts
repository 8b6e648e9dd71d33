/**
 * Native open/save dialogs for the renderer over IPC: only the app's own top frame is
 * served, every request is validated (file-dialogs-schema.ts), the user picks the path in
 * the system dialog (the renderer never names one), and files are size-limited both ways.
 * The dialogs and the file system are passed in, so the handlers are tested under Node with
 * fakes and a real temp folder.
 */
import { readFile as fsReadFile, stat as fsStat, writeFile as fsWriteFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { FILE_OPEN_CHANNEL, FILE_SAVE_CHANNEL, type OpenFileResult, type SaveFileResult } from './dmm-lab-api';
import { describeIssues, MAX_FILE_BYTES, OpenFileRequestSchema, SaveFileRequestSchema } from './file-dialogs-schema';
import { isTrustedSender } from './ipc-transport';

type Filters = { name: string; extensions: string[] }[];

export interface DialogBackend {
  /** The chosen path, or undefined when cancelled. */
  showSave(event: IpcMainInvokeEvent, opts: { defaultPath: string; filters: Filters }): Promise<string | undefined>;
  showOpen(event: IpcMainInvokeEvent, opts: { filters: Filters }): Promise<string | undefined>;
}

export interface FileSystemBackend {
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  size(path: string): Promise<number>;
  readText(path: string): Promise<string>;
}

export const nodeFileSystem: FileSystemBackend = {
  writeFile: (path, data) => fsWriteFile(path, data),
  size: async (path) => (await fsStat(path)).size,
  readText: (path) => fsReadFile(path, 'utf8'),
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function registerFileDialogs(opts: {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  appUrl: string;
  dialogs: DialogBackend;
  fs?: FileSystemBackend;
  /** Folder the save dialog starts in (e.g. Downloads). */
  defaultDir?: () => string;
}): () => void {
  const fs = opts.fs ?? nodeFileSystem;
  opts.ipcMain.handle(FILE_SAVE_CHANNEL, async (event, request: unknown): Promise<SaveFileResult> => {
    if (!isTrustedSender(event, opts.appUrl)) return { status: 'error', message: 'request from an untrusted frame' };
    const parsed = SaveFileRequestSchema.safeParse(request);
    if (!parsed.success) return { status: 'error', message: `saveFile: ${describeIssues(parsed.error)}` };
    const { defaultName, filters, content } = parsed.data;
    const dir = opts.defaultDir?.();
    const path = await opts.dialogs.showSave(event, { defaultPath: dir ? join(dir, defaultName) : defaultName, filters });
    if (!path) return { status: 'canceled' };
    try {
      await fs.writeFile(path, content);
    } catch (e) {
      return { status: 'error', message: `could not save ${path}: ${message(e)}` };
    }
    return { status: 'saved', name: basename(path) };
  });
  opts.ipcMain.handle(FILE_OPEN_CHANNEL, async (event, request: unknown): Promise<OpenFileResult> => {
    if (!isTrustedSender(event, opts.appUrl)) return { status: 'error', message: 'request from an untrusted frame' };
    const parsed = OpenFileRequestSchema.safeParse(request ?? {});
    if (!parsed.success) return { status: 'error', message: `openFile: ${describeIssues(parsed.error)}` };
    const path = await opts.dialogs.showOpen(event, { filters: parsed.data.filters });
    if (!path) return { status: 'canceled' };
    try {
      const size = await fs.size(path);
      if (size > MAX_FILE_BYTES) return { status: 'error', message: `${basename(path)} is ${size} bytes; files up to ${MAX_FILE_BYTES} bytes can be opened` };
      return { status: 'opened', name: basename(path), text: await fs.readText(path) };
    } catch (e) {
      return { status: 'error', message: `could not open ${path}: ${message(e)}` };
    }
  });
  return () => {
    opts.ipcMain.removeHandler(FILE_SAVE_CHANNEL);
    opts.ipcMain.removeHandler(FILE_OPEN_CHANNEL);
  };
}
