/**
 * How the run browser shows figures: losses with four significant digits (exponent below
 * 10⁻³), `—` for a missing or non-finite figure, local dates, human durations.
 */

export const MISSING = '—';

/** A loss or other real figure, compactly. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return x.toExponential(2);
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

export function formatInt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  return String(Math.round(x));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2025-11-24 17:03` in local time. */
export function formatDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return MISSING;
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** ISO 8601 in UTC, for files. */
export function isoDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  return new Date(ms).toISOString();
}

/** `850 ms`, `42 s`, `3 m 05 s`, `2 h 07 m`, `3 d 04 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return MISSING;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${pad(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${pad(m % 60)} m`;
  return `${Math.floor(h / 24)} d ${pad(h % 24)} h`;
}

/** Wall time of a run: ended − started, or now − started while it has not ended. */
export function runDuration(r: { startedAt: number | null; endedAt: number | null }, now: number): number | null {
  if (r.startedAt === null) return null;
  return (r.endedAt ?? now) - r.startedAt;
}

/** `1 run`, `3 runs`. */
export function plural(n: number, word: string, words = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : words}`;
}
