/**
 * V-values: finite prefix trees with numeric leaves (spec §1).
 *
 * In memory a V-value is a plain object tree. The canonical form, produced by every
 * operation here and by the parser, is:
 *   - the root is always an object (zero is `{}`);
 *   - a child that would be `{":number": x}` alone is stored as the number `x`;
 *   - the reserved key `":number"` holds the scalar of an inner node and is always a number.
 * So `{"a": 5}` and `{"a": {":number": 5}}` are the same vector and both canonicalise to the
 * first form. Zero leaves may be present; no operation gives them meaning.
 *
 * A *path* is the list of labels from the root to a coordinate, with the trailing
 * `":number"` dropped: the root scalar has path `[]`, `{"a": 5}` has the coordinate `["a"]`.
 */

export const NUMBER_KEY = ':number';

export type VChild = number | VTree;
export interface VTree {
  readonly [key: string]: VChild;
}
/** A V-value. Always a tree at the top; `{}` is zero. */
export type VValue = VTree;

export type Path = readonly string[];

export const ZERO: VValue = Object.freeze({});

/** Mutable tree used while building results. */
type MTree = { [key: string]: number | MTree };

function isTree(c: VChild | undefined): c is VTree {
  return typeof c === 'object' && c !== null;
}

/**
 * The child stored under `key`, own properties only: labels are arbitrary strings, so
 * `constructor` or `__proto__` must be ordinary coordinates, never inherited members.
 */
export function own<T>(node: { readonly [key: string]: T }, key: string): T | undefined {
  return Object.hasOwn(node, key) ? node[key] : undefined;
}

/** Stores `value` under `key` as an own, enumerable property (safe for `__proto__`). */
export function setOwn<T>(node: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    node[key] = value;
  }
}

/** The child at `key` as a V-value: a number `x` becomes `{":number": x}`, missing is `{}`. */
export function child(v: VValue, key: string): VValue {
  const c = own(v, key);
  if (c === undefined || key === NUMBER_KEY) return ZERO;
  return typeof c === 'number' ? { [NUMBER_KEY]: c } : c;
}

/** Reads the scalar at `path` (zero when missing). */
export function get(v: VValue, path: Path): number {
  let node: VChild = v;
  for (const key of path) {
    if (!isTree(node)) return 0;
    const next: VChild | undefined = own(node, key);
    if (next === undefined) return 0;
    node = next;
  }
  if (typeof node === 'number') return node;
  const s = own(node, NUMBER_KEY);
  return typeof s === 'number' ? s : 0;
}

/** Every coordinate of `v` with its value, depth-first, in key order of the object. */
export function* leaves(v: VValue, prefix: string[] = []): Generator<[string[], number]> {
  for (const key of Object.keys(v)) {
    const c = v[key] as VChild;
    if (key === NUMBER_KEY) {
      yield [prefix.slice(), c as number];
    } else if (typeof c === 'number') {
      yield [[...prefix, key], c];
    } else {
      yield* leaves(c, [...prefix, key]);
    }
  }
}

/** Number of coordinates (leaves) stored in `v`, zero leaves included. */
export function leafCount(v: VValue): number {
  let n = 0;
  for (const key of Object.keys(v)) {
    const c = v[key] as VChild;
    n += typeof c === 'number' ? 1 : leafCount(c);
  }
  return n;
}

function setIn(t: MTree, path: Path, value: number, add: boolean): void {
  let node = t;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    const c: number | MTree | undefined = own(node, key);
    if (c === undefined) {
      const fresh: MTree = {};
      setOwn(node, key, fresh);
      node = fresh;
    } else if (typeof c === 'number') {
      const fresh: MTree = { [NUMBER_KEY]: c };
      setOwn(node, key, fresh);
      node = fresh;
    } else {
      node = c;
    }
  }
  const prev = own(node, NUMBER_KEY);
  node[NUMBER_KEY] = add && typeof prev === 'number' ? prev + value : value;
}

/** Collapses `{":number": x}`-only children into `x`; returns a canonical tree. */
function canonical(t: MTree): VValue {
  for (const key of Object.keys(t)) {
    const c = t[key] as number | MTree;
    if (typeof c === 'object') {
      const inner = canonical(c);
      const keys = Object.keys(inner);
      setOwn(t, key, keys.length === 1 && keys[0] === NUMBER_KEY ? (inner[NUMBER_KEY] as number) : inner);
    }
  }
  return t;
}

/** Builds a canonical V-value from coordinates; repeated paths are summed. */
export function fromLeaves(entries: Iterable<readonly [Path, number]>): VValue {
  const t: MTree = {};
  for (const [path, value] of entries) setIn(t, path, value, true);
  return canonical(t);
}

/** `{key: v}`: puts a V-value under one label. */
export function wrap(key: string, v: VValue): VValue {
  const keys = Object.keys(v);
  const out: { [key: string]: VChild } = {};
  setOwn(out, key, keys.length === 1 && keys[0] === NUMBER_KEY ? (v[NUMBER_KEY] as number) : v);
  return out;
}

/** The scalar `x` as a V-value: `{":number": x}`. */
export function scalar(x: number): VValue {
  return { [NUMBER_KEY]: x };
}

/** Σ cᵢ·vᵢ, pointwise on paths. */
export function linearCombination(terms: Iterable<readonly [number, VValue]>): VValue {
  const t: MTree = {};
  for (const [c, v] of terms) {
    if (c === 0) continue;
    for (const [path, x] of leaves(v)) setIn(t, path, c * x, true);
  }
  return canonical(t);
}

export function add(a: VValue, b: VValue): VValue {
  return linearCombination([
    [1, a],
    [1, b],
  ]);
}

export function scale(v: VValue, c: number): VValue {
  return linearCombination([[c, v]]);
}

/** Applies `f` to every leaf, keeping the shape. */
export function mapLeaves(v: VValue, f: (x: number, path: string[]) => number): VValue {
  return fromLeaves(Array.from(leaves(v), ([p, x]) => [p, f(x, p)] as const));
}

/** Sum of products over the paths both values share. */
export function dot(a: VValue, b: VValue): number {
  let s = 0;
  for (const [path, x] of leaves(a)) s += x * get(b, path);
  return s;
}

/** Largest |leaf| (zero for `{}`). */
export function maxNorm(v: VValue): number {
  let m = 0;
  for (const [, x] of leaves(v)) m = Math.max(m, Math.abs(x));
  return m;
}

/** Pointwise product (the mask product): non-zero only where both have a coordinate. */
export function mask(a: VValue, b: VValue): VValue {
  const out: [string[], number][] = [];
  for (const [path, x] of leaves(a)) {
    if (hasPath(b, path)) out.push([path, x * get(b, path)]);
  }
  return fromLeaves(out);
}

/** True when `path` is a stored coordinate of `v`. */
export function hasPath(v: VValue, path: Path): boolean {
  let node: VChild = v;
  for (const key of path) {
    if (!isTree(node)) return false;
    const next: VChild | undefined = own(node, key);
    if (next === undefined) return false;
    node = next;
  }
  return typeof node === 'number' || typeof own(node, NUMBER_KEY) === 'number';
}

/** Drops zero leaves and empty subtrees. */
export function prune(v: VValue): VValue {
  return fromLeaves(Array.from(leaves(v)).filter(([, x]) => x !== 0));
}

/** Equality as vectors: the same value at every path (missing = 0). */
export function vequal(a: VValue, b: VValue, tolerance = 0): boolean {
  for (const [path, x] of leaves(a)) if (Math.abs(x - get(b, path)) > tolerance) return false;
  for (const [path, y] of leaves(b)) if (Math.abs(y - get(a, path)) > tolerance) return false;
  return true;
}

/**
 * Stable key for a path, used to intern paths (labels may contain any character): each
 * label after a NUL, which splits back into the labels unless a label holds a NUL itself —
 * such a path gets its JSON text after a "J" instead (no NUL-form key starts with "J").
 * Cheaper than JSON for every path, and hot in the interpreter.
 */
export function pathKey(path: Path): string {
  let key = '';
  for (const label of path) {
    if (label.includes('\u0000')) return 'J' + JSON.stringify(path);
    key += '\u0000' + label;
  }
  return key;
}
