/**
 * What the run browser's buttons do through the lab's API, each returning what the undo
 * needs: trash (undo: restore), restore (undo: trash), purge (no undo: it frees the space),
 * tags added to or removed from many runs (undo: the tags before), notes (undo: the notes
 * before), exports.
 */
import type { ApiClient } from '@shared/api/contract';
import { FINAL_STATUSES, type RunSummary } from '@shared/api/records';
import type { RunExport } from '@shared/api/run-export';

/** A client with only the methods these actions use (tests pass a fake). */
export type BrowserClient = Pick<ApiClient, 'runs.trash' | 'runs.restore' | 'runs.purge' | 'runs.update' | 'runs.export' | 'runs.get'>;

/** At most `limit` calls of `f` at a time; results in input order; the first failure rejects once all have settled. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, f: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await f(items[i] as T, i);
      } catch (e) {
        failure ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return out;
}

/** Runs the lab refuses to trash: running or paused ones (queued ones are cancelled, final ones move). */
export function untrashable(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.status === 'running' || r.status === 'paused');
}

export interface TrashOutcome {
  readonly moved: number;
  readonly ids: readonly number[];
  /** Left alone because they are running or paused. */
  readonly skipped: readonly RunSummary[];
}

export async function trashRuns(client: BrowserClient, runs: readonly RunSummary[]): Promise<TrashOutcome> {
  const skipped = untrashable(runs);
  const ids = runs.filter((r) => !skipped.includes(r)).map((r) => r.id);
  if (ids.length === 0) return { moved: 0, ids, skipped };
  const { count } = await client['runs.trash']({ ids });
  return { moved: count, ids, skipped };
}

export async function restoreRuns(client: BrowserClient, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  return (await client['runs.restore']({ ids: [...ids] })).count;
}

export async function purgeRuns(client: BrowserClient, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  return (await client['runs.purge']({ ids: [...ids] })).count;
}

export const MAX_TAG_LENGTH = 100;
export const MAX_TAGS = 50;

/** The tag as the lab stores it, or why it cannot be one. */
export function checkTag(raw: string): { tag: string } | { error: string } {
  const tag = raw.trim();
  if (tag === '') return { error: 'a tag cannot be empty' };
  if (tag.length > MAX_TAG_LENGTH) return { error: `a tag has at most ${MAX_TAG_LENGTH} characters` };
  return { tag };
}

/** Tags of a run after adding and removing some (sorted, each once). */
export function editTags(tags: readonly string[], add: readonly string[], remove: readonly string[]): string[] {
  const out = new Set(tags);
  for (const t of remove) out.delete(t);
  for (const t of add) out.add(t);
  return [...out].sort();
}

/** Tags over several runs: each tag with how many of them carry it, most common first. */
export function tagCounts(runs: readonly RunSummary[]): { tag: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of runs) for (const t of r.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
}

export interface TagChange {
  /** The runs as the lab returned them. */
  readonly updated: readonly RunSummary[];
  /** Each changed run's tags before, for the undo. */
  readonly before: ReadonlyMap<number, readonly string[]>;
}

/** Adds and removes tags on many runs (only the runs whose tags change are written). */
export async function changeTags(
  client: BrowserClient,
  runs: readonly RunSummary[],
  add: readonly string[],
  remove: readonly string[],
): Promise<TagChange> {
  const work = runs
    .map((r) => ({ r, tags: editTags(r.tags, add, remove) }))
    .filter(({ r, tags }) => tags.length !== r.tags.length || tags.some((t, i) => t !== [...r.tags].sort()[i]));
  const tooMany = work.find((w) => w.tags.length > MAX_TAGS);
  if (tooMany) throw new Error(`run ${tooMany.r.id} would have ${tooMany.tags.length} tags; at most ${MAX_TAGS}`);
  const updated = await mapLimit(work, 6, ({ r, tags }) => client['runs.update']({ id: r.id, tags }));
  return { updated, before: new Map(work.map(({ r }) => [r.id, r.tags])) };
}

/** Puts tags back as they were (the undo of changeTags). */
export async function restoreTags(client: BrowserClient, before: ReadonlyMap<number, readonly string[]>): Promise<RunSummary[]> {
  return mapLimit([...before], 6, ([id, tags]) => client['runs.update']({ id, tags: [...tags] }));
}

/** The runs as one JSON document, as `runs export` of the CLI writes them (one object for one run, else an array). */
export async function exportJson(client: BrowserClient, ids: readonly number[]): Promise<{ text: string; count: number }> {
  const docs: RunExport[] = [];
  // a few runs per call: an export carries every metric and snapshot
  for (let i = 0; i < ids.length; i += 50) docs.push(...(await client['runs.export']({ ids: ids.slice(i, i + 50) })));
  return { text: JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 1), count: docs.length };
}

export const isFinal = (r: RunSummary): boolean => FINAL_STATUSES.includes(r.status);
