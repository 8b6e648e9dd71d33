/**
 * Native open/save dialogs for the renderer over IPC: only the app's own top frame is
 * served, every request is validated (file-dialogs-schema.ts), the user picks the path in
 * the system dialog (the renderer never names one), and files are size-limited both ways.
 * The dialogs and the file system are passed in, so the handlers are tested under Node with
 * fakes and a real temp folder.
 */
import { constants as fsConstants } from 'node:fs';
import { open as fsOpen, writeFile as fsWriteFile, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { FILE_OPEN_CHANNEL, FILE_SAVE_CHANNEL, type OpenFileResult, type SaveFileResult } from '../../src-shared/api/dmm-lab-api';
import { describeIssues, MAX_FILE_BYTES, OpenFileRequestSchema, saveFileRequestSchema, SaveFileRequestSchema } from './file-dialogs-schema';
import { isTrustedSender } from './ipc-transport';

type Filters = { name: string; extensions: string[] }[];

export interface DialogBackend {
  /** The chosen path, or undefined when cancelled. */
  showSave(event: IpcMainInvokeEvent, opts: { defaultPath: string; filters: Filters }): Promise<string | undefined>;
  showOpen(event: IpcMainInvokeEvent, opts: { filters: Filters }): Promise<string | undefined>;
}

/** What reading a file for the open dialog gave: its text, or why it was not read. */
export type ReadTextResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

export interface FileSystemBackend {
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** The text of a regular file of at most `maxBytes` bytes (UTF-8); anything else is refused with a reason. */
  readText(path: string, maxBytes: number): Promise<ReadTextResult>;
}

/** Reads at most `max` + 1 bytes: undefined when there are more than `max`. */
async function readAtMost(fh: FileHandle, max: number, sizeHint: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const want = Math.min(max + 1 - total, Math.max(64 * 1024, Math.min(sizeHint + 1 - total, 16 * 1024 * 1024)));
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await fh.read(buf, 0, want, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(buf.subarray(0, bytesRead));
    total += bytesRead;
    if (total > max) return undefined;
  }
}

/**
 * The real file system. Opening for reading does not block on a FIFO (O_NONBLOCK), the open
 * file must be a regular file (not a device such as /dev/zero, a FIFO or a socket, also
 * through a symlink), and at most `maxBytes` + 1 bytes are read whatever size it reports
 * (files under /proc report 0).
 */
export const nodeFileSystem: FileSystemBackend = {
  writeFile: (path, data) => fsWriteFile(path, data),
  readText: async (path, maxBytes) => {
    const fh = await fsOpen(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    try {
      const st = await fh.stat();
      if (!st.isFile()) return { ok: false, reason: `${basename(path)} is not a regular file` };
      if (st.size > maxBytes)
        return { ok: false, reason: `${basename(path)} is ${st.size} bytes; files up to ${maxBytes} bytes can be opened` };
      const bytes = await readAtMost(fh, maxBytes, st.size);
      if (bytes === undefined)
        return { ok: false, reason: `${basename(path)} is larger than ${maxBytes} bytes; files up to ${maxBytes} bytes can be opened` };
      return { ok: true, text: bytes.toString('utf8') };
    } finally {
      await fh.close();
    }
  },
};

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function registerFileDialogs(opts: {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  appUrl: string;
  dialogs: DialogBackend;
  fs?: FileSystemBackend;
  /** Folder the save dialog starts in (e.g. Downloads). */
  defaultDir?: () => string;
  /** Largest file saved or opened, in bytes (default MAX_FILE_BYTES; tests pass a small one). */
  maxFileBytes?: number;
}): () => void {
  const fs = opts.fs ?? nodeFileSystem;
  const maxBytes = opts.maxFileBytes ?? MAX_FILE_BYTES;
  const saveSchema = maxBytes === MAX_FILE_BYTES ? SaveFileRequestSchema : saveFileRequestSchema(maxBytes);
  opts.ipcMain.handle(FILE_SAVE_CHANNEL, async (event, request: unknown): Promise<SaveFileResult> => {
    if (!isTrustedSender(event, opts.appUrl)) return { status: 'error', message: 'request from an untrusted frame' };
    const parsed = saveSchema.safeParse(request);
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
      const r = await fs.readText(path, maxBytes);
      return r.ok ? { status: 'opened', name: basename(path), text: r.text } : { status: 'error', message: r.reason };
    } catch (e) {
      return { status: 'error', message: `could not open ${path}: ${message(e)}` };
    }
  });
  return () => {
    opts.ipcMain.removeHandler(FILE_SAVE_CHANNEL);
    opts.ipcMain.removeHandler(FILE_OPEN_CHANNEL);
  };
}
