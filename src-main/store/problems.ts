/**
 * Problems in the store: every problem (the `problems` row: id = the definition's name,
 * a title and the latest description) and its numbered versions (`problem_versions`: the
 * whole definition as JSON). A run records the version it uses.
 *
 * The built-in problems are written at open: a built-in whose definition no stored version
 * has gets the next version (a fresh database: version 1 of each), so a newer build's
 * change to a built-in arrives as a new version and old runs keep theirs.
 */
import { ApiError } from '../../src-shared/api/dispatch';
import type { ProblemInfo, ProblemVersion } from '../../src-shared/api/records';
import { builtinProblems } from '../../src-shared/problems/builtin/index';
import { ProblemError, teacherSoftLinks, type Problem } from '../../src-shared/problems/problem';
import { validateProblem } from '../../src-shared/problems/validate';
import type { StoreContext } from './store-context';

interface VersionRow {
  id: number;
  problem: string;
  version: number;
  definition: string;
  teacher_links: number;
  builtin: number;
  created_at: number;
  title: string;
  versions: number;
}

/** The canonical JSON of a definition (the validated problem, so equal definitions give equal text). */
const canonical = (p: Problem): string => JSON.stringify(p);

export class Problems {
  constructor(private readonly ctx: StoreContext) {}

  /** Writes the built-ins that no stored version holds, and points runs without a version at their problem's first. */
  ensureBuiltins(): void {
    const { ctx } = this;
    if (ctx.db.readonly) return; // a read-only connection (reader threads, read-only CLI commands) reads what the writer wrote
    const missing = builtinProblems().filter(
      (p) => ctx.sql('SELECT 1 FROM problem_versions WHERE problem = ? AND definition = ?').get(p.name, canonical(p)) === undefined,
    );
    const orphans = ctx.sql('SELECT 1 FROM runs WHERE problem_version IS NULL LIMIT 1').get() !== undefined;
    if (missing.length === 0 && !orphans) return;
    ctx.tx(() => {
      for (const p of missing) this.insert(p, true);
      ctx
        .sql(
          `UPDATE runs SET problem_version =
             (SELECT id FROM problem_versions v WHERE v.problem = runs.problem ORDER BY v.version LIMIT 1)
           WHERE problem_version IS NULL`,
        )
        .run();
    });
  }

  private insert(p: Problem, builtin: boolean): number {
    const { ctx } = this;
    if (ctx.sql('SELECT 1 FROM problems WHERE id = ?').get(p.name) === undefined) {
      ctx.sql('INSERT INTO problems (id, name, description) VALUES (?, ?, ?)').run(p.name, p.name, p.description);
    } else {
      ctx.sql('UPDATE problems SET description = ? WHERE id = ?').run(p.description, p.name);
    }
    const next =
      (ctx.sql('SELECT coalesce(max(version), 0) + 1 FROM problem_versions WHERE problem = ?').pluck().get(p.name) as number) ?? 1;
    ctx
      .sql('INSERT INTO problem_versions (problem, version, definition, teacher_links, builtin, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(p.name, next, canonical(p), teacherSoftLinks(p), builtin ? 1 : 0, ctx.clock());
    return next;
  }

  private rows(where: string, ...args: unknown[]): VersionRow[] {
    return this.ctx
      .sql(
        `SELECT v.*, p.name AS title, (SELECT count(*) FROM problem_versions w WHERE w.problem = v.problem) AS versions
         FROM problem_versions v JOIN problems p ON p.id = v.problem WHERE ${where}`,
      )
      .all(...args) as VersionRow[];
  }

  private info(r: VersionRow): ProblemInfo {
    const p = this.parse(r);
    return {
      id: r.problem,
      name: r.title,
      description: p.description,
      version: r.version,
      versions: r.versions,
      input: p.input.kind,
      outputs: p.outputs.map((o) => ({ neuron: o.neuron, port: o.port, compare: o.compare, under: [...o.under] })),
      teacherLinks: r.teacher_links,
      builtin: r.builtin === 1,
      createdAt: r.created_at,
    };
  }

  private parse(r: VersionRow): Problem {
    let data: unknown;
    try {
      data = JSON.parse(r.definition);
    } catch {
      throw new ApiError('internal', `problem ${r.problem} version ${r.version}: stored definition is corrupted: not valid JSON`);
    }
    try {
      return validateProblem(data);
    } catch (e) {
      throw new ApiError('internal', `problem ${r.problem} version ${r.version}: stored definition is corrupted: ${(e as Error).message}`);
    }
  }

  /** The latest version of every problem, in name order. */
  list(): ProblemInfo[] {
    return this.rows('v.version = (SELECT max(version) FROM problem_versions w WHERE w.problem = v.problem) ORDER BY v.problem').map((r) =>
      this.info(r),
    );
  }

  private row(id: string, version?: number): VersionRow {
    const r =
      version === undefined
        ? this.rows('v.problem = ? ORDER BY v.version DESC LIMIT 1', id)[0]
        : this.rows('v.problem = ? AND v.version = ?', id, version)[0];
    if (!r) {
      const known = this.ctx.sql('SELECT 1 FROM problems WHERE id = ?').get(id) !== undefined;
      throw new ApiError('not-found', known ? `problem ${id} has no version ${version}` : `problem ${JSON.stringify(id)} does not exist`);
    }
    return r;
  }

  get(id: string, version?: number): ProblemVersion {
    const r = this.row(id, version);
    const history = this.ctx
      .sql('SELECT version, created_at, teacher_links, builtin FROM problem_versions WHERE problem = ? ORDER BY version')
      .all(id) as { version: number; created_at: number; teacher_links: number; builtin: number }[];
    return {
      info: this.info(r),
      definition: JSON.parse(r.definition) as Record<string, unknown>,
      history: history.map((h) => ({
        version: h.version,
        createdAt: h.created_at,
        teacherLinks: h.teacher_links,
        builtin: h.builtin === 1,
      })),
    };
  }

  /** The validated definition of a version (default: the latest) and that version's row id. */
  definition(id: string, version?: number): { problem: Problem; versionId: number; version: number } {
    const r = this.row(id, version);
    return { problem: this.parse(r), versionId: r.id, version: r.version };
  }

  /** The version number of a version row id. */
  versionNumber(versionId: number): number {
    return (this.ctx.sql('SELECT version FROM problem_versions WHERE id = ?').pluck().get(versionId) as number | undefined) ?? 0;
  }

  /** The definition a version row id holds. */
  definitionById(versionId: number): Problem {
    const r = this.rows('v.id = ?', versionId)[0];
    if (!r) throw new ApiError('not-found', `problem version ${versionId} does not exist`);
    return this.parse(r);
  }

  /**
   * Stores a definition as the next version of its problem (or the first). An invalid one
   * is refused ('bad-request' naming each field) and nothing is stored; one equal to the
   * latest version stores nothing and returns that version.
   */
  save(data: unknown): ProblemInfo {
    let p: Problem;
    try {
      p = validateProblem(data);
    } catch (e) {
      if (e instanceof ProblemError) throw new ApiError('bad-request', e.message);
      throw e;
    }
    return this.ctx.tx(() => {
      const latest = this.rows('v.problem = ? ORDER BY v.version DESC LIMIT 1', p.name)[0];
      if (latest && latest.definition === canonical(p)) return this.info(latest);
      const version = this.insert(p, false);
      return this.info(this.row(p.name, version));
    });
  }
}
