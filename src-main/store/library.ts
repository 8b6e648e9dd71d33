/**
 * The library of the run store: what runs are made from and what the browser remembers —
 * architectures (versioned by name), hyperparameter sets and saved views of the
 * run browser. A stored row that no longer parses raises `internal` naming it (a saved
 * view is skipped instead, so that the browser still opens).
 */
import type { z } from 'zod';
import { formatIssues, ApiError } from '../../src-shared/api/dispatch';
import {
  ArchitectureGraphSchema,
  ViewSettingsSchema,
  type Architecture,
  type ArchitectureGraph,
  type ArchitectureInfo,
  type HyperSet,
  type SavedView,
} from '../../src-shared/api/records';
import { errorText, notFound, type StoreContext } from './store-context';

interface ArchitectureRow {
  id: number;
  name: string;
  version: number;
  description: string;
  graph: string;
  soft_links: number;
  created_at: number;
}

interface HyperSetRow {
  id: number;
  name: string;
  description: string;
  schedule: string;
  created_at: number;
}

interface ViewRow {
  id: number;
  name: string;
  view: string;
  updated_at: number;
}

/** Numeric leaves of a matrix given as nested JSON objects. */
export function countLeaves(x: unknown): number {
  if (typeof x === 'number') return 1;
  if (typeof x !== 'object' || x === null) return 0;
  let n = 0;
  for (const v of Object.values(x)) n += countLeaves(v);
  return n;
}

export class Library {
  constructor(private readonly ctx: StoreContext) {}

  // ---------------------------------------------------------------- architectures

  listArchitectures(): ArchitectureInfo[] {
    const rows = this.ctx
      .sql('SELECT id, name, version, description, soft_links, created_at FROM architectures ORDER BY name, version')
      .all() as Omit<ArchitectureRow, 'graph'>[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      version: r.version,
      description: r.description,
      softLinks: r.soft_links,
      createdAt: r.created_at,
    }));
  }

  getArchitecture(id: number): Architecture {
    const r = this.ctx.sql('SELECT * FROM architectures WHERE id = ?').get(id) as ArchitectureRow | undefined;
    if (r === undefined) throw notFound('architecture', id);
    return toArchitecture(r);
  }

  /** Saves a new version of the named architecture (1 + the latest version of that name). */
  saveArchitecture(a: {
    name: string;
    description?: string;
    graph: ArchitectureGraph | z.input<typeof ArchitectureGraphSchema>;
  }): Architecture {
    const g = ArchitectureGraphSchema.safeParse(a.graph);
    if (!g.success) throw new ApiError('bad-request', `architecture "${a.name}": invalid graph: ${formatIssues(g.error.issues)}`);
    if (a.name.trim() === '') throw new ApiError('bad-request', 'an architecture needs a name');
    const { ctx } = this;
    return ctx.tx(() => {
      const version = ((ctx.sql('SELECT max(version) FROM architectures WHERE name = ?').pluck().get(a.name) as number | null) ?? 0) + 1;
      const row = ctx
        .sql('INSERT INTO architectures (name, version, description, graph, soft_links, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *')
        .get(a.name, version, a.description ?? '', JSON.stringify(g.data), countLeaves(g.data.matrix), ctx.clock()) as ArchitectureRow;
      return toArchitecture(row);
    });
  }

  /** Deletes an architecture version; runs made from it keep running, their architectureId becomes null. */
  deleteArchitecture(id: number): void {
    if (this.ctx.sql('DELETE FROM architectures WHERE id = ?').run(id).changes === 0) throw notFound('architecture', id);
  }

  // ---------------------------------------------------------------- hyperparameter sets

  listHyperSets(): HyperSet[] {
    return (this.ctx.sql('SELECT * FROM hyper_sets ORDER BY name').all() as HyperSetRow[]).map(toHyperSet);
  }

  getHyperSet(id: number): HyperSet {
    const r = this.ctx.sql('SELECT * FROM hyper_sets WHERE id = ?').get(id) as HyperSetRow | undefined;
    if (r === undefined) throw notFound('hyperparameter set', id);
    return toHyperSet(r);
  }

  /** Creates the named set, or replaces its description and schedule (keeping id and createdAt). */
  saveHyperSet(h: { name: string; description?: string; schedule: Record<string, unknown> }): HyperSet {
    if (h.name.trim() === '') throw new ApiError('bad-request', 'a hyperparameter set needs a name');
    if (typeof h.schedule !== 'object' || h.schedule === null || Array.isArray(h.schedule)) {
      throw new ApiError('bad-request', `hyperparameter set "${h.name}": the schedule must be an object`);
    }
    const row = this.ctx
      .sql(
        `INSERT INTO hyper_sets (name, description, schedule, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET description = excluded.description, schedule = excluded.schedule RETURNING *`,
      )
      .get(h.name, h.description ?? '', JSON.stringify(h.schedule), this.ctx.clock()) as HyperSetRow;
    return toHyperSet(row);
  }

  deleteHyperSet(id: number): void {
    if (this.ctx.sql('DELETE FROM hyper_sets WHERE id = ?').run(id).changes === 0) throw notFound('hyperparameter set', id);
  }

  // ---------------------------------------------------------------- saved views

  listViews(): SavedView[] {
    const rows = this.ctx.sql('SELECT * FROM saved_views ORDER BY name').all() as ViewRow[];
    const out: SavedView[] = [];
    for (const r of rows) {
      // a corrupted view is skipped, not fatal: the browser still opens
      const parsed = ViewSettingsSchema.safeParse(safeJson(r.view));
      if (parsed.success) out.push({ id: r.id, name: r.name, view: parsed.data, updatedAt: r.updated_at });
    }
    return out;
  }

  /** Creates the named view or replaces its settings. */
  saveView(v: { name: string; view: SavedView['view'] }): SavedView {
    const row = this.ctx
      .sql(
        `INSERT INTO saved_views (name, view, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET view = excluded.view, updated_at = excluded.updated_at RETURNING *`,
      )
      .get(v.name, JSON.stringify(v.view), this.ctx.clock()) as ViewRow;
    return { id: row.id, name: row.name, view: v.view, updatedAt: row.updated_at };
  }

  deleteView(id: number): void {
    if (this.ctx.sql('DELETE FROM saved_views WHERE id = ?').run(id).changes === 0) throw notFound('saved view', id);
  }
}

function toArchitecture(r: ArchitectureRow): Architecture {
  let data: unknown;
  try {
    data = JSON.parse(r.graph);
  } catch (e) {
    throw new ApiError('internal', `architecture ${r.id}: stored graph is corrupted: ${errorText(e)}`);
  }
  const g = ArchitectureGraphSchema.safeParse(data);
  if (!g.success) throw new ApiError('internal', `architecture ${r.id}: stored graph is corrupted: ${formatIssues(g.error.issues)}`);
  return { id: r.id, name: r.name, version: r.version, description: r.description, graph: g.data, createdAt: r.created_at };
}

function toHyperSet(r: HyperSetRow): HyperSet {
  let schedule: unknown;
  try {
    schedule = JSON.parse(r.schedule);
  } catch (e) {
    throw new ApiError('internal', `hyperparameter set ${r.id} ("${r.name}"): stored schedule is corrupted: ${errorText(e)}`);
  }
  if (typeof schedule !== 'object' || schedule === null || Array.isArray(schedule)) {
    throw new ApiError('internal', `hyperparameter set ${r.id} ("${r.name}"): stored schedule is corrupted: not an object`);
  }
  return { id: r.id, name: r.name, description: r.description, schedule: schedule as Record<string, unknown>, createdAt: r.created_at };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
