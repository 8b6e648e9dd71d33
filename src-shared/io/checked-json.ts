/**
 * A strict JSON reader for files that people hand to the lab (matrix files, schedules,
 * editor documents, run exports). Unlike `JSON.parse` it refuses, naming the JSON path and
 * the line:
 *
 * - a key given twice in one object (JSON readers disagree on which one counts, so a
 *   matrix with a neuron given twice must not silently lose links or change weights);
 * - bytes that are not UTF-8 (instead of turning them into U+FFFD, which becomes a stray
 *   neuron name);
 * - input over a size limit (default 64 MiB) and nesting deeper than a limit (default 256),
 *   checked without recursion, so a truncated million-deep file gets a message rather than
 *   "Maximum call stack size exceeded".
 *
 * A UTF-8 byte order mark at the start is accepted. The grammar is RFC 8259's. Objects are
 * plain objects whose keys are set as own properties (a key `__proto__` is just a key).
 */

export const DEFAULT_MAX_JSON_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = 256;

export interface CheckedJsonOptions {
  /** Largest input accepted, in bytes of UTF-8 (default 64 MiB). */
  readonly maxBytes?: number;
  /** Deepest nesting of objects and arrays accepted (default 256). */
  readonly maxDepth?: number;
  /** What the input is, for messages (e.g. `matrix file m.json`; default `input`). */
  readonly source?: string;
}

export type JsonInputProblem = 'syntax' | 'duplicate-key' | 'not-utf8' | 'too-large' | 'too-deep';

export class JsonInputError extends Error {
  constructor(
    readonly problem: JsonInputProblem,
    /** JSONPath-like location, e.g. `$["dot-1-1"]["dict-1"]` (`$` for the whole input). */
    readonly path: string,
    /** 1-based line and column of the offending character (0 when it is about the whole input). */
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
    this.name = 'JsonInputError';
  }
}

const MiB = 1024 * 1024;
const describeBytes = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB` : `${n} bytes`);

export function formatJsonPath(labels: readonly (string | number)[]): string {
  return '$' + labels.map((l) => (typeof l === 'number' ? `[${l}]` : `[${JSON.stringify(l)}]`)).join('');
}

/** UTF-8 bytes as a string; the character offsets where a byte sequence was not UTF-8 (each became U+FFFD). */
function decodeUtf8(bytes: Uint8Array): { text: string; invalid: number[] } {
  const invalid: number[] = [];
  const units: number[] = [];
  const parts: string[] = [];
  let length = 0;
  const push = (u: number) => {
    units.push(u);
    length++;
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units.length = 0;
    }
  };
  const bad = () => {
    invalid.push(length);
    push(0xfffd);
  };
  const cont = (i: number) => i < bytes.length && ((bytes[i] as number) & 0xc0) === 0x80;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      push(b);
      i++;
    } else if (b >= 0xc2 && b <= 0xdf && cont(i + 1)) {
      push(((b & 0x1f) << 6) | ((bytes[i + 1] as number) & 0x3f));
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef && cont(i + 1) && cont(i + 2)) {
      const cp = ((b & 0x0f) << 12) | (((bytes[i + 1] as number) & 0x3f) << 6) | ((bytes[i + 2] as number) & 0x3f);
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) {
        bad(); // overlong, or a surrogate
        i++;
      } else {
        push(cp);
        i += 3;
      }
    } else if (b >= 0xf0 && b <= 0xf4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      const cp =
        ((b & 0x07) << 18) |
        (((bytes[i + 1] as number) & 0x3f) << 12) |
        (((bytes[i + 2] as number) & 0x3f) << 6) |
        ((bytes[i + 3] as number) & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) {
        bad();
        i++;
      } else {
        const v = cp - 0x10000;
        push(0xd800 + (v >> 10));
        push(0xdc00 + (v & 0x3ff));
        i += 4;
      }
    } else {
      bad();
      i++;
    }
  }
  parts.push(String.fromCharCode(...units));
  return { text: parts.join(''), invalid };
}

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

type Frame =
  | {
      kind: 'object';
      value: Record<string, unknown>;
      seen: Map<string, number>;
      key: string | undefined;
      label: string | number | undefined;
    }
  | { kind: 'array'; value: unknown[]; label: string | number | undefined };

/** Parses JSON text (a string, or UTF-8 bytes) strictly; throws JsonInputError naming the path and line. */
export function parseCheckedJson(input: string | Uint8Array, opts: CheckedJsonOptions = {}): unknown {
  const source = opts.source ?? 'input';
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const size = typeof input === 'string' ? utf8Length(input) : input.length;
  if (size > maxBytes)
    throw new JsonInputError(
      'too-large',
      '$',
      0,
      0,
      `${source} is ${describeBytes(size)}, more than the limit of ${describeBytes(maxBytes)}`,
    );
  let text: string;
  let invalid: number[] = [];
  if (typeof input === 'string') text = input;
  else ({ text, invalid } = decodeUtf8(input));
  let invalidAt = 0; // next entry of `invalid` not yet passed
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte order mark is fine

  const stack: Frame[] = [];
  const pathHere = (extra?: string | number): (string | number)[] => {
    const labels: (string | number)[] = [];
    for (const f of stack.slice(1).map((f) => f.label)) if (f !== undefined) labels.push(f);
    const top = stack[stack.length - 1];
    if (top) {
      if (top.kind === 'object' && top.key !== undefined) labels.push(top.key);
      if (top.kind === 'array') labels.push(top.value.length);
    }
    if (extra !== undefined) labels.push(extra);
    return labels;
  };
  const lineCol = (at: number): [number, number] => {
    let line = 1;
    let lastNl = -1;
    for (let i = 0; i < at && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lastNl = i;
      }
    }
    return [line, at - lastNl];
  };
  const fail = (at: number, what: string, labels: (string | number)[] = pathHere(), problem: JsonInputProblem = 'syntax'): never => {
    const [line, column] = lineCol(at);
    const path = formatJsonPath(labels);
    throw new JsonInputError(problem, path, line, column, `${source}: ${path}: ${what} (line ${line}, column ${column})`);
  };
  const invalidBetween = (from: number, to: number): number | undefined => {
    while (invalidAt < invalid.length && (invalid[invalidAt] as number) < from) invalidAt++;
    const at = invalid[invalidAt];
    return at !== undefined && at < to ? at : undefined;
  };
  /** A character where it does not belong: bytes that are not UTF-8 are named as such. */
  const unexpected = (at: number, what: string): never => {
    if (invalidBetween(at, at + 1) !== undefined)
      return fail(at, 'bytes that are not UTF-8 (the file must be UTF-8 text)', pathHere(), 'not-utf8');
    return fail(at, what);
  };

  const skipWs = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else return;
    }
  };

  const readString = (): string => {
    // text[pos] is the opening quote
    const start = pos;
    pos++;
    let out = '';
    let chunk = pos;
    for (;;) {
      if (pos >= text.length) fail(start, 'unterminated string');
      const c = text.charCodeAt(pos);
      if (c === 34) {
        out += text.slice(chunk, pos);
        pos++;
        break;
      }
      if (c < 0x20) fail(pos, 'control character in a string (write it as an escape, e.g. \\n)');
      if (c === 92) {
        out += text.slice(chunk, pos);
        const e = text.charCodeAt(pos + 1);
        const simple: Record<number, string> = { 34: '"', 92: '\\', 47: '/', 98: '\b', 102: '\f', 110: '\n', 114: '\r', 116: '\t' };
        if (simple[e] !== undefined) {
          out += simple[e];
          pos += 2;
        } else if (e === 117) {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(pos, 'bad \\u escape (four hex digits expected)');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else fail(pos, 'bad escape in a string');
        chunk = pos;
        continue;
      }
      pos++;
    }
    const bad = invalidBetween(start, pos);
    if (bad !== undefined) fail(bad, 'bytes that are not UTF-8 in this string (the file must be UTF-8 text)', pathHere(), 'not-utf8');
    return out;
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const readScalar = (): unknown => {
    const c = text.charCodeAt(pos);
    if (c === 34) return readString();
    if (c === 45 || (c >= 48 && c <= 57)) {
      NUMBER.lastIndex = pos;
      const m = NUMBER.exec(text);
      if (!m) return fail(pos, 'malformed number');
      pos += m[0].length;
      return Number(m[0]);
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    if (pos >= text.length) return fail(pos, 'the input ends where a value is expected (truncated?)');
    if (invalidBetween(pos, pos + 1) !== undefined)
      return fail(pos, 'bytes that are not UTF-8 (the file must be UTF-8 text)', pathHere(), 'not-utf8');
    return fail(pos, `unexpected ${JSON.stringify(text[pos])} where a value is expected`);
  };

  let root: unknown;
  let done = false;
  /** Puts a finished value into the open object or array, or makes it the root. */
  const attach = (v: unknown): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = v;
      done = true;
    } else if (top.kind === 'array') top.value.push(v);
    else Object.defineProperty(top.value, top.key as string, { value: v, enumerable: true, writable: true, configurable: true });
  };
  const open = (frame: Frame): void => {
    if (stack.length >= maxDepth) fail(pos, `nesting deeper than ${maxDepth} levels`, pathHere(), 'too-deep');
    stack.push(frame);
  };
  const label = (): string | number | undefined => {
    const top = stack[stack.length - 1];
    return top === undefined ? undefined : top.kind === 'array' ? top.value.length : top.key;
  };

  // each turn reads one value start, or closes/continues the innermost object or array
  let expectValue = true;
  while (!done) {
    skipWs();
    if (expectValue) {
      const c = text.charCodeAt(pos);
      if (c === 123) {
        open({ kind: 'object', value: {}, seen: new Map(), key: undefined, label: label() });
        pos++;
        skipWs();
        if (text.charCodeAt(pos) === 125) {
          pos++;
          const f = stack.pop() as Frame;
          attach(f.value);
          expectValue = false;
          continue;
        }
        readKey();
        continue;
      }
      if (c === 91) {
        open({ kind: 'array', value: [], label: label() });
        pos++;
        skipWs();
        if (text.charCodeAt(pos) === 93) {
          pos++;
          const f = stack.pop() as Frame;
          attach(f.value);
          expectValue = false;
          continue;
        }
        continue;
      }
      attach(readScalar());
      expectValue = false;
      continue;
    }
    // after a value inside an object or array
    const top = stack[stack.length - 1] as Frame;
    const c = text.charCodeAt(pos);
    if (c === 44) {
      pos++;
      if (top.kind === 'object') {
        skipWs();
        readKey();
      } else expectValue = true;
    } else if ((c === 125 && top.kind === 'object') || (c === 93 && top.kind === 'array')) {
      pos++;
      stack.pop();
      attach(top.value);
    } else if (pos >= text.length) {
      fail(pos, `the input ends inside ${top.kind === 'object' ? 'an object' : 'an array'} (truncated?)`);
    } else {
      unexpected(pos, `expected ${top.kind === 'object' ? '"," or "}"' : '"," or "]"'}, found ${JSON.stringify(text[pos])}`);
    }
  }
  skipWs();
  if (pos < text.length) unexpected(pos, `unexpected ${JSON.stringify(text[pos])} after the end of the JSON value`);
  return root;

  /** Reads `"key":` of the innermost object (refusing a key it already has) and expects its value. */
  function readKey(): void {
    const top = stack[stack.length - 1] as Extract<Frame, { kind: 'object' }>;
    top.key = undefined; // errors from here on are about the object, not its previous key
    if (text.charCodeAt(pos) !== 34) {
      if (pos >= text.length) fail(pos, 'the input ends inside an object (truncated?)');
      unexpected(pos, `expected a key in double quotes, found ${JSON.stringify(text[pos])}`);
    }
    const at = pos;
    const key = readString();
    const first = top.seen.get(key);
    if (first !== undefined) {
      const [line] = lineCol(first);
      fail(
        at,
        `the key ${JSON.stringify(key)} is given twice (first on line ${line}); JSON readers disagree on which one counts`,
        pathHere(key),
        'duplicate-key',
      );
    }
    top.seen.set(key, at);
    top.key = key;
    skipWs();
    if (text.charCodeAt(pos) !== 58) fail(pos, `expected ":" after the key ${JSON.stringify(key)}`);
    pos++;
    expectValue = true;
  }
}
