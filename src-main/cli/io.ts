/**
 * File and terminal plumbing shared by the CLI commands.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { prototypeMatrixSpec } from '../../src-shared/io/prototype-matrix';
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
 * A matrix file (the prototype's format) as a machine of `problem` (default: the duplicate
 * detector): neurons named by the teacher or as generated `<type>-<layer>-<copy>`, plus the
 * problem's fixed neurons and hard links.
 */
export function readMatrixFile(file: string, problem?: Problem): MachineSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read matrix file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const data = parseVValueJson(text, file);
    if (!problem || problem.name === DUPLICATES) return prototypeMatrixSpec(data);
    return prototypeMatrixSpec(data, frameOf(problem), problem.search.pushDepth);
  } catch (e) {
    throw new UserError(`${file} is not ${problem ? `a matrix of problem ${problem.name}` : 'a DMM-lite matrix'}: ${(e as Error).message}`);
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

export function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
    }
    return raw as T;
  };
}
