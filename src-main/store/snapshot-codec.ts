/**
 * The packed form of a snapshot: weights as little-endian float64 (bytes copied, so every
 * double — −0, subnormals, NaN payloads — comes back bit for bit) and soft links as
 * little-endian uint32 ids into the shared link_keys table, both in link order.
 *
 * Decoding checks what it can and names the snapshot in every error: a blob whose length
 * is not a whole number of elements, a key count different from the weight count, an id
 * with no link_keys row.
 */
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { ApiError } from '../../src-shared/api/dispatch';

const LITTLE_ENDIAN = endianness() === 'LE';

export class SnapshotCorruptError extends ApiError {
  constructor(
    readonly snapshotId: number | undefined,
    detail: string,
  ) {
    super('internal', `${snapshotId === undefined ? 'snapshot' : `snapshot ${snapshotId}`}: stored data is corrupted: ${detail}`);
    this.name = 'SnapshotCorruptError';
  }
}

function copyBytes(view: ArrayBufferView): Buffer {
  return Buffer.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
}

/** CRC-32 of a snapshot's packed keys followed by its packed weights (stored beside them, checked on every read). */
export function snapshotChecksum(keys: Uint8Array, weights: Uint8Array): number {
  return crc32(weights, crc32(keys));
}

/** Throws SnapshotCorruptError when a stored checksum (NULL: written before checksums, not checked) does not match the blobs. */
export function verifyChecksum(keys: unknown, weights: unknown, stored: number | null, snapshotId?: number): void {
  if (stored === null || stored === undefined) return;
  if (!(keys instanceof Uint8Array) || !(weights instanceof Uint8Array)) return; // unpackSnapshot names that
  const actual = snapshotChecksum(keys, weights);
  if (actual !== stored)
    throw new SnapshotCorruptError(
      snapshotId,
      `its checksum does not match (stored ${stored.toString(16)}, computed ${actual.toString(16)}): the weights or links were damaged on disk`,
    );
}

export function packWeights(weights: Float64Array): Buffer {
  const b = copyBytes(weights);
  if (!LITTLE_ENDIAN) b.swap64();
  return b;
}

export function packKeys(keys: Uint32Array): Buffer {
  const b = copyBytes(keys);
  if (!LITTLE_ENDIAN) b.swap32();
  return b;
}

/** A fresh, aligned copy of a blob's bytes in host order. */
function hostBytes(blob: Uint8Array, width: 4 | 8): ArrayBuffer {
  const out = new ArrayBuffer(blob.byteLength);
  const u8 = new Uint8Array(out);
  u8.set(blob);
  if (!LITTLE_ENDIAN) {
    const b = Buffer.from(out);
    if (width === 8) b.swap64();
    else b.swap32();
  }
  return out;
}

function checkBlob(blob: unknown, width: 4 | 8, what: string, snapshotId?: number): Uint8Array {
  if (!(blob instanceof Uint8Array))
    throw new SnapshotCorruptError(snapshotId, `${what} is not a blob (found ${blob === null ? 'NULL' : typeof blob})`);
  if (blob.byteLength % width !== 0) {
    throw new SnapshotCorruptError(snapshotId, `${what} blob has ${blob.byteLength} bytes, not a multiple of ${width}`);
  }
  return blob;
}

export function unpackWeights(blob: unknown, snapshotId?: number): Float64Array {
  const b = checkBlob(blob, 8, 'weights', snapshotId);
  return new Float64Array(hostBytes(b, 8));
}

export function unpackKeys(blob: unknown, snapshotId?: number): Uint32Array {
  const b = checkBlob(blob, 4, 'keys', snapshotId);
  return new Uint32Array(hostBytes(b, 4));
}

/** Both blobs of a snapshot, checked against each other. */
export function unpackSnapshot(keysBlob: unknown, weightsBlob: unknown, snapshotId?: number): { keys: Uint32Array; weights: Float64Array } {
  const keys = unpackKeys(keysBlob, snapshotId);
  const weights = unpackWeights(weightsBlob, snapshotId);
  if (keys.length !== weights.length) {
    throw new SnapshotCorruptError(snapshotId, `${keys.length} link keys but ${weights.length} weights`);
  }
  return { keys, weights };
}

/** Resolves key ids through `lookup`, naming the first id it does not know. */
export function resolveKeys<L>(keys: Uint32Array, lookup: (id: number) => L | undefined, snapshotId?: number): L[] {
  const out: L[] = new Array<L>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const id = keys[i] as number;
    const link = lookup(id);
    if (link === undefined) throw new SnapshotCorruptError(snapshotId, `link ${i} refers to unknown link key ${id}`);
    out[i] = link;
  }
  return out;
}
