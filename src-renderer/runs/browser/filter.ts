/**
 * The run browser's filter box: numeric conditions and free text in one line, e.g.
 *
 *     softLinks <= 12, testWorst < 0.05 optimizer.lr = 0.02 sweep
 *
 * - `verdict = failed` (or passed, none; = or !=) keeps the runs whose final check says so;
 * - `sweep = 3` (or `sweepId = 3`) keeps the runs of sweep 3;
 * - a condition is FIELD OP VALUE (spaces optional): FIELD a numeric run field (softLinks,
 *   testWorst, finalLoss, steps, seed, duration, startedAt…) or a numeric schedule path
 *   (optimizer.lr, dense.l1, rounds.cut.fraction…), case-insensitive; OP one of
 *   < <= = != >= > (also == <> ≤ ≥ ≠ =< =>); VALUE a number — a date such as 2025-11-24 or
 *   2025-11-24T17:30 (local time) for createdAt/startedAt/endedAt, a duration such as 90s,
 *   5m, 1.5h, 2d, 250ms for duration;
 * - everything else is the text to search (name, problem, notes, tags); "quotes" keep text
 *   that would read as a condition; commas, semicolons and `and` between items are optional.
 *
 * parseFilter gives the contract's Condition objects and the text, or readable errors with
 * the position of what is wrong — an invalid filter is never sent. formatFilter writes a
 * filter back (for saved views); parseFilter(formatFilter(f)) gives f again.
 */
import { RUN_FIELDS, type Condition } from '@shared/api/contract';
import { RUN_VERDICTS, type RunVerdict } from '@shared/api/records';
import { schedulePaths } from './schedule-paths';

export interface ParsedFilter {
  readonly conditions: readonly Condition[];
  /** Free text ('' for none). */
  readonly text: string;
}

export interface FilterError {
  readonly message: string;
  /** Offsets in the input of what the error is about. */
  readonly start: number;
  readonly end: number;
}

export type FilterResult =
  { readonly ok: true; readonly filter: ParsedFilter } | { readonly ok: false; readonly errors: readonly FilterError[] };

export const EMPTY_FILTER: ParsedFilter = { conditions: [], text: '' };

/** Limits of the contract's RunQuery. */
export const MAX_CONDITIONS = 20;
export const MAX_TEXT = 200;

type Op = Condition['op'];

const TEXT_FIELDS: Readonly<Record<string, string>> = {
  name: 'name is text: type it without an operator to search for it',
  problem: 'problem is text: type it without an operator to search for it',
  status: 'status is not a number: use the status filter',
  estimator: 'estimator is not a number: use estimator as a word to search, or estimator.sigma etc. for ES settings',
};

export const NUMERIC_RUN_FIELDS: readonly string[] = RUN_FIELDS.filter((f) => !(f in TEXT_FIELDS) && f !== 'verdict');

const TIME_FIELDS = new Set(['createdAt', 'startedAt', 'endedAt']);
const ALIASES: Readonly<Record<string, string>> = { links: 'softLinks', lr: 'optimizer.lr', sweep: 'sweepId' };

const OPS: Readonly<Record<string, Op>> = {
  '<': '<',
  '<=': '<=',
  '=<': '<=',
  '≤': '<=',
  '=': '=',
  '==': '=',
  '!=': '!=',
  '<>': '!=',
  '≠': '!=',
  '>=': '>=',
  '=>': '>=',
  '≥': '>=',
  '>': '>',
};
const OP_CHARS = new Set(['<', '>', '=', '!', '≤', '≥', '≠']);
const SEPARATORS = new Set([',', ';']);

// ------------------------------------------------------------------ tokens

type Token =
  | { readonly kind: 'word'; readonly text: string; readonly quoted: boolean; readonly start: number; readonly end: number }
  | { readonly kind: 'op'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly kind: 'sep'; readonly start: number; readonly end: number };

function tokenize(input: string, errors: FilterError[]): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = input.length;
  while (i < n) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (SEPARATORS.has(c)) {
      tokens.push({ kind: 'sep', start: i, end: i + 1 });
      i++;
    } else if (OP_CHARS.has(c)) {
      const start = i;
      while (i < n && OP_CHARS.has(input[i] as string)) i++;
      tokens.push({ kind: 'op', text: input.slice(start, i), start, end: i });
    } else if (c === '"') {
      const start = i;
      let text = '';
      i++;
      let closed = false;
      while (i < n) {
        const d = input[i] as string;
        if (d === '\\' && i + 1 < n) {
          text += input[i + 1];
          i += 2;
        } else if (d === '"') {
          closed = true;
          i++;
          break;
        } else {
          text += d;
          i++;
        }
      }
      if (!closed) errors.push({ message: 'a quote is not closed', start, end: n });
      tokens.push({ kind: 'word', text, quoted: true, start, end: i });
    } else {
      const start = i;
      while (i < n) {
        const d = input[i] as string;
        if (/\s/.test(d) || SEPARATORS.has(d) || OP_CHARS.has(d) || d === '"') break;
        i++;
      }
      tokens.push({ kind: 'word', text: input.slice(start, i), quoted: false, start, end: i });
    }
  }
  return tokens;
}

// ------------------------------------------------------------------ fields and values

/** Edit distance (for "did you mean"). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] as number;
      row[j] = Math.min(up + 1, (row[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length] as number;
}

export interface FieldCatalog {
  /** Numeric run fields (RUN_FIELDS but the text ones). */
  readonly runFields: readonly string[];
  /** Numeric schedule paths. */
  readonly schedulePaths: readonly string[];
}

export function defaultCatalog(): FieldCatalog {
  return { runFields: NUMERIC_RUN_FIELDS, schedulePaths: schedulePaths() };
}

type Resolved = { readonly field: string } | { readonly error: string };

export function resolveField(raw: string, catalog: FieldCatalog): Resolved {
  const textField = Object.keys(TEXT_FIELDS).find((f) => f.toLowerCase() === raw.toLowerCase());
  if (textField !== undefined) return { error: TEXT_FIELDS[textField] as string };
  const all = [...catalog.runFields, ...catalog.schedulePaths];
  const exact = all.find((f) => f === raw) ?? all.find((f) => f.toLowerCase() === raw.toLowerCase());
  if (exact !== undefined) return { field: exact };
  const alias = ALIASES[raw.toLowerCase()];
  if (alias !== undefined && all.includes(alias)) return { field: alias };
  const lower = raw.toLowerCase();
  const suffix = catalog.schedulePaths.filter((p) => p.toLowerCase().endsWith(`.${lower}`));
  let hint: string[] = suffix.slice(0, 3);
  if (hint.length === 0) {
    const scored = all
      .map((f) => ({ f, d: distance(lower, f.toLowerCase()) }))
      .filter((x) => x.d <= Math.max(2, Math.floor(raw.length / 4)));
    scored.sort((a, b) => a.d - b.d);
    hint = scored.slice(0, 3).map((x) => x.f);
  }
  if (hint.length > 0) return { error: `unknown field "${raw}": did you mean ${hint.join(' or ')}?` };
  return {
    error: `unknown field "${raw}": use a run figure (softLinks, testWorst, finalLoss, steps…) or a schedule path (optimizer.lr, dense.l1…)`,
  };
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const DURATION = /^((?:\d+(?:\.\d*)?|\.\d+))(ms|s|sec|m|min|h|hr|d)$/i;
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  d: 86_400_000,
};

function parseNumber(s: string): number | undefined {
  if (!NUMBER.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/** A local date (and time) in milliseconds since the epoch. */
export function parseDate(s: string): number | undefined {
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(y, mo - 1, d, h, mi, se);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h || date.getMinutes() !== mi)
    return undefined;
  return date.getTime();
}

export function parseDuration(s: string): number | undefined {
  const m = DURATION.exec(s);
  if (!m) return undefined;
  const v = Number(m[1]) * (UNIT_MS[(m[2] as string).toLowerCase()] as number);
  return Number.isFinite(v) ? v : undefined;
}

function parseValue(field: string, raw: string): { value: number } | { error: string } {
  const n = parseNumber(raw);
  if (n !== undefined) return { value: n };
  if (TIME_FIELDS.has(field)) {
    const d = parseDate(raw);
    return d !== undefined
      ? { value: d }
      : { error: `"${raw}" is not a date (2025-11-24 or 2025-11-24T17:30) nor a number of milliseconds` };
  }
  if (field === 'duration') {
    const d = parseDuration(raw);
    return d !== undefined ? { value: d } : { error: `"${raw}" is not a duration (90s, 5m, 1.5h, 2d) nor a number of milliseconds` };
  }
  return { error: `"${raw}" is not a number` };
}

// ------------------------------------------------------------------ parse

const isAnd = (t: Token | undefined): boolean => t !== undefined && t.kind === 'word' && !t.quoted && /^(and|&&)$/i.test(t.text);
const startsCondition = (tokens: readonly Token[], i: number): boolean => tokens[i]?.kind === 'word' && tokens[i + 1]?.kind === 'op';

export function parseFilter(input: string, catalog: FieldCatalog = defaultCatalog()): FilterResult {
  const errors: FilterError[] = [];
  const tokens = tokenize(input, errors);
  const conditions: Condition[] = [];
  const words: string[] = [];
  let lastWasCondition = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === 'sep') {
      lastWasCondition = false;
      continue;
    }
    if (t.kind === 'op') {
      errors.push({ message: `"${t.text}" needs a field before it, e.g. softLinks <= 12`, start: t.start, end: t.end });
      // skip its value, if any, so it is not read as text
      if (tokens[i + 1]?.kind === 'word') i++;
      lastWasCondition = false;
      continue;
    }
    const next = tokens[i + 1];
    if (next?.kind === 'op') {
      const op = OPS[next.text];
      const valueToken = tokens[i + 2];
      const end = valueToken?.kind === 'word' ? valueToken.end : next.end;
      i += valueToken?.kind === 'word' ? 2 : 1;
      lastWasCondition = true;
      if (t.quoted) {
        errors.push({ message: 'a field name cannot be quoted (quotes are for text to search)', start: t.start, end: t.end });
        continue;
      }
      if (op === undefined) {
        errors.push({ message: `unknown operator "${next.text}": use one of < <= = != >= >`, start: next.start, end: next.end });
        continue;
      }
      if (valueToken?.kind !== 'word') {
        errors.push({ message: `${t.text} ${next.text} needs a value after it`, start: t.start, end });
        continue;
      }
      if (t.text.toLowerCase() === 'verdict') {
        const v = valueToken.text.toLowerCase();
        if (op !== '=' && op !== '!=')
          errors.push({ message: 'verdict takes = or != (e.g. verdict = failed)', start: next.start, end: next.end });
        else if (!(RUN_VERDICTS as readonly string[]).includes(v))
          errors.push({ message: `verdict is one of ${RUN_VERDICTS.join(', ')}`, start: valueToken.start, end: valueToken.end });
        else conditions.push({ field: 'verdict', op, value: v as RunVerdict });
        continue;
      }
      const field = resolveField(t.text, catalog);
      if ('error' in field) {
        errors.push({ message: field.error, start: t.start, end: t.end });
        continue;
      }
      const value = parseValue(field.field, valueToken.text);
      if ('error' in value) {
        errors.push({ message: `${field.field} ${op}: ${value.error}`, start: valueToken.start, end: valueToken.end });
        continue;
      }
      conditions.push({ field: field.field, op, value: value.value });
      continue;
    }
    if (isAnd(t) && (lastWasCondition || startsCondition(tokens, i + 1))) continue;
    if (t.text !== '') words.push(t.text);
    lastWasCondition = false;
  }
  const text = words.join(' ').trim();
  if (conditions.length > MAX_CONDITIONS) errors.push({ message: `at most ${MAX_CONDITIONS} conditions`, start: 0, end: input.length });
  if (text.length > MAX_TEXT)
    errors.push({ message: `the text to search is longer than ${MAX_TEXT} characters`, start: 0, end: input.length });
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.start - b.start) };
  return { ok: true, filter: { conditions, text } };
}

// ------------------------------------------------------------------ format

const pad = (n: number): string => String(n).padStart(2, '0');

export function formatDate(ms: number): string {
  const d = new Date(ms);
  if (!Number.isInteger(ms) || d.getMilliseconds() !== 0 || d.getFullYear() < 1000 || d.getFullYear() > 9999) return String(ms);
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0) return day;
  const hm = `${day}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() === 0 ? hm : `${hm}:${pad(d.getSeconds())}`;
}

export function formatDuration(ms: number): string {
  if (ms > 0 && Number.isInteger(ms)) {
    for (const unit of ['d', 'h', 'm', 's'] as const) {
      const size = UNIT_MS[unit] as number;
      if (ms % size === 0) return `${ms / size}${unit}`;
    }
  }
  return String(ms);
}

export function formatCondition(c: Condition): string {
  const value =
    typeof c.value === 'string'
      ? c.value
      : TIME_FIELDS.has(c.field)
        ? formatDate(c.value)
        : c.field === 'duration'
          ? formatDuration(c.value)
          : String(c.value);
  return `${c.field} ${c.op} ${value}`;
}

/** Text that must be quoted to read back as text. */
function needsQuotes(text: string): boolean {
  if (/[<>=!≤≥≠,;"\\]/.test(text)) return true;
  return text.split(/\s+/).some((w) => /^(and|&&)$/i.test(w));
}

export function formatFilter(f: ParsedFilter): string {
  const parts = f.conditions.map(formatCondition);
  const text = f.text.trim();
  if (text !== '') parts.push(needsQuotes(text) ? `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : text);
  return parts.join(', ');
}

/** Equal filters (same conditions in the same order, same text). */
export function sameFilter(a: ParsedFilter, b: ParsedFilter): boolean {
  return (
    a.text === b.text &&
    a.conditions.length === b.conditions.length &&
    a.conditions.every((c, i) => {
      const d = b.conditions[i] as Condition;
      return c.field === d.field && c.op === d.op && c.value === d.value;
    })
  );
}
