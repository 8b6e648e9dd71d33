/**
 * A RunQuery (contract.ts) as one parameterised SQL statement. Nothing the user typed is
 * ever spliced into the SQL text: column names and operators come from fixed tables here,
 * values (text, tag, numbers, statuses, JSON paths) are bound parameters.
 *
 * - `status`: any of the listed statuses (an empty list filters nothing);
 * - `tag`: runs carrying exactly that tag;
 * - `text`: case-insensitive (Unicode) substring of the name, problem, notes or a tag —
 *   matched with instr(), so `%` and `_` are plain characters;
 * - `where`: conditions, all of which must hold: `verdict = failed` (or !=), or numeric ones on a RUN_FIELD (`duration` is
 *   endedAt − startedAt) or on a schedule path such as `optimizer.lr` (only numbers in the
 *   schedule match; a run lacking the field, or with a NULL figure, never matches);
 * - `sort`: on a RUN_FIELD, NULLs last in both directions, ties by id; default newest first;
 * - `trash`: the trashed runs instead of the live ones; `offset`/`limit`: paging.
 */
import type { Database } from 'better-sqlite3';
import { RUN_FIELDS, type Condition, type RunField, type RunQuery } from '../../src-shared/api/contract';
import { ApiError } from '../../src-shared/api/dispatch';
import { RUN_VERDICTS, type RunSummary } from '../../src-shared/api/records';
import { SUMMARY_COLUMNS, toSummary, type SummaryRow } from './rows';

/** SQL expression of each sortable/filterable field over `runs r`. */
const FIELD_SQL: Record<RunField, string> = {
  id: 'r.id',
  name: 'r.name COLLATE NOCASE',
  problem: 'r.problem',
  status: 'r.status',
  verdict: 'r.verdict',
  estimator: 'r.estimator',
  seed: 'r.seed',
  createdAt: 'r.created_at',
  startedAt: 'r.started_at',
  endedAt: 'r.ended_at',
  duration: '(r.ended_at - r.started_at)',
  steps: 'r.steps',
  softLinks: 'r.soft_links',
  finalLoss: 'r.final_loss',
  bestLoss: 'r.best_loss',
  testLoss: 'r.test_loss',
  testWorst: 'r.test_worst',
  sweepId: 'r.sweep_id',
};

/** Fields holding text, which numeric conditions do not apply to. */
const TEXT_FIELDS = new Set<RunField>(['name', 'problem', 'status', 'verdict', 'estimator']);
const OPS = new Set<Condition['op']>(['<', '<=', '=', '!=', '>=', '>']);
const PATH_SEGMENT = /^[A-Za-z][A-Za-z0-9_]*$/;

export const FOLD_FUNCTION = 'dmm_fold';
const registered = new WeakSet<Database>();

/** Case folding for text search (SQLite's lower() only knows ASCII). Idempotent. */
export function registerSqlFunctions(db: Database): void {
  if (registered.has(db)) return;
  db.function(FOLD_FUNCTION, { deterministic: true }, (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : s));
  registered.add(db);
}

const isRunField = (f: string): f is RunField => (RUN_FIELDS as readonly string[]).includes(f);

/** `$.a.b` for `a.b`, or a bad-request error naming the field. */
export function schedulePath(field: string): string {
  const segments = field.split('.');
  if (field.length > 100 || !segments.every((s) => PATH_SEGMENT.test(s))) {
    throw new ApiError(
      'bad-request',
      `where: "${field}" is neither a run field (${RUN_FIELDS.join(', ')}) nor a schedule path like optimizer.lr`,
    );
  }
  return `$.${segments.join('.')}`;
}

export interface BuiltQuery {
  /** `WHERE …` (never empty: the trash condition is always there). */
  readonly where: string;
  readonly params: unknown[];
  readonly orderBy: string;
}

export function buildRunQuery(q: RunQuery): BuiltQuery {
  const clauses: string[] = [q.trash ? 'r.deleted_at IS NOT NULL' : 'r.deleted_at IS NULL'];
  const params: unknown[] = [];
  if (q.status !== undefined && q.status.length > 0) {
    clauses.push('r.status IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(q.status));
  }
  if (q.tag !== undefined) {
    clauses.push('EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.tag = ?)');
    params.push(q.tag);
  }
  if (q.problem !== undefined) {
    clauses.push('r.problem = ?');
    params.push(q.problem);
  }
  if (q.text !== undefined && q.text.trim() !== '') {
    const needle = q.text.trim().toLowerCase();
    const f = FOLD_FUNCTION;
    clauses.push(
      `(instr(${f}(r.name), ?) > 0 OR instr(${f}(r.problem), ?) > 0 OR instr(${f}(r.notes), ?) > 0 ` +
        `OR EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND instr(${f}(t.tag), ?) > 0))`,
    );
    params.push(needle, needle, needle, needle);
  }
  for (const c of q.where ?? []) {
    if (!OPS.has(c.op)) throw new ApiError('bad-request', `where: unknown operator ${JSON.stringify(c.op)}`);
    if (c.field === 'verdict') {
      if (c.op !== '=' && c.op !== '!=') throw new ApiError('bad-request', `where verdict: use = or != (verdict ${c.op} … has no order)`);
      if (typeof c.value !== 'string' || !(RUN_VERDICTS as readonly string[]).includes(c.value))
        throw new ApiError('bad-request', `where verdict: the value must be one of ${RUN_VERDICTS.join(', ')}`);
      clauses.push(`r.verdict ${c.op} ?`);
      params.push(c.value);
      continue;
    }
    if (typeof c.value !== 'number' || !Number.isFinite(c.value))
      throw new ApiError('bad-request', `where ${c.field}: the value must be a finite number`);
    if (isRunField(c.field)) {
      if (TEXT_FIELDS.has(c.field)) throw new ApiError('bad-request', `where: ${c.field} is not a numeric field`);
      clauses.push(`${FIELD_SQL[c.field]} ${c.op} ?`);
      params.push(c.value);
    } else {
      const path = schedulePath(c.field);
      clauses.push(
        `(CASE WHEN json_valid(r.schedule) AND json_type(r.schedule, ?) IN ('integer', 'real') THEN json_extract(r.schedule, ?) END) ${c.op} ?`,
      );
      params.push(path, path, c.value);
    }
  }
  let orderBy = 'r.id DESC';
  if (q.sort !== undefined) {
    if (!isRunField(q.sort.field)) throw new ApiError('bad-request', `sort: unknown field ${JSON.stringify(q.sort.field)}`);
    const dir = q.sort.dir === 'desc' ? 'DESC' : 'ASC';
    const expr = FIELD_SQL[q.sort.field];
    orderBy = `(${expr.replace(' COLLATE NOCASE', '')}) IS NULL, ${expr} ${dir}, r.id ${dir}`;
  }
  return { where: `WHERE ${clauses.join(' AND ')}`, params, orderBy };
}

export function queryRuns(db: Database, q: RunQuery): { total: number; runs: RunSummary[] } {
  registerSqlFunctions(db);
  const b = buildRunQuery(q);
  const total = (db.prepare(`SELECT count(*) AS n FROM runs r ${b.where}`).get(...b.params) as { n: number }).n;
  const limit = q.limit ?? -1;
  const offset = q.offset ?? 0;
  const rows = db
    .prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs r ${b.where} ORDER BY ${b.orderBy} LIMIT ? OFFSET ?`)
    .all(...b.params, limit, offset) as SummaryRow[];
  return { total, runs: rows.map(toSummary) };
}
