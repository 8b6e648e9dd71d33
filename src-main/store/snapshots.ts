/**
 * The snapshots aggregate of the run store: trainable matrices stored exactly, their links
 * interned once in link_keys (an id per distinct link) and their weights as packed float64
 * (snapshot-codec.ts), read back bit for bit.
 */
import type { z } from 'zod';
import { ApiError } from '../../src-shared/api/dispatch';
import { SNAPSHOT_REASONS, type Snapshot, type SnapshotInfo } from '../../src-shared/api/records';
import type { LinkSchema } from '../../src-shared/synthesis/schedule';
import { SNAPSHOT_INFO_COLUMNS, toSnapshotInfo, type SnapshotInfoRow } from './rows';
import { packKeys, packWeights, resolveKeys, unpackKeys, unpackSnapshot } from './snapshot-codec';
import { notFound, type StoreContext } from './store-context';

export type Link = z.infer<typeof LinkSchema>;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

export interface NewSnapshot {
  readonly step: number;
  readonly reason: SnapshotReason;
  readonly preregLoss: number;
  readonly links: readonly Link[];
  readonly weights: Float64Array | readonly number[];
}

interface LinkKeyRow {
  id: number;
  to_neuron: string;
  to_port: string;
  from_neuron: string;
  from_port: string;
}

const REASONS = new Set<string>(SNAPSHOT_REASONS);

export class Snapshots {
  /** link_keys id → link. Ids are AUTOINCREMENT and never reused or edited, so this cannot go stale (cleared on purge anyway). */
  private readonly linkCache = new Map<number, Link>();

  constructor(private readonly ctx: StoreContext) {}

  /** Stores a trainable matrix exactly (links interned in link_keys, weights as packed float64). */
  save(runId: number, s: NewSnapshot): SnapshotInfo {
    return this.ctx.tx(() => {
      this.ctx.requireRun(runId);
      return this.insert(runId, s, this.ctx.clock());
    });
  }

  /** Inserts a snapshot with the given creation time (no run check: the caller's transaction has one). */
  insert(runId: number, s: NewSnapshot, createdAt: number): SnapshotInfo {
    if (!REASONS.has(s.reason)) throw new ApiError('bad-request', `unknown snapshot reason ${JSON.stringify(s.reason)}`);
    if (s.links.length !== s.weights.length) {
      throw new ApiError('bad-request', `snapshot of run ${runId}: ${s.links.length} links but ${s.weights.length} weights`);
    }
    const weights = s.weights instanceof Float64Array ? s.weights : Float64Array.from(s.weights);
    const keys = this.internLinks(s.links);
    const row = this.ctx
      .sql(
        `INSERT INTO snapshots (run_id, step, reason, soft_links, prereg_loss, created_at, keys, weights)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${SNAPSHOT_INFO_COLUMNS}`,
      )
      .get(
        runId,
        Math.trunc(s.step),
        s.reason,
        s.links.length,
        s.preregLoss === null || !Number.isFinite(s.preregLoss) ? null : s.preregLoss,
        createdAt,
        packKeys(keys),
        packWeights(weights),
      ) as SnapshotInfoRow;
    return toSnapshotInfo(row);
  }

  private internLinks(links: readonly Link[]): Uint32Array {
    const find = this.ctx.sql('SELECT id FROM link_keys WHERE to_neuron = ? AND to_port = ? AND from_neuron = ? AND from_port = ?').pluck();
    const insert = this.ctx
      .sql('INSERT INTO link_keys (to_neuron, to_port, from_neuron, from_port) VALUES (?, ?, ?, ?) RETURNING id')
      .pluck();
    const keys = new Uint32Array(links.length);
    links.forEach((l, i) => {
      for (const part of [l.to, l.toPort, l.from, l.fromPort]) {
        if (typeof part !== 'string' || part === '') throw new ApiError('bad-request', `link ${i}: every end must be a non-empty name`);
      }
      const id = (find.get(l.to, l.toPort, l.from, l.fromPort) ?? insert.get(l.to, l.toPort, l.from, l.fromPort)) as number;
      if (id > 0xffff_ffff) throw new ApiError('internal', `link key id ${id} does not fit 32 bits`);
      keys[i] = id;
    });
    return keys;
  }

  list(runId: number): SnapshotInfo[] {
    this.ctx.requireRun(runId);
    return (
      this.ctx.sql(`SELECT ${SNAPSHOT_INFO_COLUMNS} FROM snapshots WHERE run_id = ? ORDER BY step, id`).all(runId) as SnapshotInfoRow[]
    ).map(toSnapshotInfo);
  }

  /** The snapshot's links and weights, bit for bit as saved. */
  weights(id: number): { links: Link[]; weights: Float64Array } {
    const row = this.ctx.sql('SELECT keys, weights FROM snapshots WHERE id = ?').get(id) as { keys: unknown; weights: unknown } | undefined;
    if (row === undefined) throw notFound('snapshot', id);
    const { keys, weights } = unpackSnapshot(row.keys, row.weights, id);
    this.loadLinkKeys(keys);
    const links = resolveKeys(keys, (k) => this.linkCache.get(k), id);
    return { links, weights };
  }

  get(id: number): Snapshot {
    const info = this.ctx.sql(`SELECT ${SNAPSHOT_INFO_COLUMNS} FROM snapshots WHERE id = ?`).get(id) as SnapshotInfoRow | undefined;
    if (info === undefined) throw notFound('snapshot', id);
    const { links, weights } = this.weights(id);
    return { ...toSnapshotInfo(info), weights: { links, weights: Array.from(weights) } };
  }

  private loadLinkKeys(keys: Uint32Array): void {
    const missing = new Set<number>();
    for (const k of keys) if (!this.linkCache.has(k)) missing.add(k);
    if (missing.size === 0) return;
    const rows = this.ctx
      .sql('SELECT id, to_neuron, to_port, from_neuron, from_port FROM link_keys WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify([...missing])) as LinkKeyRow[];
    for (const r of rows) this.linkCache.set(r.id, { to: r.to_neuron, toPort: r.to_port, from: r.from_neuron, fromPort: r.from_port });
  }

  /** Deletes the link keys no snapshot refers to any more (after runs were purged) and forgets the cached ones. */
  deleteUnusedLinkKeys(): void {
    const used = new Set<number>();
    for (const blob of this.ctx.sql('SELECT keys FROM snapshots').pluck().iterate()) {
      if (!(blob instanceof Uint8Array)) continue;
      // lenient on purpose: whatever a damaged blob may still refer to is kept
      const whole = blob.byteLength - (blob.byteLength % 4);
      for (const k of unpackKeys(blob.subarray(0, whole))) used.add(k);
    }
    const del = this.ctx.sql('DELETE FROM link_keys WHERE id = ?');
    for (const id of this.ctx.sql('SELECT id FROM link_keys').pluck().all() as number[]) if (!used.has(id)) del.run(id);
  }

  /** Forgets the cached link keys (after a purge deleted some). */
  forgetLinkKeys(): void {
    this.linkCache.clear();
  }
}
