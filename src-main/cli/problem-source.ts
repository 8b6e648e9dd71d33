/**
 * Where the command line finds problems: the lab database given with --db (its built-ins,
 * imported problems and every version), else the built-in problems alone — a command never
 * opens (and so never migrates) a database it was not given.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ApiError } from '../../src-shared/api/dispatch';
import type { ProblemInfo } from '../../src-shared/api/records';
import { builtinProblem, builtinProblems } from '../../src-shared/problems/builtin/index';
import { teacherSoftLinks, type Problem } from '../../src-shared/problems/problem';
import { RunStore } from '../store/run-store';
import { UserError } from './io';

export interface FoundProblem {
  readonly problem: Problem;
  readonly version: number;
  readonly info: ProblemInfo;
}

export interface ProblemSource {
  /** Where the problems come from, in words. */
  readonly where: string;
  readonly store: RunStore | undefined;
  list(): ProblemInfo[];
  get(name: string, version?: number): FoundProblem;
  close(): void;
}

function builtinInfo(p: Problem): ProblemInfo {
  return {
    id: p.name,
    name: p.name,
    description: p.description,
    version: 1,
    versions: 1,
    input: p.input.kind,
    outputs: p.outputs.map((o) => ({ neuron: o.neuron, port: o.port, compare: o.compare, under: [...o.under] })),
    teacherLinks: teacherSoftLinks(p),
    builtin: true,
    createdAt: 0,
  };
}

export function openStoreFile(file: string, create: boolean): RunStore {
  const full = resolve(file);
  if (!create && !existsSync(full)) throw new UserError(`no lab database at ${full}`);
  if (create) mkdirSync(dirname(full), { recursive: true });
  try {
    return RunStore.open(full);
  } catch (e) {
    throw new UserError(`cannot open the lab database ${full}: ${(e as Error).message}`);
  }
}

function storeSource(store: RunStore, where: string): ProblemSource {
  const wrap = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ApiError) throw new UserError(e.message);
      throw e;
    }
  };
  return {
    where,
    store,
    list: () => wrap(() => store.listProblems()),
    get: (name, version) =>
      wrap(() => {
        const v = store.getProblem(name, version);
        const { problem } = store.problemDefinition(name, v.info.version);
        return { problem, version: v.info.version, info: v.info };
      }),
    close: () => store.close(),
  };
}

function builtinSource(): ProblemSource {
  return {
    where: 'the built-in problems',
    store: undefined,
    list: () => builtinProblems().map(builtinInfo),
    get: (name, version) => {
      const p = builtinProblem(name);
      if (!p) {
        throw new UserError(
          `problem ${JSON.stringify(name)} is not built in (built in: ${builtinProblems()
            .map((x) => x.name)
            .join(', ')}); give --db FILE for a lab database that holds it`,
        );
      }
      if (version !== undefined && version !== 1) throw new UserError(`the built-in problem ${name} has only version 1`);
      return { problem: p, version: 1, info: builtinInfo(p) };
    },
    close: () => {},
  };
}

/** The problems of `db` (created when `create`), or the built-ins without one. */
export function openProblemSource(db: string | undefined, create = false): ProblemSource {
  return db !== undefined ? storeSource(openStoreFile(db, create), resolve(db)) : builtinSource();
}

/** The problems of a store that is already open (e.g. the one a run is recorded in). */
export function problemsOfStore(store: RunStore, where: string): ProblemSource {
  return { ...storeSource(store, where), close: () => {} };
}

/** Runs `f` with a problem source and closes it after. */
export function withProblems<T>(db: string | undefined, f: (s: ProblemSource) => T, create = false): T {
  const s = openProblemSource(db, create);
  try {
    return f(s);
  } finally {
    s.close();
  }
}
