/**
 * Saving a file from the page: a Blob behind a temporary object URL and an `<a download>`
 * click (Electron shows its save dialog; a browser saves to its downloads folder).
 */

export function downloadText(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
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

const pad = (n: number): string => String(n).padStart(2, '0');

/** `dmm-runs-20251124-1703-3.json`: a name for an export of `count` runs made at `now`. */
export function exportFileName(count: number, ext: 'json' | 'csv', now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `dmm-runs-${stamp}-${count}.${ext}`;
}
