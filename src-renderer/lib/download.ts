/**
 * Saving and opening files from the page. Inside Electron the preload's native dialogs are
 * used (the user picks where; the main process writes it); in a browser, a Blob behind a
 * temporary object URL and an `<a download>` click (saved to the downloads folder).
 */
import type { FileFilter } from '@shared/api/dmm-lab-api';

/** The dialog's file-type filter for a MIME type (json, csv, png, svg), or none. */
export function filtersFor(filename: string, type: string): FileFilter[] {
  const known: Record<string, FileFilter> = {
    'application/json': { name: 'JSON', extensions: ['json'] },
    'text/csv': { name: 'CSV', extensions: ['csv'] },
    'image/png': { name: 'PNG image', extensions: ['png'] },
    'image/svg+xml': { name: 'SVG image', extensions: ['svg'] },
  };
  const filter = known[type.split(';')[0]!.trim().toLowerCase()];
  const ext = /\.([A-Za-z0-9]{1,16})$/.exec(filename)?.[1];
  if (filter) return [filter, { name: 'All files', extensions: ['*'] }];
  return ext
    ? [
        { name: ext.toUpperCase(), extensions: [ext] },
        { name: 'All files', extensions: ['*'] },
      ]
    : [];
}

function browserDownload(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // give the download a moment to start before the URL goes
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Saves `content` as `filename`: the native save dialog in Electron ('saved' or 'canceled';
 * throws with the reason when writing failed), a browser download otherwise ('downloaded').
 */
export async function saveFile(filename: string, content: string | Uint8Array, type: string): Promise<'saved' | 'canceled' | 'downloaded'> {
  const bridge = window.dmmLab;
  if (bridge?.saveFile) {
    const r = await bridge.saveFile({ defaultName: filename, filters: filtersFor(filename, type), content });
    if (r.status === 'error') throw new Error(r.message);
    return r.status;
  }
  browserDownload(filename, new Blob([content as BlobPart], { type }));
  return 'downloaded';
}

/** Saves text (fire and forget; a failure is shown in an alert naming the reason). */
export function downloadText(filename: string, text: string, type: string): void {
  saveFile(filename, text, type).catch((e: unknown) =>
    window.alert(`Could not save ${filename}: ${e instanceof Error ? e.message : String(e)}`),
  );
}

/** Saves bytes (a PNG, …) like downloadText. */
export function downloadBytes(filename: string, bytes: Uint8Array, type: string): void {
  saveFile(filename, bytes, type).catch((e: unknown) =>
    window.alert(`Could not save ${filename}: ${e instanceof Error ? e.message : String(e)}`),
  );
}

/**
 * Lets the user pick a text file: the native open dialog in Electron, a file input in a
 * browser. Undefined when cancelled; throws with the reason when it cannot be read.
 */
export async function openTextFile(filters: FileFilter[]): Promise<{ name: string; text: string } | undefined> {
  const bridge = window.dmmLab;
  if (bridge?.openFile) {
    const r = await bridge.openFile({ filters });
    if (r.status === 'error') throw new Error(r.message);
    return r.status === 'opened' ? { name: r.name, text: r.text } : undefined;
  }
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = filters.flatMap((f) => f.extensions.filter((e) => e !== '*').map((e) => `.${e}`)).join(',');
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (!file) return resolve(undefined);
      file.text().then((text) => resolve({ name: file.name, text }), reject);
    });
    input.addEventListener('cancel', () => resolve(undefined));
    input.click();
  });
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `dmm-runs-20251124-1703-3.json`: a name for an export of `count` runs made at `now`. */
export function exportFileName(count: number, ext: 'json' | 'csv', now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `dmm-runs-${stamp}-${count}.${ext}`;
}
