/**
 * Seeded random V-values and doubles for property tests. Deterministic: the same seed
 * always gives the same sequence, so a failing case can be reproduced from its seed.
 */

import { Rng } from '../../src-shared/util/rng';
import { fromLeaves, type Path, type VValue } from '../../src-shared/vvalue/vvalue';

/** Uniform floats in [0, 1) from the project's seeded generator. */
export function rng(seed: number): () => number {
  const g = new Rng(seed);
  return () => g.next();
}

export type Rand = () => number;

export function randInt(r: Rand, n: number): number {
  return Math.floor(r() * n);
}

export function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[randInt(r, xs.length)] as T;
}

/** Labels of the random trees (`":number"` is added separately, as an inner node's scalar). */
export const LABELS: readonly string[] = ['a', 'b', 'c', 'x', 'dict-1', '10', '2'];
export const NUMBER_KEY = ':number';

/** A leaf value: zeros (often), small integers, and assorted real numbers of both signs. */
export function randLeaf(r: Rand): number {
  const k = randInt(r, 6);
  if (k === 0) return 0;
  if (k === 1) return randInt(r, 7) - 3; // includes 0
  if (k === 2) return (r() - 0.5) * 2;
  if (k === 3) return (r() - 0.5) * 1e-4;
  return (r() - 0.5) * 200;
}

export type Tree = { [key: string]: number | Tree };

/**
 * A random tree of depth at most `maxDepth` (root = depth 0). Inner nodes sometimes carry a
 * `":number"` scalar, sometimes are `{":number": x}` alone (the non-canonical spelling of a
 * leaf), sometimes are empty subtrees.
 */
export function randTree(r: Rand, maxDepth = 4, depth = 0): Tree {
  const t: Tree = {};
  const n = randInt(r, depth === 0 ? 5 : 4);
  if (r() < 0.3) t[NUMBER_KEY] = randLeaf(r);
  for (let i = 0; i < n; i++) {
    const key = pick(r, LABELS);
    if (depth + 1 < maxDepth && r() < 0.45) t[key] = randTree(r, maxDepth, depth + 1);
    else t[key] = randLeaf(r);
  }
  return t;
}

/** A deep copy whose keys are inserted in a shuffled order at every level. */
export function shuffledCopy(t: Tree, r: Rand): Tree {
  const keys = Object.keys(t);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = randInt(r, i + 1);
    [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
  }
  const out: Tree = {};
  for (const k of keys) {
    const c = t[k] as number | Tree;
    out[k] = typeof c === 'number' ? c : shuffledCopy(c, r);
  }
  return out;
}

/** A double from 64 random bits (all exponents, subnormals included), never NaN/±Infinity/−0. */
export function randBitsDouble(r: Rand): number {
  const buf = new DataView(new ArrayBuffer(8));
  for (;;) {
    buf.setUint32(0, Math.floor(r() * 4294967296));
    buf.setUint32(4, Math.floor(r() * 4294967296));
    const x = buf.getFloat64(0);
    if (Number.isFinite(x) && !Object.is(x, -0)) return x;
  }
}

/** A mix of doubles: raw bit patterns, tiny, huge, Float32-like decimals, plain fractions. */
export function randDouble(r: Rand): number {
  const k = randInt(r, 6);
  const sign = r() < 0.5 ? -1 : 1;
  switch (k) {
    case 0:
      return randBitsDouble(r);
    case 1:
      return sign * r() * 1e-4; // below the exponent-form threshold
    case 2:
      return sign * r() * Math.pow(10, randInt(r, 600) - 300);
    case 3:
      return Math.fround(sign * r() * 4); // a Float32 value, like the prototype's weights
    case 4:
      return sign * r();
    default:
      return sign * (r() * 1e22);
  }
}

/** A random canonical V-value of up to `maxLeaves` coordinates at depth ≤ `maxDepth`. */
export function randomVValue(g: Rng, maxLeaves = 8, maxDepth = 3, labels: readonly string[] = ['a', 'b', 'c', 'x', 'y']): VValue {
  const n = 1 + g.int(maxLeaves);
  const entries: [Path, number][] = [];
  for (let i = 0; i < n; i++) {
    const depth = g.int(maxDepth + 1);
    const path = Array.from({ length: depth }, () => labels[g.int(labels.length)] as string);
    entries.push([path, g.normal()]);
  }
  return fromLeaves(entries);
}
