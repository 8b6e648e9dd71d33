/**
 * Saved circuit comparisons in the run store's database: a name, the two circuits
 * as references (`snap:ID`, `run:ID`, `arch:ID`, `hand`) and the neuron pairs the person
 * fixed by re-pairing. The alignment itself is recomputed from the circuits when the
 * comparison is opened; only the person's decisions are stored.
 *
 * Saving checks what it can: references well-formed and pointing at a stored snapshot, run
 * or architecture, pairs well-formed (no neuron twice on a side). A reference that stops
 * resolving later (a purged run) leaves the comparison readable: the screen says which side
 * is gone. A row corrupted on disk raises `internal` naming the row when opened, and is
 * still listed (with `problem` saying what is wrong) so that it can be seen and deleted.
 */
import type { Database, Statement } from 'better-sqlite3';
import { ApiError, formatIssues } from '../../src-shared/api/dispatch';
import {
  circuitRefParts,
  CircuitRefSchema,
  ManualPairsSchema,
  type CircuitRef,
  type Comparison,
  type ComparisonInfo,
  type ManualPairs,
} from '../../src-shared/api/records';

interface ComparisonRow {
  id: number;
  name: string;
  circuit_a: string;
  circuit_b: string;
  pairs: string;
  created_at: number;
  updated_at: number;
}

export interface ComparisonInput {
  /** Replaces this comparison when given; creates one otherwise. */
  readonly id?: number | undefined;
  readonly name: string;
  readonly a: string;
  readonly b: string;
  readonly pairs?: readonly (readonly [string, string])[];
}

/** The table a reference kind points into (literals only: spliced into SQL). */
const REF_TABLES = { snap: ['snapshots', 'snapshot'], run: ['runs', 'run'], arch: ['architectures', 'architecture'] } as const;

export class ComparisonStore {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly clock: () => number,
  ) {}

  private sql(source: string): Statement {
    let s = this.statements.get(source);
    if (s === undefined) {
      s = this.db.prepare(source);
      this.statements.set(source, s);
    }
    return s;
  }

  /** Newest first. */
  list(): ComparisonInfo[] {
    return (this.sql('SELECT * FROM comparisons ORDER BY updated_at DESC, id DESC').all() as ComparisonRow[]).map((r) => {
      const info = { id: r.id, name: r.name, a: r.circuit_a, b: r.circuit_b, createdAt: r.created_at, updatedAt: r.updated_at };
      try {
        return { ...info, pairCount: toComparison(r).pairs.length, problem: null };
      } catch (e) {
        return { ...info, pairCount: 0, problem: e instanceof Error ? e.message : String(e) };
      }
    });
  }

  get(id: number): Comparison {
    const r = this.sql('SELECT * FROM comparisons WHERE id = ?').get(id) as ComparisonRow | undefined;
    if (r === undefined) throw new ApiError('not-found', `comparison ${id} does not exist`);
    return toComparison(r);
  }

  save(input: ComparisonInput): Comparison {
    const name = input.name.trim();
    if (name === '') throw new ApiError('bad-request', 'a comparison needs a name');
    const a = this.checkRef(input.a, 'a');
    const b = this.checkRef(input.b, 'b');
    const pairs = checkPairs(input.pairs ?? []);
    const now = this.clock();
    const json = JSON.stringify(pairs);
    if (input.id === undefined) {
      const row = this.sql(
        'INSERT INTO comparisons (name, circuit_a, circuit_b, pairs, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      ).get(name, a, b, json, now, now) as ComparisonRow;
      return toComparison(row);
    }
    const row = this.sql(
      'UPDATE comparisons SET name = ?, circuit_a = ?, circuit_b = ?, pairs = ?, updated_at = ? WHERE id = ? RETURNING *',
    ).get(name, a, b, json, now, input.id) as ComparisonRow | undefined;
    if (row === undefined) throw new ApiError('not-found', `comparison ${input.id} does not exist`);
    return toComparison(row);
  }

  delete(id: number): void {
    if (this.sql('DELETE FROM comparisons WHERE id = ?').run(id).changes === 0)
      throw new ApiError('not-found', `comparison ${id} does not exist`);
  }

  /** A well-formed reference to something stored (or `hand`). */
  private checkRef(ref: string, side: 'a' | 'b'): CircuitRef {
    const parts = circuitRefParts(ref);
    if (parts === undefined)
      throw new ApiError(
        'bad-request',
        `circuit ${side}: "${ref}" is not a circuit reference (snap:ID, run:ID, arch:ID, hand or teacher:PROBLEM)`,
      );
    if (parts.kind === 'hand') return ref;
    if (parts.kind === 'teacher') {
      const version = parts.version;
      const exists =
        version === undefined
          ? this.sql('SELECT 1 FROM problem_versions WHERE problem = ?').pluck().get(parts.problem)
          : this.sql('SELECT 1 FROM problem_versions WHERE problem = ? AND version = ?').pluck().get(parts.problem, version);
      if (exists === undefined) {
        throw new ApiError(
          'bad-request',
          `circuit ${side}: problem ${parts.problem}${version ? ` version ${version}` : ''} does not exist`,
        );
      }
      return ref;
    }
    const [table, what] = REF_TABLES[parts.kind];
    const exists = this.sql(`SELECT 1 FROM ${table} WHERE id = ?`).pluck().get(parts.id) as number | undefined;
    if (exists === undefined) throw new ApiError('bad-request', `circuit ${side}: ${what} ${parts.id} does not exist`);
    return ref;
  }
}

function checkPairs(pairs: readonly (readonly [string, string])[]): ManualPairs {
  const parsed = ManualPairsSchema.safeParse(pairs);
  if (!parsed.success) throw new ApiError('bad-request', `pairs: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

function toComparison(r: ComparisonRow): Comparison {
  const bad = (why: string): ApiError => new ApiError('internal', `comparison ${r.id} ("${r.name}"): stored ${why} is corrupted`);
  let raw: unknown;
  try {
    raw = JSON.parse(r.pairs);
  } catch {
    throw bad('pairs');
  }
  const pairs = ManualPairsSchema.safeParse(raw);
  if (!pairs.success) throw bad('pairs');
  const a = CircuitRefSchema.safeParse(r.circuit_a);
  const b = CircuitRefSchema.safeParse(r.circuit_b);
  if (!a.success || !b.success) throw bad('circuit reference');
  return { id: r.id, name: r.name, a: a.data, b: b.data, pairs: pairs.data, createdAt: r.created_at, updatedAt: r.updated_at };
}
