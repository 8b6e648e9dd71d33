/**
 * The event log of a run in words, its kinds for filtering, and the sparsification events
 * marked on the soft-link chart. Events are stored as `data` = the synthesis event itself
 * (src-shared/synthesis/events.ts) or a supervisor record (`command`, `error`, …); this
 * reads them defensively, since a record from an older build may lack a field.
 */
import type { EventRecord } from '@shared/api/records';
import { SERIES_COLORS } from '@shared/render/palette';
import { fmt } from '../../lib/format-number';

/** Event kinds marked on the soft-link chart, with their colours. */
export const MARKER_COLORS: Readonly<Record<string, string>> = {
  cut: SERIES_COLORS[3] as string,
  accept: SERIES_COLORS[2] as string,
  backtrack: SERIES_COLORS[1] as string,
  regrow: SERIES_COLORS[4] as string,
  prune: SERIES_COLORS[5] as string,
};

export interface Marker {
  readonly step: number;
  readonly kind: string;
  readonly color: string;
}

/**
 * Markers of the events in log order. A `continue` event (the run went on from an earlier
 * snapshot of its own) drops the markers after its step: those steps were replaced.
 */
export function markersOf(events: readonly EventRecord[]): Marker[] {
  let out: Marker[] = [];
  for (const e of events) {
    if (e.kind === 'continue') {
      const from = typeof e.data['fromStep'] === 'number' ? e.data['fromStep'] : e.step;
      out = out.filter((m) => m.step <= from);
      continue;
    }
    const color = MARKER_COLORS[e.kind];
    if (color !== undefined) out.push({ step: e.step, kind: e.kind, color });
  }
  return out;
}

/** The kinds present, with counts, most frequent first (ties by name). */
export function kindCounts(events: readonly EventRecord[]): { kind: string; count: number }[] {
  const m = new Map<string, number>();
  for (const e of events) m.set(e.kind, (m.get(e.kind) ?? 0) + 1);
  return [...m].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
}

/** Events whose kind is selected (all when `kinds` is empty) and whose text contains `text`. */
export function filterEvents(events: readonly EventRecord[], kinds: ReadonlySet<string>, text = ''): EventRecord[] {
  const needle = text.trim().toLowerCase();
  return events.filter(
    (e) => (kinds.size === 0 || kinds.has(e.kind)) && (needle === '' || `${e.kind} ${describeEvent(e)}`.toLowerCase().includes(needle)),
  );
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

function linkText(l: unknown): string {
  if (typeof l !== 'object' || l === null) return '?';
  const o = l as Record<string, unknown>;
  return `${str(o['to']) ?? '?'}.${str(o['toPort']) ?? '?'} ← ${str(o['from']) ?? '?'}.${str(o['fromPort']) ?? '?'}`;
}

function removedText(removed: unknown[] | undefined, max = 3): string {
  if (!removed || removed.length === 0) return '';
  const shown = removed.slice(0, max).map(linkText).join(', ');
  return removed.length > max ? `${shown} and ${removed.length - max} more` : shown;
}

function commandText(c: unknown): string {
  if (typeof c !== 'object' || c === null) return 'command';
  const o = c as Record<string, unknown>;
  switch (o['kind']) {
    case 'prune':
      return `prune now below |w| < ${fmt(num(o['threshold']))}`;
    case 'set': {
      const parts: string[] = [];
      if (num(o['lambda1']) !== undefined) parts.push(`λ1 = ${fmt(num(o['lambda1']))}`);
      if (num(o['lr']) !== undefined) parts.push(`lr = ${fmt(num(o['lr']))}`);
      return `set ${parts.join(', ')}`;
    }
    default:
      return String(o['kind'] ?? 'command');
  }
}

/** One line saying what happened and the numbers behind it. */
export function describeEvent(e: EventRecord): string {
  const d = e.data;
  const links = num(d['softLinks']);
  const at = links !== undefined ? ` (${links} links)` : '';
  switch (e.kind) {
    case 'phase':
      return `phase ${str(d['phase']) ?? '?'}${at}`;
    case 'cut': {
      const removed = arr(d['removed']);
      return `round ${num(d['round']) ?? '?'} try ${num(d['attempt']) ?? '?'}: cut ${removed?.length ?? '?'} of ${num(d['linksBefore']) ?? '?'} links by ${str(d['rule']) ?? '?'}, λ1 ${fmt(num(d['lambda1']))}, target loss ${fmt(num(d['target']))}`;
    }
    case 'accept':
      return `round ${num(d['round']) ?? '?'} accepted after ${num(d['retrainSteps']) ?? '?'} steps: loss ${fmt(num(d['preregLoss']))} ≤ ${fmt(num(d['target']))}${at}`;
    case 'backtrack':
      return `round ${num(d['round']) ?? '?'} undone after ${num(d['retrainSteps']) ?? '?'} steps (loss ${fmt(num(d['preregLoss']))} > ${fmt(num(d['target']))}), ${num(d['restored']) ?? '?'} links restored; next: ${str(d['next']) ?? '?'}`;
    case 'drop-dead': {
      const removed = arr(d['removed']);
      return `dropped ${removed?.length ?? 0} links that cannot matter${removed?.length ? `: ${removedText(removed)}` : ''}${at}`;
    }
    case 'merge': {
      const merged = (arr(d['merged']) ?? []).map(String);
      const shown = merged.slice(0, 3).join('; ');
      return `merged ${shown}${merged.length > 3 ? ` and ${merged.length - 3} more` : ''}${at}`;
    }
    case 'fine':
      return `one at a time: ${str(d['reason']) ?? ''}${at}`;
    case 'regrow':
      return `round ${num(d['round']) ?? '?'}: regrew ${num(d['added']) ?? '?'} links${at}`;
    case 'verdict': {
      const failures = arr(d['failures']) ?? [];
      const why = (arr(d['diagnosis']) ?? []).map(String);
      return `${d['passed'] === true ? 'passed' : 'failed'}: train loss ${fmt(num(d['trainLoss']))}, validation worst ${fmt(num(d['validationWorst']))}${failures.length ? ` — ${failures.map(String).join('; ')}` : ''}${why.length ? `; why: ${why.join('; ')}` : ''}${at}`;
    }
    case 'restart':
      return `restart, attempt ${num(d['attempt']) ?? '?'}: ${str(d['reason']) ?? ''}`;
    case 'control':
      return `applied ${commandText(d['control'])} in phase ${str(d['phase']) ?? '?'}${at}`;
    case 'command':
      return `command: ${commandText(d['command'])}`;
    case 'prune': {
      const removed = arr(d['removed']);
      return `pruned ${removed?.length ?? 0} of ${num(d['linksBefore']) ?? '?'} links below ${fmt(num(d['threshold']))}${removed?.length ? `: ${removedText(removed)}` : ''}`;
    }
    case 'certificate': {
      const refused = str(d['refused']);
      if (refused !== undefined) return `no minimality certificate: ${refused}`;
      const necessary = arr(d['necessary']) ?? [];
      const removals = arr(d['removals']) ?? [];
      const losses = necessary.map((e) => num((e as Record<string, unknown> | null)?.['lossWithout']) ?? Number.POSITIVE_INFINITY);
      const least = losses.length ? Math.min(...losses) : undefined;
      const removed = removals.length ? `${removals.length} move${removals.length > 1 ? 's' : ''} accepted; ` : '';
      return `minimality certificate: ${removed}no single link of ${necessary.length} can be removed (without any, loss ≥ ${fmt(least)})`;
    }
    case 'stop':
      return `stopped (${str(d['reason']) ?? '?'}) at loss ${fmt(num(d['preregLoss']))}${at}`;
    case 'error':
      return str(d['message']) ?? 'error';
    case 'continue':
      return `continued from snapshot ${num(d['snapshotId']) ?? '?'} at step ${num(d['fromStep']) ?? '?'} (was ${str(d['previousStatus']) ?? '?'}); later steps replaced`;
    default: {
      const text = JSON.stringify(d, (k, v: unknown) => (k === 'kind' ? undefined : v));
      return text.length > 200 ? `${text.slice(0, 200)}…` : text;
    }
  }
}
