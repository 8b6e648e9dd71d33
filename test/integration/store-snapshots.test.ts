/**
 * Snapshots in the store, on a real SQLite file: packed weights come back bit for bit
 * (−0, subnormals, 1e-300, NaN payloads, infinities), links share one key table, and a
 * damaged blob gives an error naming the snapshot while everything else still reads.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src-shared/api/dispatch';
import { defaultSchedule } from '../../src-shared/synthesis/schedule';
import { Rng } from '../../src-shared/util/rng';
import { type Link } from '../../src-main/store/run-store';
import { storeFiles } from '../helpers/store';
import { packKeys, packWeights, unpackKeys, unpackSnapshot, unpackWeights } from '../../src-main/store/snapshot-codec';

const { open } = storeFiles('dmm-store-snap-');

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Doubles of every kind: special values, subnormals, tiny and huge, then raw random bit patterns (NaN payloads included). */
function nastyDoubles(n: number, seed: number): Float64Array {
  const special = [
    0,
    -0,
    1e-300,
    -1e-300,
    5e-324,
    -5e-324,
    2.2250738585072e-308 / 3,
    Number.MIN_VALUE * 12345,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Infinity,
    -Infinity,
    NaN,
    1,
    -1,
    Math.PI,
    0.1 + 0.2,
  ];
  const out = new Float64Array(n);
  out.set(special.slice(0, n));
  const raw = new Uint32Array(out.buffer);
  const rng = new Rng(seed);
  for (let i = special.length; i < n; i++) {
    raw[2 * i] = rng.nextUint32();
    raw[2 * i + 1] = rng.nextUint32();
  }
  // a few NaNs with unusual payloads and a negative-zero-like pattern
  raw[2 * (n - 1) + 1] = 0x7ff80000 | 0x1234;
  raw[2 * (n - 1)] = 0xdeadbeef;
  return out;
}

const linksFor = (n: number, prefix = 'dot'): Link[] =>
  Array.from({ length: n }, (_, i) => ({
    to: `${prefix}-${i % 7}-1`,
    toPort: i % 2 ? 'x' : 'y',
    from: `accum-${Math.floor(i / 7)}-1`,
    fromPort: 'dict-1',
  }));

describe('snapshot codec', () => {
  it('packs little-endian and round-trips exact bits', () => {
    const w = nastyDoubles(500, 1);
    const packed = packWeights(w);
    expect(packed.byteLength).toBe(4000);
    expect(packed.readDoubleLE(8)).toBe(-0);
    expect(Object.is(packed.readDoubleLE(8), -0)).toBe(true);
    expect(Buffer.compare(bytes(unpackWeights(packed)), bytes(w))).toBe(0);
    const k = Uint32Array.from([1, 2, 0xffffffff, 77]);
    const pk = packKeys(k);
    expect(pk.readUInt32LE(8)).toBe(0xffffffff);
    expect([...unpackKeys(pk)]).toEqual([...k]);
    // unaligned input (a view into a larger buffer) is fine
    const big = Buffer.concat([Buffer.from([9]), packed]);
    expect(Buffer.compare(bytes(unpackWeights(big.subarray(1))), bytes(w))).toBe(0);
  });

  it('names the snapshot when a blob is malformed', () => {
    expect(() => unpackWeights(Buffer.alloc(12), 42)).toThrow(
      /snapshot 42: stored data is corrupted: weights blob has 12 bytes, not a multiple of 8/,
    );
    expect(() => unpackKeys(Buffer.alloc(6), 43)).toThrow(/snapshot 43: .*keys blob has 6 bytes, not a multiple of 4/);
    expect(() => unpackSnapshot(Buffer.alloc(8), Buffer.alloc(8), 44)).toThrow(/snapshot 44: .*2 link keys but 1 weights/);
    expect(() => unpackWeights(null, 45)).toThrow(/snapshot 45: .*not a blob \(found NULL\)/);
  });
});

describe('snapshots in the store', () => {
  it('round-trip bit for bit across a reopen, with shared link keys', () => {
    const file = 'roundtrip.db';
    let store = open(file);
    const run = store.createRun({ schedule: defaultSchedule(1) });
    const n = 1486;
    const w1 = nastyDoubles(n, 7);
    const w2 = nastyDoubles(n, 8);
    const links1 = linksFor(n);
    const links2 = [...linksFor(n - 100)].reverse(); // a subset in another order
    const s1 = store.saveSnapshot(run.id, { step: 0, reason: 'start', preregLoss: 434.98634208263843, links: links1, weights: w1 });
    const s2 = store.saveSnapshot(run.id, { step: 10, reason: 'cut', preregLoss: NaN, links: links2, weights: w2.subarray(0, n - 100) });
    expect(s1).toMatchObject({ runId: run.id, step: 0, reason: 'start', softLinks: n, preregLoss: 434.98634208263843 });
    expect(s2.softLinks).toBe(n - 100);
    expect(s2.preregLoss).toBeNull(); // not finite
    const keyCount = store.db.prepare('SELECT count(*) AS n FROM link_keys').pluck().get();
    expect(keyCount).toBe(new Set(links1.map((l) => JSON.stringify(l))).size);
    store.close();

    store = open(file);
    const back1 = store.getSnapshotWeights(s1.id);
    expect(back1.links).toEqual(links1);
    expect(Buffer.compare(bytes(back1.weights), bytes(w1))).toBe(0);
    const back2 = store.getSnapshotWeights(s2.id);
    expect(back2.links).toEqual(links2);
    expect(Buffer.compare(bytes(back2.weights), bytes(w2.subarray(0, n - 100)))).toBe(0);
    // the stored blob is exactly the little-endian packing
    const blob = store.db.prepare('SELECT weights FROM snapshots WHERE id = ?').pluck().get(s1.id) as Buffer;
    expect(Buffer.compare(blob, packWeights(w1))).toBe(0);

    const snap = store.getSnapshot(s1.id);
    expect(snap.weights.links).toEqual(links1);
    expect(snap.weights.weights).toHaveLength(n);
    snap.weights.weights.forEach((x, i) => {
      if (!Number.isNaN(w1[i])) expect(Object.is(x, w1[i])).toBe(true);
    });
    expect(Object.is(snap.weights.weights[1], -0)).toBe(true);
    expect(store.listSnapshots(run.id).map((s) => [s.id, s.step])).toEqual([
      [s1.id, 0],
      [s2.id, 10],
    ]);
    expect(store.integrityCheck()).toEqual([]);
  });

  it('refuses malformed input and unknown ids', () => {
    const store = open('refuse.db');
    const run = store.createRun({ schedule: defaultSchedule(1) });
    expect(() =>
      store.saveSnapshot(run.id, { step: 1, reason: 'interval', preregLoss: 1, links: linksFor(3), weights: new Float64Array(2) }),
    ).toThrow(/3 links but 2 weights/);
    expect(() => store.saveSnapshot(999, { step: 1, reason: 'interval', preregLoss: 1, links: [], weights: [] })).toThrow(
      /run 999 does not exist/,
    );
    expect(() => store.getSnapshot(12345)).toThrow(ApiError);
    try {
      store.getSnapshot(12345);
    } catch (e) {
      expect((e as ApiError).code).toBe('not-found');
    }
  });

  it('a corrupted blob gives a clear error naming the snapshot; the others still read', () => {
    const store = open('corrupt.db');
    const run = store.createRun({ schedule: defaultSchedule(1) });
    const save = (step: number) =>
      store.saveSnapshot(run.id, { step, reason: 'interval', preregLoss: step, links: linksFor(20), weights: nastyDoubles(20, step) });
    const good = save(1);
    const short = save(2);
    const mismatch = save(3);
    const unknownKey = save(4);
    const raw = store.db;
    raw.prepare('UPDATE snapshots SET weights = ? WHERE id = ?').run(Buffer.alloc(20 * 8 - 3), short.id);
    raw.prepare('UPDATE snapshots SET keys = ? WHERE id = ?').run(packKeys(new Uint32Array(19).fill(1)), mismatch.id);
    const keys = unpackKeys(raw.prepare('SELECT keys FROM snapshots WHERE id = ?').pluck().get(unknownKey.id));
    keys[5] = 987654;
    raw.prepare('UPDATE snapshots SET keys = ? WHERE id = ?').run(packKeys(keys), unknownKey.id);

    const failure = (id: number): ApiError => {
      try {
        store.getSnapshot(id);
      } catch (e) {
        return e as ApiError;
      }
      throw new Error(`snapshot ${id} read without error`);
    };
    expect(failure(short.id).message).toBe(
      `snapshot ${short.id}: stored data is corrupted: weights blob has 157 bytes, not a multiple of 8`,
    );
    expect(failure(short.id).code).toBe('internal');
    expect(failure(mismatch.id).message).toBe(`snapshot ${mismatch.id}: stored data is corrupted: 19 link keys but 20 weights`);
    expect(failure(unknownKey.id).message).toBe(
      `snapshot ${unknownKey.id}: stored data is corrupted: link 5 refers to unknown link key 987654`,
    );
    expect(() => store.getSnapshotWeights(unknownKey.id)).toThrow(/unknown link key 987654/);

    // a weight with one flipped bit still decodes: its checksum names the damage
    const flipped = save(5);
    const blob = Buffer.from(raw.prepare('SELECT weights FROM snapshots WHERE id = ?').pluck().get(flipped.id) as Buffer);
    blob[13] = (blob[13] as number) ^ 0x10;
    raw.prepare('UPDATE snapshots SET weights = ? WHERE id = ?').run(blob, flipped.id);
    expect(failure(flipped.id).message).toMatch(
      new RegExp(`^snapshot ${flipped.id}: stored data is corrupted: its checksum does not match .*damaged on disk$`),
    );
    expect(store.integrityCheck().join('\n')).toContain(`snapshot ${flipped.id}: stored data is corrupted: its checksum`);
    raw.prepare('DELETE FROM snapshots WHERE id = ?').run(flipped.id);

    // everything else keeps working
    expect(store.getSnapshot(good.id).weights.links).toEqual(linksFor(20));
    expect(store.listSnapshots(run.id)).toHaveLength(4);
    expect(store.getRun(run.id).id).toBe(run.id);
    const problems = store.integrityCheck();
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toContain(`snapshot ${short.id}:`);
    expect(problems.join('\n')).toContain(`snapshot ${mismatch.id}:`);
    expect(problems.join('\n')).toContain(`snapshot ${unknownKey.id}:`);
  });
});
