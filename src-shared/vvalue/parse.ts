/**
 * Parsing and validating V-values from JSON, with errors that name the offending path.
 * JSON text goes through the strict reader (io/checked-json.ts): a key given twice, bytes
 * that are not UTF-8, too large a file or too deep a nesting are refused with the path.
 */
import { JsonInputError, parseCheckedJson, type CheckedJsonOptions } from '../io/checked-json';
import { NUMBER_KEY, setOwn, type VChild, type VValue } from './vvalue';

/** Hard limit on nesting: a DMM matrix is rank 4, deep V-values in practice a few more. */
export const MAX_DEPTH = 64;

export class VValueError extends Error {
  /** JSONPath-like location, e.g. `$["norm-2-1"]["dict"]`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'VValueError';
    this.path = path;
  }
}

export function formatPath(labels: readonly string[]): string {
  return '$' + labels.map((l) => `[${JSON.stringify(l)}]`).join('');
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}`;
  if (typeof x === 'number') return String(x);
  return `a ${typeof x}`;
}

function parseChild(x: unknown, at: string[]): VChild {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new VValueError(formatPath(at), `leaf is ${x}; weights must be finite numbers`);
    return x;
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    throw new VValueError(formatPath(at), `expected a number or an object, found ${describe(x)}`);
  }
  const out: Record<string, VChild> = {};
  for (const key of Object.keys(x)) {
    const value = (x as Record<string, unknown>)[key];
    const here = [...at, key];
    if (key === NUMBER_KEY) {
      if (typeof value !== 'number') {
        throw new VValueError(formatPath(here), `"${NUMBER_KEY}" must hold a number, found ${describe(value)}`);
      }
      out[key] = parseChild(value, here);
      continue;
    }
    if (here.length > MAX_DEPTH) {
      throw new VValueError(formatPath(here), `nesting deeper than ${MAX_DEPTH} levels`);
    }
    const c = parseChild(value, here);
    if (typeof c === 'object') {
      const keys = Object.keys(c);
      // canonical form: {":number": x} alone collapses to x
      setOwn(out, key, keys.length === 1 && keys[0] === NUMBER_KEY ? (c[NUMBER_KEY] as number) : c);
    } else {
      setOwn(out, key, c);
    }
  }
  return out;
}

/** Validates a JavaScript value as a V-value and returns it in canonical form. */
export function parseVValue(x: unknown, root: readonly string[] = []): VValue {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    throw new VValueError(formatPath(root), `a V-value must be a JSON object, found ${describe(x)}`);
  }
  return parseChild(x, [...root]) as VValue;
}

/**
 * Parses JSON text (or UTF-8 bytes) into a V-value; syntax errors name the path, the line and
 * the column; duplicate keys, bytes that are not UTF-8, oversize input and absurd nesting are
 * refused (see io/checked-json.ts; `limits` overrides its size and depth limits).
 */
export function parseVValueJson(text: string | Uint8Array, source = 'input', limits: Omit<CheckedJsonOptions, 'source'> = {}): VValue {
  let data: unknown;
  try {
    // a V-value nests at most MAX_DEPTH levels: the reader stops right past that, without recursion
    data = parseCheckedJson(text, { maxDepth: MAX_DEPTH + 1, ...limits, source });
  } catch (e) {
    if (e instanceof JsonInputError) {
      const detail = e.message.replace(`${source}: ${e.path}: `, '');
      // a syntax error is about the text as a whole (its place is in the message); the others are about a value
      if (e.problem === 'syntax') throw new VValueError('$', `${source} is not valid JSON: ${e.path}: ${detail}`);
      throw new VValueError(e.path, detail);
    }
    throw e;
  }
  return parseVValue(data);
}
