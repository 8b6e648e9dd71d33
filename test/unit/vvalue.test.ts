// V-values (spec §1): canonical form, vector-space laws on seeded random trees, parsing
// with located errors, stable serialisation, and the PathLayout used by the engines.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_DEPTH, parseVValue, parseVValueJson, VValueError } from '../../src-shared/vvalue/parse';
import { PathLayout, ROOT } from '../../src-shared/vvalue/path-layout';
import { formatNumber, stringifyVValue } from '../../src-shared/vvalue/serialize';
import {
  add,
  child,
  dot,
  fromLeaves,
  get,
  hasPath,
  leafCount,
  leaves,
  linearCombination,
  mapLeaves,
  mask,
  maxNorm,
  prune,
  pathKey,
  scalar,
  scale,
  vequal,
  wrap,
  type VValue,
} from '../../src-shared/vvalue/vvalue';
import fc from 'fast-check';
import { arbDouble, arbLeaf, arbTree, shuffledCopy, type Tree } from '../helpers/vvalue-gen';

const N = 300; // random cases per property (fast-check draws them and shrinks a failure)

// ---------------------------------------------------------------------------------------
// Independent reference helpers (written here, not taken from the code under test)
// ---------------------------------------------------------------------------------------

type Entry = [string[], number];

/** Coordinates of a tree, walked independently: `":number"` at a node is the node's path. */
function refLeaves(t: Tree, prefix: string[] = []): Entry[] {
  const out: Entry[] = [];
  for (const k of Object.keys(t)) {
    const c = t[k] as number | Tree;
    if (k === ':number') out.push([prefix, c as number]);
    else if (typeof c === 'number') out.push([[...prefix, k], c]);
    else out.push(...refLeaves(c, [...prefix, k]));
  }
  return out;
}

const keyOf = (p: readonly string[]): string => JSON.stringify(p);

/** Path → value, built from the `leaves` generator. */
function leafMap(v: VValue): Map<string, number> {
  const m = new Map<string, number>();
  for (const [p, x] of leaves(v)) {
    const k = keyOf(p);
    if (m.has(k)) throw new Error(`leaves listed path ${k} twice`);
    m.set(k, x);
  }
  return m;
}

function sortedEntries(es: Iterable<readonly [readonly string[], number]>): [string, number][] {
  return Array.from(es, ([p, x]): [string, number] => [keyOf(p), x]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Canonical form: no child is `{":number": x}` alone, `":number"` always holds a number. */
function isCanonical(t: Tree, root = true): boolean {
  const keys = Object.keys(t);
  if (!root && keys.length === 1 && keys[0] === ':number') return false;
  for (const k of keys) {
    const c = t[k];
    if (k === ':number' && typeof c !== 'number') return false;
    if (typeof c === 'object' && !isCanonical(c, false)) return false;
  }
  return true;
}

function hasEmptySubtree(t: Tree): boolean {
  return Object.values(t).some((c) => typeof c === 'object' && (Object.keys(c).length === 0 || hasEmptySubtree(c)));
}

/** A copy of `a` with explicit zero leaves added at the coordinates of `z` that `a` lacks. */
function withZeros(a: Tree, z: Tree): Tree {
  const out: Tree = {};
  for (const k of Object.keys(a)) out[k] = a[k] as number | Tree;
  for (const k of Object.keys(z)) {
    const zc = z[k] as number | Tree;
    const ac = out[k];
    if (ac === undefined) out[k] = typeof zc === 'number' ? 0 : withZeros({}, zc);
    else if (typeof ac === 'object' && typeof zc === 'object') out[k] = withZeros(ac, zc);
    else if (typeof ac === 'number' && typeof zc === 'object') out[k] = withZeros({ ':number': ac }, zc);
    else if (typeof ac === 'object' && typeof zc === 'number' && !(':number' in ac)) out[k] = { ':number': 0, ...ac };
  }
  return out;
}

function expectVValueError(f: () => unknown, path: string, message: RegExp): VValueError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a VValueError to be thrown').toBeInstanceOf(VValueError);
  const e = err as VValueError;
  expect(e.path).toBe(path);
  expect(e.message).toMatch(message);
  expect(e.message.startsWith(path)).toBe(true);
  return e;
}

// ---------------------------------------------------------------------------------------

describe('canonical form', () => {
  it('{"a": 5} and {"a": {":number": 5}} are the same value with the same leaves', () => {
    const p = parseVValue({ a: 5 });
    const q = parseVValue({ a: { ':number': 5 } });
    expect(p).toEqual({ a: 5 });
    expect(q).toEqual({ a: 5 });
    expect(vequal(p, q)).toBe(true);
    expect([...leaves(p)]).toEqual([[['a'], 5]]);
    expect([...leaves(q)]).toEqual([[['a'], 5]]);
    expect(parseVValueJson('{"a": {":number": 5}}')).toEqual(parseVValueJson('{"a": 5}'));
    // also the raw (non-canonical) spelling has the same leaves
    expect([...leaves({ a: { ':number': 5 } })]).toEqual([[['a'], 5]]);
  });

  it('collapses {":number": x} alone at every depth but keeps scalars of inner nodes', () => {
    const v = parseVValue({ a: { ':number': 1, b: { ':number': 2 }, c: { d: { ':number': -3 } } } });
    expect(v).toEqual({ a: { ':number': 1, b: 2, c: { d: -3 } } });
    expect(isCanonical(v)).toBe(true);
  });

  it('parse of random trees is canonical and equal as a vector', () => {
    fc.assert(
      fc.property(arbTree(), (t) => {
        const v = parseVValue(t);
        expect(isCanonical(v)).toBe(true);
        expect(vequal(v, t)).toBe(true);
        expect(sortedEntries(leaves(v))).toEqual(sortedEntries(refLeaves(t)));
      }),
      { numRuns: N },
    );
  });

  it('get reads scalars at inner nodes; missing paths are 0', () => {
    const v = parseVValueJson('{ ":number": 3.5, "foo": { ":number": 2, "bar": 7 }, "baz": { "foo": { "bar": -4 } } }');
    expect(get(v, [])).toBe(3.5);
    expect(get(v, ['foo'])).toBe(2);
    expect(get(v, ['foo', 'bar'])).toBe(7);
    expect(get(v, ['baz'])).toBe(0);
    expect(get(v, ['baz', 'foo'])).toBe(0);
    expect(get(v, ['baz', 'foo', 'bar'])).toBe(-4);
    expect(get(v, ['nope'])).toBe(0);
    expect(get(v, ['foo', 'nope'])).toBe(0);
    expect(get(v, ['foo', 'bar', 'deeper'])).toBe(0);
    expect(get({}, [])).toBe(0);
    expect(get({}, ['a', 'b'])).toBe(0);
    // the same on the non-canonical spelling
    expect(get({ foo: { bar: { ':number': 7 } } }, ['foo', 'bar'])).toBe(7);
  });

  it('get agrees with every coordinate of random trees', () => {
    fc.assert(
      fc.property(arbTree(), (t) => {
        for (const [p, x] of refLeaves(t)) expect(get(t, p), `${keyOf(p)}`).toBe(x);
        expect(leafCount(t)).toBe(refLeaves(t).length);
      }),
      { numRuns: N },
    );
  });

  it('hasPath is true exactly on stored coordinates', () => {
    const v = parseVValue({ a: { b: 1, ':number': 0 }, c: { d: { e: 2 } } });
    expect(hasPath(v, ['a'])).toBe(true);
    expect(hasPath(v, ['a', 'b'])).toBe(true);
    expect(hasPath(v, ['c'])).toBe(false);
    expect(hasPath(v, ['c', 'd'])).toBe(false);
    expect(hasPath(v, ['c', 'd', 'e'])).toBe(true);
    expect(hasPath(v, ['x'])).toBe(false);
    expect(hasPath(v, ['a', 'b', 'c'])).toBe(false);
    expect(hasPath(v, [])).toBe(false);
    expect(hasPath({ ':number': 1 }, [])).toBe(true);
  });

  it('child of a number leaf is {":number": x}; child of a tree is the subtree; missing is {}', () => {
    const v = parseVValue({ a: 5, b: { ':number': 1, c: 2 } });
    expect(child(v, 'a')).toEqual({ ':number': 5 });
    expect(child(v, 'b')).toEqual({ ':number': 1, c: 2 });
    expect(child(v, 'zz')).toEqual({});
    expect(get(child(v, 'a'), [])).toBe(5);
    expect(child({ a: 0 }, 'a')).toEqual({ ':number': 0 });
  });

  it('wrap and scalar', () => {
    expect(scalar(2.5)).toEqual({ ':number': 2.5 });
    expect(wrap('k', scalar(3))).toEqual({ k: 3 });
    expect(wrap('k', { a: 1 })).toEqual({ k: { a: 1 } });
    expect(get(wrap('k', { ':number': 4, a: 1 }), ['k'])).toBe(4);
  });

  it('pathKey separates paths that differ only in how labels are split', () => {
    const ps: string[][] = [
      [],
      [''],
      ['', ''],
      ['a,b'],
      ['a', 'b'],
      ['ab'],
      ['"'],
      ['a"', 'b'],
      ['a', '"b'],
      [':number'],
      ['a\u0000b'],
      ['a', '\u0000b'],
      ['J'],
      ['J["a"]'],
    ];
    const keys = ps.map(pathKey);
    expect(new Set(keys).size).toBe(ps.length);
    expect(pathKey(['a', 'b'])).toBe(pathKey(['a', 'b'].slice()));
  });
});

describe('vector-space laws (seeded random V-values)', () => {
  it('a + b = b + a', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), (a, b) => {
        expect(vequal(add(a, b), add(b, a))).toBe(true);
      }),
      { numRuns: N },
    );
  });

  it('(a + b) + c = a + (b + c)', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), arbTree(), (a, b, c) => {
        expect(vequal(add(add(a, b), c), add(a, add(b, c)), 1e-9)).toBe(true);
      }),
      { numRuns: N },
    );
  });

  it('addition and linear combinations are pointwise on paths', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), arbLeaf, arbLeaf, (a, b, c1, c2) => {
        const lc = linearCombination([
          [c1, a],
          [c2, b],
        ]);
        const sum = add(a, b);
        const am = leafMap(a);
        const bm = leafMap(b);
        const all = new Set([...am.keys(), ...bm.keys(), ...leafMap(lc).keys(), ...leafMap(sum).keys()]);
        for (const k of all) {
          const p = JSON.parse(k) as string[];
          const x = am.get(k) ?? 0;
          const y = bm.get(k) ?? 0;
          expect(get(sum, p), `${k}`).toBe(x + y);
          expect(get(lc, p), `${k}`).toBeCloseTo(c1 * x + c2 * y, 9);
        }
        expect(isCanonical(sum)).toBe(true);
        expect(isCanonical(lc)).toBe(true);
      }),
      { numRuns: N },
    );
  });

  it('scaling distributes over addition and over scalar sums', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), arbLeaf, arbLeaf, (a, b, c, d) => {
        expect(vequal(scale(add(a, b), c), add(scale(a, c), scale(b, c)), 1e-9)).toBe(true);
        expect(vequal(scale(a, c + d), add(scale(a, c), scale(a, d)), 1e-9)).toBe(true);
        expect(vequal(scale(scale(a, c), d), scale(a, c * d), 1e-9)).toBe(true);
        expect(vequal(scale(a, 1), a)).toBe(true);
        expect(vequal(scale(a, 0), {})).toBe(true);
      }),
      { numRuns: N },
    );
  });

  it('a + (−1)·a is the zero vector', () => {
    fc.assert(
      fc.property(arbTree(), (a) => {
        const z = add(a, scale(a, -1));
        for (const [p, x] of leaves(z)) expect(x, `${keyOf(p)}`).toBe(0);
        expect(vequal(z, {})).toBe(true);
        expect(maxNorm(z)).toBe(0);
      }),
      { numRuns: N },
    );
  });

  it('mapLeaves keeps the shape and passes the path', () => {
    fc.assert(
      fc.property(arbTree(), (a) => {
        expect(
          vequal(
            mapLeaves(a, (x) => 2 * x),
            scale(a, 2),
          ),
        ).toBe(true);
        const seen: string[] = [];
        mapLeaves(a, (x, p) => {
          expect(get(a, p)).toBe(x);
          seen.push(keyOf(p));
          return x;
        });
        expect(seen.sort()).toEqual(sortedEntries(refLeaves(a)).map(([k]) => k));
      }),
      { numRuns: N },
    );
  });

  it('dot(a, b) is the sum of products over shared paths (computed from leaves)', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), (a, b) => {
        const bm = leafMap(b);
        let expected = 0;
        let sq = 0;
        for (const [p, x] of leaves(a)) {
          const y = bm.get(keyOf(p));
          if (y !== undefined) expected += x * y;
          sq += x * x;
        }
        expect(dot(a, b)).toBeCloseTo(expected, 9);
        expect(dot(b, a)).toBeCloseTo(expected, 9);
        expect(dot(a, a)).toBeGreaterThanOrEqual(0);
        expect(dot(a, a)).toBeCloseTo(sq, 9);
      }),
      { numRuns: N },
    );
  });

  it('maxNorm is the largest |leaf|', () => {
    fc.assert(
      fc.property(arbTree(), (a) => {
        const expected = refLeaves(a).reduce((m, [, x]) => Math.max(m, Math.abs(x)), 0);
        expect(maxNorm(a)).toBe(expected);
      }),
      { numRuns: N },
    );
    expect(maxNorm({})).toBe(0);
    expect(maxNorm({ a: -7, b: { ':number': 3 } })).toBe(7);
  });

  it('mask(a, b) is non-zero only on shared coordinates and equals the product there', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), (a, b) => {
        const am = leafMap(a);
        const bm = leafMap(b);
        const m = mask(a, b);
        for (const [p, x] of leaves(m)) {
          const k = keyOf(p);
          if (x !== 0) {
            expect(am.has(k) && bm.has(k), `${k}`).toBe(true);
          }
        }
        for (const [k, x] of am) {
          const p = JSON.parse(k) as string[];
          const y = bm.get(k);
          expect(get(m, p), `${k}`).toBe(y === undefined ? 0 : x * y);
        }
        for (const [k] of bm) {
          if (!am.has(k)) expect(get(m, JSON.parse(k) as string[]), `${k}`).toBe(0);
        }
        expect(isCanonical(m)).toBe(true);
      }),
      { numRuns: N },
    );
    expect(mask({ a: 2, b: { c: 3 } }, { a: 5, b: 7 })).toEqual({ a: 10 });
  });

  it('explicit zero leaves never change dot, maxNorm, add, mask or prune', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), arbTree(), (a, b, shapeSource) => {
        const a0 = withZeros(a, shapeSource);
        const b0 = withZeros(b, a); // zeros exactly where a has coordinates b lacks
        expect(leafCount(a0)).toBeGreaterThanOrEqual(leafCount(a));
        expect(vequal(a0, a)).toBe(true);
        expect(dot(a0, b)).toBe(dot(a, b));
        expect(dot(b, a0)).toBe(dot(b, a));
        expect(dot(a0, b0)).toBe(dot(a, b));
        expect(maxNorm(a0)).toBe(maxNorm(a));
        expect(vequal(add(a0, b), add(a, b))).toBe(true);
        expect(vequal(add(a0, b0), add(a, b))).toBe(true);
        expect(vequal(mask(a0, b), mask(a, b))).toBe(true);
        expect(vequal(mask(a0, b0), mask(a, b))).toBe(true);
        expect(sortedEntries(leaves(prune(a0)))).toEqual(sortedEntries(leaves(prune(a))));
      }),
      { numRuns: N },
    );
  });
});

describe('fromLeaves and prune', () => {
  it('fromLeaves(leaves(v)) reproduces v, bit for bit in every leaf', () => {
    fc.assert(
      fc.property(arbTree(), (t) => {
        const back = fromLeaves(leaves(t));
        expect(vequal(back, t)).toBe(true);
        expect(isCanonical(back)).toBe(true);
        expect(sortedEntries(leaves(back))).toEqual(sortedEntries(refLeaves(t)));
        const v = parseVValue(t);
        expect(vequal(fromLeaves(leaves(v)), v)).toBe(true);
      }),
      { numRuns: N },
    );
  });

  it('fromLeaves sums repeated paths and builds inner scalars', () => {
    const v = fromLeaves([
      [['a'], 1],
      [['a', 'b'], 2],
      [['a'], 0.5],
      [[], 3],
    ]);
    expect(v).toEqual({ ':number': 3, a: { ':number': 1.5, b: 2 } });
    expect(fromLeaves([])).toEqual({});
  });

  it('prune removes zero leaves (and empty subtrees) only', () => {
    fc.assert(
      fc.property(arbTree(), (t) => {
        const p = prune(t);
        const nonzero = refLeaves(t).filter(([, x]) => x !== 0);
        expect(sortedEntries(leaves(p))).toEqual(sortedEntries(nonzero));
        expect(vequal(p, t)).toBe(true);
        expect(hasEmptySubtree(p)).toBe(false);
      }),
      { numRuns: N },
    );
    expect(prune({ a: 0, b: { c: 0, ':number': 0 }, d: { e: {} }, f: -2 })).toEqual({ f: -2 });
  });
});

describe('parse errors name the offending path', () => {
  it.each<[string, unknown, RegExp]>([
    ['a number', 42, /must be a JSON object.*42/],
    ['an array', [1, 2], /must be a JSON object.*array/],
    ['null', null, /must be a JSON object.*null/],
    ['a string', 'abc', /must be a JSON object.*string "abc"/],
    ['a boolean', true, /must be a JSON object.*boolean/],
    ['undefined', undefined, /must be a JSON object.*undefined/],
  ])('top level: %s', (_name, x, msg) => {
    expectVValueError(() => parseVValue(x), '$', msg);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['an array leaf', { a: { b: [1] } }, '$["a"]["b"]', /expected a number or an object, found an array/],
    ['a null leaf', { a: { b: null } }, '$["a"]["b"]', /found null/],
    ['a string leaf', { a: { b: 'x' } }, '$["a"]["b"]', /found the string "x"/],
    ['a boolean leaf', { a: 1, b: { c: false } }, '$["b"]["c"]', /found a boolean/],
    ['":number" holding an object', { a: { ':number': { b: 1 } } }, '$["a"][":number"]', /":number" must hold a number.*object/],
    ['":number" holding a string', { ':number': '1' }, '$[":number"]', /":number" must hold a number.*string/],
    ['NaN', { a: { b: NaN } }, '$["a"]["b"]', /NaN.*finite/],
    ['Infinity', { a: Infinity }, '$["a"]', /Infinity.*finite/],
    ['-Infinity under ":number"', { a: { ':number': -Infinity } }, '$["a"][":number"]', /-Infinity.*finite/],
    ['an awkward label', { 'we"ird\n': [] }, '$["we\\"ird\\n"]', /array/],
  ])('%s', (_name, x, path, msg) => {
    expectVValueError(() => parseVValue(x), path, msg);
  });

  it('JSON text 1e400 is rejected as Infinity at its path', () => {
    expectVValueError(() => parseVValueJson('{"a": {"b": 1e400}}'), '$["a"]["b"]', /Infinity.*finite/);
    expectVValueError(() => parseVValueJson('{"a": {"c": 1, "b": -1e400}}'), '$["a"]["b"]', /-Infinity/);
    // large but finite is fine
    expect(get(parseVValueJson('{"a": 1.7976931348623157e308}'), ['a'])).toBe(Number.MAX_VALUE);
  });

  /** `{"k0": {"k1": … {"k<n-1>": 1} … }}`: a leaf at depth n. */
  const nested = (n: number): string => {
    let s = '1';
    for (let i = n - 1; i >= 0; i--) s = `{"k${i}": ${s}}`;
    return s;
  };
  const deepPath = (n: number): string => '$' + Array.from({ length: n }, (_, i) => `["k${i}"]`).join('');

  it(`accepts paths of up to MAX_DEPTH (${MAX_DEPTH}) labels and names the first label beyond`, () => {
    const ok = parseVValueJson(nested(MAX_DEPTH));
    expect(
      get(
        ok,
        Array.from({ length: MAX_DEPTH }, (_, i) => `k${i}`),
      ),
    ).toBe(1);
    // the same coordinate written as {":number": x} at the deepest level is accepted too
    const asScalar = parseVValueJson(nested(MAX_DEPTH).replace(/:1}/, ':{":number":1}}'));
    expect(
      get(
        asScalar,
        Array.from({ length: MAX_DEPTH }, (_, i) => `k${i}`),
      ),
    ).toBe(1);
    expectVValueError(() => parseVValueJson(nested(MAX_DEPTH + 1)), deepPath(MAX_DEPTH + 1), new RegExp(`deeper than ${MAX_DEPTH}`));
    expectVValueError(() => parseVValue(JSON.parse(nested(MAX_DEPTH + 5))), deepPath(MAX_DEPTH + 1), /deeper/);
  });

  it('absurd nesting (100 000 levels of JSON text) throws a VValueError, not a stack overflow', () => {
    const n = 100_000;
    const text = '{"k":'.repeat(n) + '1' + '}'.repeat(n);
    expectVValueError(() => parseVValueJson(text), '$' + '["k"]'.repeat(MAX_DEPTH + 1), /deeper than/);
    const arrays = '{"a":' + '['.repeat(n) + ']'.repeat(n) + '}';
    expectVValueError(() => parseVValueJson(arrays), '$["a"]' + '[0]'.repeat(MAX_DEPTH), /deeper than/);
    // within the reader's depth, an array is still not a V-value
    expectVValueError(() => parseVValueJson('{"a": [[1]]}'), '$["a"]', /array/);
  });

  // [text, line, column]: where the syntax error is (1-based)
  it.each<[string, string, number, number | null]>([
    ['missing comma between properties', '{"a": 1,\n "b": 2\n "c": 3}', 3, 2],
    ['missing colon', '{\n  "a" 1\n}', 2, 7],
    ['single-quoted key', "{\n'a': 1}", 2, 1],
    ['trailing comma', '{"a": 1,\n}', 2, 1],
    ['truncated object', '{"a": 1', 1, 8],
    ['text after the value', '{"a": 1}\n}', 2, 1],
    ['an unexpected character', '{\n  "a": 1,\n  "b": @\n}', 3, null],
    ['a misspelled literal', '{\n  "a": 1,\n  "b": tru\n}', 3, null],
    ['empty text', '', 1, null],
  ])('bad JSON text (%s) mentions line and column', (_name, text, line, column) => {
    const e = expectVValueError(() => parseVValueJson(text, 'test.json'), '$', /test\.json is not valid JSON/);
    expect(e.message).toMatch(column === null ? new RegExp(`line ${line}, column \\d+`) : new RegExp(`line ${line}, column ${column}\\b`));
  });
});

describe('serialisation', () => {
  it('is stable: the same value with keys inserted in any order gives identical text', () => {
    const one = stringifyVValue({ b: 1, a: { d: 2, c: 3 }, '10': 4, '2': 5 });
    const two = stringifyVValue({ '2': 5, a: { c: 3, d: 2 }, b: 1, '10': 4 });
    expect(one).toBe(two);
    expect(one).toBe('{"10":4,"2":5,"a":{"c":3,"d":2},"b":1}');
    fc.assert(
      fc.property(arbTree(), fc.integer(), (t, order) => {
        const u = shuffledCopy(t, order);
        expect(stringifyVValue(parseVValue(u))).toBe(stringifyVValue(parseVValue(t)));
        expect(stringifyVValue(parseVValue(u), '  ')).toBe(stringifyVValue(parseVValue(t), '  '));
      }),
      { numRuns: N },
    );
  });

  it('parse(stringify(v)) equals v for random trees (compact and indented)', () => {
    fc.assert(
      fc.property(arbTree(), (vTree) => {
        const v = parseVValue(vTree);
        for (const indent of ['', '  ', '\t']) {
          const back = parseVValueJson(stringifyVValue(v, indent));
          expect(vequal(back, v)).toBe(true);
          expect(back).toEqual(v);
        }
      }),
      { numRuns: N },
    );
  });

  it('round-trips random doubles bit-identically', () => {
    const xs: number[] = [2.5452267e-5, -2.5452267e-5, 1e-5, 9.99e-5, 1e-4, 0.000111958456, 5e-324, -5e-324];
    xs.push(Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 2.2250738585072014e-308, 1e21, 1e-7, 0.1 + 0.2);
    xs.push(1 / 3, Math.PI, 123456789012345680000, 0.5, -0.0076840892, 1.7976931348623157e308);
    xs.push(...fc.sample(arbDouble, { numRuns: 20000, seed: 20240607 }));
    // a flat value and a nested one, so numbers appear at several depths and under ":number"
    const flat: Record<string, number> = {};
    const nestedV: Record<string, Record<string, number>> = {};
    xs.forEach((x, i) => {
      flat[`k${i}`] = x;
      (nestedV[`g${i % 37}`] ??= {})[i % 5 === 0 ? ':number' : `k${i}`] = x;
    });
    for (const v of [flat, nestedV] as VValue[]) {
      for (const indent of ['', '  ']) {
        const back = parseVValueJson(stringifyVValue(v, indent));
        const bm = leafMap(back);
        const vm = leafMap(v);
        expect(bm.size).toBe(vm.size);
        for (const [k, x] of vm) {
          const y = bm.get(k);
          if (!Object.is(y, x)) expect.fail(`${k}: wrote ${x} (${formatNumber(x)}), read back ${y}`);
        }
      }
    }
    for (const x of xs) {
      const s = formatNumber(x);
      expect(Object.is(Number(s), x), `${x} → ${s}`).toBe(true);
      expect(Object.is(JSON.parse(s), x), `${s} is a JSON number`).toBe(true);
    }
  });

  /** Significant digits of a decimal text (no sign, point, exponent, leading/trailing zeros). */
  const sig = (s: string): string => (s.replace(/^-/, '').split(/e/i)[0] as string).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');

  it('formatNumber writes the shortest digits, exponent form below 1e-4 (Julia style)', () => {
    expect(formatNumber(2.5452267e-5)).toBe('2.5452267e-5');
    expect(formatNumber(-2.5452267e-5)).toBe('-2.5452267e-5');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(-0.46103984)).toBe('-0.46103984');
    expect(formatNumber(1e-5)).toBe('1e-5');
    expect(formatNumber(9.9999e-5)).toBe('9.9999e-5');
    expect(formatNumber(1e-4)).toBe('0.0001');
    expect(formatNumber(0.000111958456)).toBe('0.000111958456');
    expect(formatNumber(5e-324)).toBe('5e-324');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(-123456)).toBe('-123456');
    expect(formatNumber(1e21)).toBe('1e21');
    fc.assert(
      fc.property(arbDouble, (x) => {
        const s = formatNumber(x);
        expect(sig(s), `${x} → ${s}`).toBe(sig(String(x)));
        const a = Math.abs(x);
        if (a > 0 && a < 1e-4) expect(s, `${x}`).toMatch(/^-?\d(\.\d+)?e-\d+$/);
        else if (a >= 1e-4 && a < 1e21) expect(s, `${x}`).not.toMatch(/e/);
      }),
      { numRuns: 5000 },
    );
  });

  it('formatNumber refuses NaN and ±Infinity', () => {
    expect(() => formatNumber(NaN)).toThrow(RangeError);
    expect(() => formatNumber(Infinity)).toThrow(RangeError);
    expect(() => formatNumber(-Infinity)).toThrow(RangeError);
  });

  it('−0 reads back as −0 (bit-identical), and as a vector it is zero', () => {
    const back = parseVValueJson(stringifyVValue({ a: -0 }));
    expect(vequal(back, {})).toBe(true);
    expect(Object.is(get(back, ['a']), -0)).toBe(true);
  });
});

describe('PathLayout', () => {
  it('interns paths to consecutive indices; indexOf is -1 for unknown paths', () => {
    const l = new PathLayout();
    expect(l.size).toBe(0);
    expect(l.intern(ROOT)).toBe(0);
    expect(l.intern(['a'])).toBe(1);
    expect(l.intern(['a', 'b'])).toBe(2);
    expect(l.intern(['a,b'])).toBe(3);
    expect(l.intern(['a'])).toBe(1);
    expect(l.intern(['a', 'b'].slice())).toBe(2);
    expect(l.size).toBe(4);
    expect(l.indexOf([])).toBe(0);
    expect(l.indexOf(['a', 'b'])).toBe(2);
    expect(l.indexOf(['a,b'])).toBe(3);
    expect(l.indexOf(['b'])).toBe(-1);
    expect(l.indexOf(['ab'])).toBe(-1);
    expect(l.indexOf(['a', 'b', 'c'])).toBe(-1);
    expect(l.path(2)).toEqual(['a', 'b']);
    expect(l.paths()).toEqual([[], ['a'], ['a', 'b'], ['a,b']]);
    expect(() => l.path(4)).toThrow(RangeError);
    expect(() => l.path(-1)).toThrow(RangeError);
    // interning copies the path
    const p = ['x'];
    const i = l.intern(p);
    p[0] = 'y';
    expect(l.path(i)).toEqual(['x']);
    expect(new PathLayout([['a'], ['b'], ['a']]).size).toBe(2);
  });

  it('write then read gives back the value (random V-values, with an offset)', () => {
    fc.assert(
      fc.property(arbTree(), arbTree(), fc.integer({ min: 3, max: 7 }), (vTree, extraTree, offset) => {
        const v = parseVValue(vTree);
        const extra = parseVValue(extraTree);
        const layout = new PathLayout([...Array.from(leaves(extra), ([p]) => p), ...Array.from(leaves(v), ([p]) => p)]);
        const buf = new Float64Array(offset + layout.size + 4).fill(NaN);
        buf.fill(0, offset, offset + layout.size);
        layout.write(v, buf, offset);
        for (const [p, x] of leaves(v)) expect(buf[offset + layout.indexOf(p)]).toBe(x);
        // nothing outside the slice is touched
        for (let i = 0; i < offset; i++) expect(buf[i]).toBeNaN();
        for (let i = offset + layout.size; i < buf.length; i++) expect(buf[i]).toBeNaN();
        const back = layout.read(buf, offset);
        expect(vequal(back, v)).toBe(true);
        expect(sortedEntries(leaves(back))).toEqual(sortedEntries(refLeaves(v).filter(([, x]) => x !== 0)));
        // read with explicit indices keeps zeros
        const all = layout.read(
          buf,
          offset,
          layout.paths().map((_, i) => i),
        );
        expect(leafCount(all)).toBe(layout.size);
        expect(vequal(all, v)).toBe(true);
        // write adds into the slice
        layout.write(v, buf, offset);
        expect(vequal(layout.read(buf, offset), scale(v, 2))).toBe(true);
      }),
      { numRuns: N },
    );
  });

  it('write refuses a coordinate outside the layout', () => {
    const l = new PathLayout([['a']]);
    expect(() => l.write({ a: 1, b: 2 }, new Float64Array(2), 0)).toThrow(RangeError);
    expect(() => l.write({ a: { c: 1 } }, new Float64Array(2), 0)).toThrow(/\["a","c"\]/);
  });
});

// Labels are arbitrary strings (spec §1), including names that JavaScript objects inherit.
describe('labels that are Object.prototype property names', () => {
  const suspects: object[] = [
    Object.prototype,
    Object,
    Function.prototype,
    Object.prototype.toString,
    Object.prototype.valueOf,
    Object.prototype.hasOwnProperty,
  ];
  const polluted = (): boolean => suspects.some((o) => Object.prototype.hasOwnProperty.call(o, ':number'));
  const cleanup = (): void => {
    for (const o of suspects) delete (o as Record<string, unknown>)[':number'];
  };
  afterEach(cleanup);

  it('fromLeaves / add / scale keep coordinates named constructor, toString, valueOf', () => {
    const v = fromLeaves([
      [['constructor'], 1],
      [['toString'], 2],
      [['x', 'valueOf'], 3],
    ]);
    expect.soft(polluted(), 'fromLeaves wrote ":number" onto a built-in object').toBe(false);
    cleanup(); // so that get() below cannot read a polluted built-in
    expect.soft(leafCount(v)).toBe(3);
    expect.soft(get(v, ['constructor'])).toBe(1);
    expect.soft(get(v, ['toString'])).toBe(2);
    expect.soft(get(v, ['x', 'valueOf'])).toBe(3);
    const a = parseVValue({ constructor: 1, hasOwnProperty: 2 });
    expect.soft(leafCount(a)).toBe(2);
    const s = add(a, a);
    expect.soft(polluted(), 'add wrote ":number" onto a built-in object').toBe(false);
    cleanup();
    expect.soft(get(s, ['constructor'])).toBe(2);
    expect.soft(get(s, ['hasOwnProperty'])).toBe(4);
    expect.soft(vequal(scale(a, 1), a)).toBe(true);
    expect.soft(polluted(), 'scale wrote ":number" onto a built-in object').toBe(false);
  });

  it('parse keeps a "__proto__" label as an ordinary coordinate', () => {
    const v = parseVValueJson('{"__proto__": {"a": 1}, "b": 2}');
    expect.soft(leafCount(v)).toBe(2);
    expect.soft(get(v, ['__proto__', 'a'])).toBe(1);
    expect.soft(get(v, ['a'])).toBe(0); // must not be inherited through a replaced prototype
    expect.soft(leafCount(parseVValueJson('{"__proto__": 3}'))).toBe(1);
  });

  it('add keeps a "__proto__" coordinate and does not touch Object.prototype', () => {
    const x = JSON.parse('{"__proto__": 3, "b": 1}') as VValue;
    const s = add(x, {});
    expect.soft(polluted(), 'add wrote ":number" onto Object.prototype').toBe(false);
    cleanup();
    expect.soft(get(s, ['__proto__'])).toBe(3);
    expect.soft(get({}, [])).toBe(0);
  });
});
