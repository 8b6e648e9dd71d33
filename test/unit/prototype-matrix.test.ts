// The 2022 Julia prototype's matrix files (spec §7): import, inferred neurons and hard links,
// a round trip that preserves every numeric token, and rejection of malformed files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exportPrototypeMatrix, importPrototypeMatrix, inferNeuronType } from '../../src-shared/io/prototype-matrix';
import { linkLabel, matrixLinks } from '../../src-shared/machine/spec';
import { MAX_DEPTH, VValueError } from '../../src-shared/vvalue/parse';

const DIR = fileURLToPath(new URL('../../resources/circuits/julia-dmm-lite/', import.meta.url));

/** Soft-link counts from the fixture README / spec §7 (not derived from the code under test). */
const FIXTURES: ReadonlyArray<readonly [string, number]> = [
  ['initial-matrix.json', 1486],
  ['2500-steps-matrix.json', 1486],
  ['sparse16-after-2500-steps-matrix.json', 109],
  ['sparse18-after-100-steps-matrix.json', 27],
  ['sparse19-after-500-steps-matrix.json', 23],
  ['sparse20-after-200-steps-matrix.json', 19],
  ['sparse21-after-2000-steps-matrix.json', 17],
  ['compare-free-16-params-matrix.json', 16],
];

const text = (file: string): string => readFileSync(join(DIR, file), 'utf8');

// ---------------------------------------------------------------------------------------
// A minimal JSON tokenizer: the raw text of every number token, with the path of keys to it.
// ---------------------------------------------------------------------------------------

interface NumberToken {
  readonly path: string[];
  readonly raw: string;
}

function numberTokens(src: string): NumberToken[] {
  let i = 0;
  const out: NumberToken[] = [];
  const ws = (): void => {
    while (i < src.length && ' \t\n\r'.includes(src[i] as string)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`tokenizer: ${what} at offset ${i}`);
  };
  const str = (): string => {
    if (src[i] !== '"') fail('expected a string');
    const start = i++;
    while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
    if (i >= src.length) fail('unterminated string');
    i++;
    return JSON.parse(src.slice(start, i)) as string;
  };
  const value = (path: string[]): void => {
    ws();
    const c = src[i];
    if (c === '{') {
      i++;
      ws();
      const seen = new Set<string>();
      if (src[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        if (seen.has(key)) fail(`duplicate key ${JSON.stringify(key)}`);
        seen.add(key);
        ws();
        if (src[i] !== ':') fail('expected ":"');
        i++;
        value([...path, key]);
        ws();
        if (src[i] === ',') {
          i++;
          continue;
        }
        if (src[i] === '}') {
          i++;
          return;
        }
        fail('expected "," or "}"');
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(src.slice(i, i + 64));
    if (!m) fail('expected an object or a number');
    out.push({ path, raw: (m as RegExpExecArray)[0] });
    i += (m as RegExpExecArray)[0].length;
  };
  value([]);
  ws();
  if (i !== src.length) fail('trailing text');
  return out;
}

const keyOf = (p: readonly string[]): string => JSON.stringify(p);

/** The number leaves of a plain JSON value, counted independently of the code under test. */
function countLeaves(x: unknown): number {
  if (typeof x === 'number') return 1;
  if (typeof x === 'object' && x !== null) return Object.values(x).reduce((n: number, c) => n + countLeaves(c), 0);
  return 0;
}

/** Neuron names as they appear in a raw file: targets (depth 1) and sources (depth 3). */
function namesInFile(raw: Record<string, Record<string, Record<string, unknown>>>): Set<string> {
  const names = new Set<string>();
  for (const to of Object.keys(raw)) {
    names.add(to);
    for (const port of Object.values(raw[to] ?? {})) for (const from of Object.keys(port)) names.add(from);
  }
  return names;
}

/** The type a prototype name denotes, by the naming rule of spec §5 (test's own version). */
function expectedType(name: string): string {
  const m = /^(accum|norm|dot|compare)-\d+-\d+$/.exec(name);
  if (m) return m[1] as string;
  if (['timer', 'input', 'const_1', 'eos', 'output'].includes(name)) return name;
  throw new Error(`fixture names an unexpected neuron ${name}`);
}

function expectVValueError(f: () => unknown, path: string, message: RegExp): VValueError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a VValueError').toBeInstanceOf(VValueError);
  const e = err as VValueError;
  expect(e.path).toBe(path);
  expect(e.message).toMatch(message);
  expect(e.message).toContain(path);
  return e;
}

// ---------------------------------------------------------------------------------------

describe('the fixture files', () => {
  it('are exactly the eight files of the README', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(FIXTURES.map(([f]) => f).sort());
  });

  it.each(FIXTURES)('%s: raw JSON has %i weights, and so do the imported soft links', (file, n) => {
    const src = text(file);
    expect(countLeaves(JSON.parse(src))).toBe(n);
    const tokens = numberTokens(src);
    expect(tokens.length).toBe(n);
    expect(tokens.every((t) => t.path.length === 4)).toBe(true);
    const spec = importPrototypeMatrix(src);
    expect(matrixLinks(spec.trainable).length).toBe(n);
    // every weight imported bit-identically from its token
    const links = new Map(matrixLinks(spec.trainable).map((l) => [keyOf([l.to, l.toPort, l.from, l.fromPort]), l.weight]));
    for (const t of tokens) expect(links.get(keyOf(t.path)), keyOf(t.path)).toBe(Number(t.raw));
  });
});

describe('inferred neurons and hard links', () => {
  it.each(FIXTURES)('%s: the neuron set is the base neurons plus every named neuron, with its type', (file) => {
    const src = text(file);
    const spec = importPrototypeMatrix(src);
    const byName = new Map(spec.neurons.map((n) => [n.name, n.type]));
    expect(byName.size, 'neuron names are unique').toBe(spec.neurons.length);
    for (const base of ['timer', 'input', 'const_1', 'eos', 'output']) expect(byName.get(base), base).toBe(base);
    const named = namesInFile(JSON.parse(src) as Record<string, Record<string, Record<string, unknown>>>);
    for (const name of named) expect(byName.get(name), name).toBe(expectedType(name));
    expect(new Set(byName.keys())).toEqual(new Set([...named, 'timer', 'input', 'const_1', 'eos', 'output']));
  });

  it('names map to types (accum-1-2, compare-3-1, dot-2-2, norm-4-1 in the initial matrix)', () => {
    const spec = importPrototypeMatrix(text('initial-matrix.json'));
    const byName = new Map(spec.neurons.map((n) => [n.name, n.type]));
    expect(byName.get('accum-1-2')).toBe('accum');
    expect(byName.get('compare-3-1')).toBe('compare');
    expect(byName.get('dot-2-2')).toBe('dot');
    expect(byName.get('norm-4-1')).toBe('norm');
    // the reference architecture: L = 5 layers × K = 2 copies × 4 types
    expect(spec.neurons.length).toBe(5 + 5 * 2 * 4);
    expect(inferNeuronType('accum-1-2')).toBe('accum');
    expect(inferNeuronType('const_1')).toBe('const_1');
    expect(inferNeuronType('foo-1-1')).toBeUndefined();
    expect(inferNeuronType('timer-1-1')).toBeUndefined();
    expect(inferNeuronType('const_1-1-1')).toBeUndefined();
  });

  it('compare-free-16 has no compare neuron', () => {
    const spec = importPrototypeMatrix(text('compare-free-16-params-matrix.json'));
    expect(spec.neurons.some((n) => n.type === 'compare')).toBe(false);
  });

  it.each(FIXTURES)('%s: the fixed matrix is exactly the hard links, all of weight 1', (file) => {
    const spec = importPrototypeMatrix(text(file));
    const accums = spec.neurons.filter((n) => n.type === 'accum').map((n) => n.name);
    const expected = ['timer.timer ← timer.timer', 'input.timer ← timer.timer', ...accums.map((x) => `${x}.dict-1 ← ${x}.dict`)].sort();
    const fixed = matrixLinks(spec.fixed);
    expect(fixed.map(linkLabel).sort()).toEqual(expected);
    for (const l of fixed) expect(l.weight, linkLabel(l)).toBe(1);
    // no hard link is also a soft link
    const soft = new Set(matrixLinks(spec.trainable).map(linkLabel));
    for (const l of fixed) expect(soft.has(linkLabel(l)), linkLabel(l)).toBe(false);
  });
});

describe('round trip', () => {
  it.each(FIXTURES)('%s: export then import gives the same links, bit-identical weights', (file) => {
    const spec = importPrototypeMatrix(text(file));
    const out = exportPrototypeMatrix(spec.trainable);
    const again = importPrototypeMatrix(out);
    const a = matrixLinks(spec.trainable);
    const b = matrixLinks(again.trainable);
    expect(b.map(linkLabel)).toEqual(a.map(linkLabel));
    a.forEach((l, i) => {
      const w = (b[i] as (typeof b)[number]).weight;
      if (!Object.is(w, l.weight)) expect.fail(`${linkLabel(l)}: ${l.weight} became ${w}`);
    });
    expect(again.neurons).toEqual(spec.neurons);
    // exporting is stable
    expect(exportPrototypeMatrix(again.trainable)).toBe(out);
  });

  it.each(FIXTURES)('%s: every exported number token is the same string as in the original file', (file) => {
    const src = text(file);
    const original = new Map(numberTokens(src).map((t) => [keyOf(t.path), t.raw]));
    const exported = numberTokens(exportPrototypeMatrix(importPrototypeMatrix(src).trainable));
    expect(exported.length).toBe(original.size);
    const mismatches: string[] = [];
    for (const t of exported) {
      const o = original.get(keyOf(t.path));
      if (o !== t.raw) mismatches.push(`${keyOf(t.path)}: original ${o}, exported ${t.raw}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('the tokenizer sees raw text (sanity check of the test itself)', () => {
    expect(numberTokens('{"a": {"b": 1.50, "c": 2.5e-5}}')).toEqual([
      { path: ['a', 'b'], raw: '1.50' },
      { path: ['a', 'c'], raw: '2.5e-5' },
    ]);
    expect(() => numberTokens('{"a": 1, "a": 2}')).toThrow(/duplicate/);
  });
});

describe('rejection, with a message naming the path', () => {
  const ok = (w: string): string => `{"norm-1-1": {"dict": {"input": {"char": ${w}}}}}`;

  it('accepts a minimal well-formed file (control)', () => {
    const spec = importPrototypeMatrix(ok('0.5'));
    expect(matrixLinks(spec.trainable).map(linkLabel)).toEqual(['norm-1-1.dict ← input.char']);
    // the {":number": w} spelling of a weight is the same weight
    const spec2 = importPrototypeMatrix(ok('{":number": 0.5}'));
    expect(matrixLinks(spec2.trainable)).toEqual(matrixLinks(spec.trainable));
  });

  it('bad JSON text', () => {
    const src = text('sparse20-after-200-steps-matrix.json');
    expectVValueError(() => importPrototypeMatrix(src.slice(0, 500), 'm.json'), '$', /m\.json is not valid JSON.*line 14, column 20/);
    expectVValueError(() => importPrototypeMatrix(src.replace('"char": -0.46103984', '"char" -0.46103984')), '$', /not valid JSON.*line 8/);
  });

  it('a string leaf', () => {
    expectVValueError(
      () => importPrototypeMatrix('{"norm-1-1": {"dict": {"input": {"char": "x"}}}}'),
      '$["norm-1-1"]["dict"]["input"]["char"]',
      /string "x"/,
    );
  });

  it('other non-numeric leaves', () => {
    expectVValueError(() => importPrototypeMatrix(ok('null')), '$["norm-1-1"]["dict"]["input"]["char"]', /null/);
    expectVValueError(() => importPrototypeMatrix(ok('[1]')), '$["norm-1-1"]["dict"]["input"]["char"]', /array/);
    expectVValueError(() => importPrototypeMatrix(ok('true')), '$["norm-1-1"]["dict"]["input"]["char"]', /boolean/);
    expectVValueError(() => importPrototypeMatrix('[]'), '$', /object/);
  });

  it('a weight at depth 3 (and at depths 1, 2, 5)', () => {
    expectVValueError(
      () => importPrototypeMatrix('{"norm-1-1": {"dict": {"input": 0.5}}}'),
      '$["norm-1-1"]["dict"]["input"]',
      /depth 4.*depth 3/,
    );
    expectVValueError(() => importPrototypeMatrix('{"norm-1-1": 0.5}'), '$["norm-1-1"]', /depth 1/);
    expectVValueError(() => importPrototypeMatrix('{"norm-1-1": {"dict": 0.5}}'), '$["norm-1-1"]["dict"]', /depth 2/);
    expectVValueError(() => importPrototypeMatrix(ok('{"x": 0.5}')), '$["norm-1-1"]["dict"]["input"]["char"]["x"]', /depth 5/);
    expectVValueError(() => importPrototypeMatrix('{":number": 1}'), '$', /depth 0/);
  });

  it('an unknown neuron type prefix as target', () => {
    expectVValueError(
      () => importPrototypeMatrix('{"foo-1-1": {"dict": {"input": {"char": 1}}}}'),
      '$["foo-1-1"]',
      /unknown neuron type.*"foo-1-1"/,
    );
  });

  it('an unknown neuron type prefix as source', () => {
    expectVValueError(
      () => importPrototypeMatrix('{"norm-1-1": {"dict": {"foo-1-1": {"char": 1}}}}'),
      '$["norm-1-1"]["dict"]["foo-1-1"]',
      /unknown neuron type.*"foo-1-1"/,
    );
  });

  it('an unknown input port (norm-1-1.dictx) and an unknown output port', () => {
    expectVValueError(
      () => importPrototypeMatrix('{"norm-1-1": {"dictx": {"input": {"char": 1}}}}'),
      '$["norm-1-1"]["dictx"]',
      /norm neuron "norm-1-1" has no input port "dictx"/,
    );
    expectVValueError(
      () => importPrototypeMatrix('{"norm-1-1": {"dict": {"input": {"chr": 1}}}}'),
      '$["norm-1-1"]["dict"]["input"]["chr"]',
      /input neuron "input" has no output port "chr"/,
    );
    expectVValueError(
      () => importPrototypeMatrix('{"norm-1-1": {"dict": {"output": {"dict-1": 1}}}}'),
      '$["norm-1-1"]["dict"]["output"]["dict-1"]',
      /no output port/,
    );
  });

  it('a huge number 1e400 in JSON text', () => {
    expectVValueError(() => importPrototypeMatrix(ok('1e400')), '$["norm-1-1"]["dict"]["input"]["char"]', /Infinity/);
    expectVValueError(() => importPrototypeMatrix(ok('-1e400')), '$["norm-1-1"]["dict"]["input"]["char"]', /-Infinity/);
  });

  it('absurd nesting (depth 100 000 JSON text) throws a VValueError, not a stack overflow', () => {
    const n = 100_000;
    const deep = '{"norm-1-1":'.repeat(n) + '1' + '}'.repeat(n);
    let err: unknown;
    try {
      importPrototypeMatrix(deep);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VValueError);
    expect((err as VValueError).path.startsWith('$["norm-1-1"]')).toBe(true);
    expect((err as VValueError).message).toMatch(/deeper than/);
  });

  it('a truncated file a million levels deep says where it stopped, not "Maximum call stack size exceeded"', () => {
    const e = expectVValueError(
      () => importPrototypeMatrix('{"norm-1-1":'.repeat(1_000_000), 'deep.json'),
      '$' + '["norm-1-1"]'.repeat(MAX_DEPTH + 1),
      /^\$(\["norm-1-1"\])+: nesting deeper than 65 levels/,
    );
    expect(e.message).not.toMatch(/call stack/);
  });

  it('a key given twice is refused with its path and both lines (a neuron given twice would otherwise lose links)', () => {
    const src = '{\n "norm-1-1": {"dict": {"input": {"char": 1}}},\n "norm-1-1": {"dict": {"const_1": {"const_1": 2}}}\n}';
    expectVValueError(
      () => importPrototypeMatrix(src, 'twice.json'),
      '$["norm-1-1"]',
      /^\$\["norm-1-1"\]: the key "norm-1-1" is given twice \(first on line 2\).*line 3/,
    );
    const weight = '{"norm-1-1": {"dict": {"input": {"char": 0.0015, "char": 7.2e8}}}}';
    expectVValueError(() => importPrototypeMatrix(weight), '$["norm-1-1"]["dict"]["input"]["char"]', /given twice/);
  });

  it('bytes that are not UTF-8 are refused with the path of the string, not read as U+FFFD', () => {
    const bytes = Uint8Array.from([...Buffer.from('{"norm-1-1": {"dict": {"inp'), 0xff, 0xfe, ...Buffer.from('ut": {"char": 1}}}}')]);
    expectVValueError(
      () => importPrototypeMatrix(bytes, 'latin.json'),
      '$["norm-1-1"]["dict"]',
      /^\$\["norm-1-1"\]\["dict"\]: bytes that are not UTF-8 in this string/,
    );
    // the same file, valid UTF-8 with a byte order mark, is read
    const good = Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"norm-1-1": {"dict": {"input": {"char": 1}}}}')]);
    expect(matrixLinks(importPrototypeMatrix(good).trainable)).toHaveLength(1);
    expect(matrixLinks(importPrototypeMatrix('\ufeff{"norm-1-1": {"dict": {"input": {"char": 1}}}}').trainable)).toHaveLength(1);
  });

  it('a file over the size limit is refused, saying the limit', () => {
    const src = text('initial-matrix.json');
    expectVValueError(
      () => importPrototypeMatrix(src, 'big.json', { maxBytes: 1024 }),
      '$',
      /^\$: big\.json is \d+(\.\d)? (MiB|bytes), more than the limit of 1024 bytes/,
    );
  });

  it.each([
    ['target', '{"__proto__": {"dict": {"input": {"char": 1}}}}', '$["__proto__"]'],
    ['source', '{"norm-1-1": {"dict": {"__proto__": {"char": 1}}}}', '$["norm-1-1"]["dict"]["__proto__"]'],
  ])('"__proto__" is not a neuron name (as %s)', (_where, src, path) => {
    // today the weight silently disappears (0 soft links) instead of being rejected
    expectVValueError(() => importPrototypeMatrix(src), path, /unknown neuron type/);
  });
});
