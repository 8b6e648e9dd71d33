/**
 * The strict JSON reader (src-shared/io/checked-json.ts): on valid JSON it agrees with
 * JSON.parse (random documents, random strings, text and UTF-8 bytes); it refuses what
 * JSON.parse lets through — a key given twice, bytes that are not UTF-8 — and bounds size
 * and depth without recursion, each time naming the path, line and column.
 */
import { describe, expect, it } from 'vitest';
import { JsonInputError, parseCheckedJson } from '../../src-shared/io/checked-json';
import fc from 'fast-check';

const CHARS = ['a', 'z', ' ', '"', '\\', '/', '\n', '\t', '\u0001', 'é', '€', '𝄞', '\u2028', '💡', '\u00ff', '\ufeff'];

const arbString = fc.array(fc.constantFrom(...CHARS), { maxLength: 7 }).map((cs) => cs.join(''));
const arbNumber = fc.constantFrom(0, -0, 1, -1.5, 1e-300, 6.02e23, 123456789012, 0.1 + 0.2, -7e-7);
const arbJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    arbNumber,
    arbString,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(arbString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

function failure(f: () => unknown): JsonInputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(JsonInputError);
    return e as JsonInputError;
  }
  throw new Error('no error');
}

describe('parseCheckedJson on valid JSON', () => {
  it('agrees with JSON.parse on random documents, as text and as UTF-8 bytes, indented or not', () => {
    fc.assert(
      fc.property(arbJson, (v) => {
        for (const text of [JSON.stringify(v), JSON.stringify(v, null, 2)]) {
          expect(parseCheckedJson(text)).toEqual(JSON.parse(text));
          expect(parseCheckedJson(Buffer.from(text, 'utf8'))).toEqual(JSON.parse(text));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads escapes, a byte order mark, and "__proto__" as an ordinary key', () => {
    expect(parseCheckedJson('"\\u00e9\\ud834\\udd1e\\/\\b\\f\\n\\r\\t\\"\\\\"')).toBe('é𝄞/\b\f\n\r\t"\\');
    expect(parseCheckedJson(Uint8Array.from([0xef, 0xbb, 0xbf, 0x5b, 0x31, 0x5d]))).toEqual([1]);
    expect(parseCheckedJson('\ufeff{"a": 1}')).toEqual({ a: 1 });
    const o = parseCheckedJson('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('parseCheckedJson refuses, naming where', () => {
  it('a key given twice, at any depth, with both lines', () => {
    const e = failure(() => parseCheckedJson('{"a": {\n "b": 1,\n "c": [{"d": 1, "d": 2}],\n "b": 3}}', { source: 'f.json' }));
    expect(e.problem).toBe('duplicate-key');
    expect(e.path).toBe('$["a"]["c"][0]["d"]');
    const e2 = failure(() => parseCheckedJson('{"a": {\n "b": 1,\n "c": 2,\n "b": 3}}', { source: 'f.json' }));
    expect(e2.path).toBe('$["a"]["b"]');
    expect(e2.message).toMatch(/^f\.json: \$\["a"\]\["b"\]: the key "b" is given twice \(first on line 2\).*\(line 4, column 2\)$/);
  });

  it('bytes that are not UTF-8: stray, truncated, overlong, a surrogate, beyond U+10FFFF', () => {
    const wrap = (bad: number[]) => Uint8Array.from([...Buffer.from('{"k": ["ok", "x'), ...bad, ...Buffer.from('y"]}')]);
    for (const bad of [
      [0xff],
      [0x80],
      [0xc3],
      [0xe2, 0x82],
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      const e = failure(() => parseCheckedJson(wrap(bad)));
      expect(e.problem, bad.join(' ')).toBe('not-utf8');
      expect(e.path).toBe('$["k"][1]');
    }
    // outside a string too, and in a key
    expect(failure(() => parseCheckedJson(Uint8Array.from([0x7b, 0xff, 0x7d]))).problem).toBe('not-utf8');
    expect(failure(() => parseCheckedJson(Uint8Array.from([...Buffer.from('{"a'), 0xfe, ...Buffer.from('": 1}')]))).path).toBe('$');
  });

  it('syntax errors with line and column', () => {
    const cases: [string, string, number, number][] = [
      ['{"a": 1,\n "b": 2\n "c": 3}', '$["b"]', 3, 2],
      ['{"a": 1,}', '$', 1, 9],
      ['[1, 2', '$[2]', 1, 6],
      ["{'a': 1}", '$', 1, 2],
      ['{"a": tru}', '$["a"]', 1, 7],
      ['{"a": 01}', '$["a"]', 1, 8],
      ['{"a": "x\ny"}', '$["a"]', 1, 9],
      ['[1] 2', '$', 1, 5],
      ['', '$', 1, 1],
      ['{"a": NaN}', '$["a"]', 1, 7],
    ];
    for (const [text, path, line, column] of cases) {
      const e = failure(() => parseCheckedJson(text));
      expect(e.problem, text).toBe('syntax');
      expect([e.path, e.line, e.column], text).toEqual([path, line, column]);
    }
  });

  it('input over the size limit, before reading it', () => {
    const e = failure(() => parseCheckedJson('[' + '1,'.repeat(600) + '1]', { maxBytes: 1000, source: 'm.json' }));
    expect(e.problem).toBe('too-large');
    expect(e.message).toBe('m.json is 1203 bytes, more than the limit of 1000 bytes');
    expect(failure(() => parseCheckedJson(new Uint8Array(65 * 1024 * 1024))).message).toMatch(/65 MiB, more than the limit of 64 MiB/);
  });

  it('nesting past the limit, even a truncated million levels deep, without recursion', () => {
    const e = failure(() => parseCheckedJson('['.repeat(1_000_000)));
    expect(e.problem).toBe('too-deep');
    expect(e.message).toMatch(/nesting deeper than 256 levels/);
    expect(parseCheckedJson('['.repeat(256) + ']'.repeat(256))).toBeInstanceOf(Array);
    expect(failure(() => parseCheckedJson('{"a":'.repeat(5) + '1' + '}'.repeat(5), { maxDepth: 4 })).path).toBe('$["a"]["a"]["a"]["a"]');
  });
});
