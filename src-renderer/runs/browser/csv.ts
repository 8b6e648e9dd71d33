/**
 * CSV export of runs (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote
 * or line break quoted with doubled quotes). Numbers are written in full precision; a text
 * cell that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR) is
 * prefixed with an apostrophe, so opening an export never executes anything a run name says.
 */
import type { RunSummary } from '@shared/api/records';
import { columnDef, type ColumnContext, type ColumnId, type CsvValue } from './columns';

export function csvField(v: CsvValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(',');
}

/** A header line with the column ids (softLinks, testLoss…: stable names for scripts), then one line per run: the given columns in order. */
export function runsToCsv(runs: readonly RunSummary[], columns: readonly ColumnId[], ctx: ColumnContext): string {
  const defs = columns.map(columnDef);
  const lines = [csvLine(defs.map((d) => d.id))];
  for (const r of runs) lines.push(csvLine(defs.map((d) => d.csv(r, ctx))));
  return `${lines.join('\r\n')}\r\n`;
}
