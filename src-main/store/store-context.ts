/**
 * What every part of the run store shares: the database, the clock, a cache of prepared
 * statements and the transaction helper. Each aggregate module (runs, metrics, events,
 * snapshots, trash, transfer, library, integrity) takes one of these, so that all of them
 * write through the same transactions and statement cache.
 */
import type { Statement, Transaction } from 'better-sqlite3';
import { ApiError } from '../../src-shared/api/dispatch';
import type { Db } from './database';

/** Tables whose name is spliced into SQL: only these literals. */
export type RefTable = 'runs' | 'snapshots' | 'architectures' | 'hyper_sets';

export const notFound = (what: string, id: number): ApiError => new ApiError('not-found', `${what} ${id} does not exist`);
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class StoreContext {
  private readonly statements = new Map<string, Statement>();
  private readonly transaction: Transaction<(fn: () => unknown) => unknown>;

  constructor(
    readonly db: Db,
    /** Milliseconds since the epoch. */
    readonly clock: () => number,
  ) {
    this.transaction = db.transaction((fn: () => unknown) => fn());
  }

  /** A prepared statement, cached by its SQL (returning whole rows: call .pluck() for the first column). */
  sql(source: string): Statement {
    let s = this.statements.get(source);
    if (s === undefined) {
      s = this.db.prepare(source);
      this.statements.set(source, s);
    }
    return s.reader ? s.pluck(false) : s;
  }

  /** Runs `fn` in an IMMEDIATE transaction (a savepoint when nested). */
  tx<T>(fn: () => T): T {
    return this.transaction.immediate(fn) as T;
  }

  exists(table: RefTable, id: number): boolean {
    return this.sql(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined;
  }

  requireRun(id: number): void {
    if (!this.exists('runs', id)) throw notFound('run', id);
  }

  /** Forgets the prepared statements (before the database closes). */
  clearStatements(): void {
    this.statements.clear();
  }
}
