/**
 * fast-check arbitraries for property tests of V-values and doubles. fast-check draws the
 * cases, shrinks a failing one to a small counterexample and prints the seed that
 * reproduces it (`fc.assert(…, { seed, path })`).
 */
import fc from 'fast-check';
import { fromLeaves, type Path, type VValue } from '../../src-shared/vvalue/vvalue';

/** Labels of the random trees (`":number"` is added separately, as an inner node's scalar). */
export const LABELS: readonly string[] = ['a', 'b', 'c', 'x', 'dict-1', '10', '2'];
export const NUMBER_KEY = ':number';

export type Tree = { [key: string]: number | Tree };

/** A leaf value: zeros (often), small integers, and assorted real numbers of both signs (never −0: it has its own test). */
export const arbLeaf: fc.Arbitrary<number> = fc
  .oneof(
    fc.constant(0),
    fc.integer({ min: -3, max: 3 }),
    fc.double({ min: -1, max: 1, noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -5e-5, max: 5e-5, noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }),
  )
  .map((x) => x + 0);

/**
 * A random tree of depth at most `maxDepth` (root = depth 0). Inner nodes sometimes carry a
 * `":number"` scalar, sometimes are `{":number": x}` alone (the non-canonical spelling of a
 * leaf), sometimes are empty subtrees.
 */
export function arbTree(maxDepth = 4): fc.Arbitrary<Tree> {
  const node = (depth: number): fc.Arbitrary<Tree> => {
    const child: fc.Arbitrary<number | Tree> =
      depth + 1 < maxDepth ? fc.oneof({ weight: 11, arbitrary: arbLeaf }, { weight: 9, arbitrary: node(depth + 1) }) : arbLeaf;
    return fc
      .record(
        {
          scalar: fc.option(arbLeaf, { freq: 2 }),
          entries: fc.array(fc.tuple(fc.constantFrom(...LABELS), child), { maxLength: depth === 0 ? 4 : 3 }),
        },
        { requiredKeys: ['scalar', 'entries'] },
      )
      .map(({ scalar, entries }) => {
        const t: Tree = {};
        if (scalar !== null) t[NUMBER_KEY] = scalar;
        for (const [k, v] of entries) t[k] = v;
        return t;
      });
  };
  return node(0);
}

/** A deep copy whose keys are inserted in a shuffled order at every level (`seed` picks the order). */
export function shuffledCopy(t: Tree, seed: number): Tree {
  let s = seed >>> 0 || 1;
  const next = (n: number): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
  const copy = (x: Tree): Tree => {
    const keys = Object.keys(x);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = next(i + 1);
      [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
    }
    const out: Tree = {};
    for (const k of keys) {
      const c = x[k] as number | Tree;
      out[k] = typeof c === 'number' ? c : copy(c);
    }
    return out;
  };
  return copy(t);
}

/** A mix of doubles: any finite bit pattern (subnormals included, never −0), tiny, huge, Float32-like, plain fractions. */
export const arbDouble: fc.Arbitrary<number> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.double({ min: -1e-4, max: 1e-4, noNaN: true }).filter((x) => !Object.is(x, -0)),
  fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: -300, max: 299 })).map(([m, e]) => m * Math.pow(10, e) || 0),
  fc.float({ min: -4, max: 4, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.double({ min: -1, max: 1, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.double({ min: -1e22, max: 1e22, noNaN: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
);

/** A random canonical V-value of 1 to `maxLeaves` coordinates at depth ≤ `maxDepth`, leaves in [−3, 3]. */
export function arbVValue(maxLeaves = 8, maxDepth = 3, labels: readonly string[] = ['a', 'b', 'c', 'x', 'y']): fc.Arbitrary<VValue> {
  // evenly spread on a 1e-3 grid, without fast-check's bias to edge values: central differences
  // (step 1e-6) never straddle a kink by accident, and an exact tie is a tie the engine defines
  const leaf = fc.noBias(fc.integer({ min: -3000, max: 3000 })).map((i) => i / 1000);
  const entry = fc.tuple(fc.array(fc.constantFrom(...labels), { maxLength: maxDepth }), leaf);
  return fc
    .array(entry, { minLength: 1, maxLength: maxLeaves })
    .map((entries) => fromLeaves(entries.map(([p, x]) => [p as Path, x + 0] as [Path, number])));
}
