/**
 * File and terminal plumbing shared by the CLI commands.
 */
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { ENGINES } from '../../src-shared/machine/engine-choice';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { acquireLabLock, LabLockedError } from '../lab/lab-lock';
import { requireLabFile } from '../store/identify';
import { DEFAULT_MAX_JSON_BYTES, JsonInputError, parseCheckedJson } from '../../src-shared/io/checked-json';
import { readPrototypeMatrix, type IgnoredLink } from '../../src-shared/io/prototype-matrix';
import { linkLabel } from '../../src-shared/machine/spec';
import type { MachineSpec } from '../../src-shared/machine/spec';
import { DUPLICATES } from '../../src-shared/problems/builtin/index';
import type { Problem } from '../../src-shared/problems/problem';
import { frameOf } from '../../src-shared/problems/problem-frame';
import { parseVValueJson } from '../../src-shared/vvalue/parse';

/** An error whose message is all the user needs (no stack trace). */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * A file's bytes, refused before reading when larger than `maxBytes` (a multi-gigabyte file
 * must not be read into memory only to be refused).
 */
export function readFileBytes(file: string, what: string, maxBytes = DEFAULT_MAX_JSON_BYTES): Uint8Array {
  try {
    const size = statSync(file).size;
    if (size > maxBytes)
      throw new UserError(`${what} ${file} is ${(size / MiB).toFixed(1)} MiB, more than the limit of ${(maxBytes / MiB).toFixed(0)} MiB`);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const MiB = 1024 * 1024;

/** A JSON file read strictly (io/checked-json.ts: no duplicate keys, UTF-8, bounded size and depth). */
export function readJsonFile(file: string, what: string, maxBytes = DEFAULT_MAX_JSON_BYTES): unknown {
  const bytes = readFileBytes(file, what, maxBytes);
  const source = `${what} ${file}`;
  try {
    return parseCheckedJson(bytes, { source, maxBytes });
  } catch (e) {
    if (!(e instanceof JsonInputError)) throw e;
    throw new UserError(e.problem === 'syntax' ? `${source} is not valid JSON: ${e.message.slice(source.length + 2)}` : e.message);
  }
}

/**
 * A matrix file (the prototype's format) as a machine of `problem` (default: the duplicate
 * detector): neurons named by the teacher or as generated `<type>-<layer>-<copy>`, plus the
 * problem's fixed neurons and hard links.
 */
export function readMatrixFile(file: string, problem?: Problem): MachineSpec {
  const bytes = readFileBytes(file, 'matrix file');
  try {
    const data = parseVValueJson(bytes, file);
    const { spec, ignored } =
      !problem || problem.name === DUPLICATES
        ? readPrototypeMatrix(data)
        : readPrototypeMatrix(data, frameOf(problem), problem.search.pushDepth);
    if (ignored.length) process.stderr.write(ignoredLinksNote(file, ignored) + '\n');
    return spec;
  } catch (e) {
    throw new UserError(`${file} is not ${problem ? `a matrix of problem ${problem.name}` : 'a DMM-lite matrix'}: ${(e as Error).message}`);
  }
}

/** What a matrix file's ignored links were, for stderr: how many, why, and the first few by name. */
export function ignoredLinksNote(file: string, ignored: readonly IgnoredLink[]): string {
  const reasons = new Map<string, number>();
  for (const i of ignored) {
    const r = /has no (input|output) port/.exec(i.reason) ? `to or from a port its neuron's type does not have` : i.reason;
    reasons.set(r, (reasons.get(r) ?? 0) + 1);
  }
  const why = [...reasons].map(([r, n]) => `${n} × ${r}`).join('; ');
  const shown = ignored.slice(0, 5).map((i) => linkLabel(i.link));
  return `${file}: ignored ${ignored.length} links the machine cannot use (${why}): ${shown.join(', ')}${ignored.length > 5 ? ', …' : ''}`;
}

/**
 * Runs `f` holding the database's writer lock (lab-lock.ts): a command that writes to a lab
 * database is refused while a lab (or another writing command) has it open.
 */
export function withWriterLock<T>(db: string, holder: string, f: () => T): T {
  const release = takeWriterLock(db, holder);
  try {
    return f();
  } finally {
    release();
  }
}

/** The database's writer lock for a command (UserError naming the holder when it is taken); returns its release. */
export function takeWriterLock(db: string, holder: string): () => void {
  // a file that is not a lab database (or a newer one) is refused before a lock file is written beside it
  try {
    requireLabFile(db);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  try {
    return acquireLabLock(db, { holder });
  } catch (e) {
    if (e instanceof LabLockedError)
      throw new UserError(
        `${e.message.replace(/; close that one first.*$/, '')}: a command that writes to it waits until it is closed ` +
          '(to add runs to an open lab, import them there: File → Import)',
      );
    throw e;
  }
}

export function writeTextFile(file: string, text: string): string {
  const full = resolve(file);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}

/** One JSON object per line on stdout. */
export function printJson(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// ---- option parsers (commander calls them with the raw string) ----

export function positiveInt(name: string) {
  return (raw: string): number => {
    const v = Number(raw);
    if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < 1) {
      throw new InvalidArgumentError(`${name} must be a positive integer, got "${raw}"`);
    }
    return v;
  };
}

export function nonNegativeNumber(name: string) {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v < 0) {
      throw new InvalidArgumentError(`${name} must be a finite number ≥ 0, got "${raw}"`);
    }
    return v;
  };
}

export function positiveNumber(name: string) {
  return (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) {
      throw new InvalidArgumentError(`${name} must be a finite number > 0, got "${raw}"`);
    }
    return v;
  };
}

export function nonEmptyString(name: string) {
  return (raw: string): string => {
    if (raw.length === 0) throw new InvalidArgumentError(`${name} must not be empty`);
    return raw;
  };
}

/** `--engine <name>`: which engine computes losses and gradients. */
export const engineOption = [
  '--engine <name>',
  `${ENGINES.join(' | ')} (default fast: WebAssembly; compiled is the reference engine)`,
  oneOf('--engine', ENGINES),
  'fast',
] as const;

/** Says on stderr when the fast engine was asked for but the machine needs the compiled one. */
export function noteFallback(loss: { readonly fastUnsupported: string | undefined }): void {
  if (loss.fastUnsupported) process.stderr.write(`note: ${loss.fastUnsupported}: running on the compiled engine\n`);
}

export function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
}
