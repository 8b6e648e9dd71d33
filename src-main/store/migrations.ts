/**
 * The store's schema as a list of versioned migrations. `PRAGMA user_version` holds the
 * version of the last one applied; at open, the pending ones run in order, each inside one
 * IMMEDIATE transaction (so two processes opening a new file at once cannot both migrate it).
 * A database written by a newer build (user_version above the last migration) is refused.
 *
 * A migration, once released, never changes: schema changes are new entries at the end.
 * (SQLite cannot switch foreign keys off inside a transaction, so a migration that rebuilds a
 * referenced table must not rely on cascades firing while it copies rows.)
 *
 * Conventions of the schema:
 * - timestamps are INTEGER milliseconds since the epoch;
 * - JSON columns hold TEXT written by JSON.stringify;
 * - NaN: SQLite stores a NaN REAL as NULL. Every metric column is required, so NULL in
 *   metrics.prereg_loss/loss/l1/lambda1/wall_ms (and snapshots.prereg_loss) *means NaN* and
 *   is read back as NaN; ±Infinity is stored as an IEEE REAL and reads back unchanged. The
 *   run figures (final_loss, best_loss, test_loss, test_worst) are finite or NULL.
 * - snapshots.keys is little-endian uint32 ids into link_keys (one per soft link, in link
 *   order) and snapshots.weights little-endian float64 (same order): see snapshot-codec.ts.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string | ((db: Database) => void);
}

const DUPLICATES_DESCRIPTION =
  'Detect, in a stream of characters, each character that already occurred since the last end of sentence: ' +
  'the duplicate-character problem of the 2022 DMM prototype.';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    up: `
      CREATE TABLE problems (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT ''
      );
      INSERT INTO problems (id, name, description) VALUES
        ('duplicates', 'Duplicate characters', '${DUPLICATES_DESCRIPTION.replaceAll("'", "''")}');

      CREATE TABLE architectures (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 1),
        description TEXT NOT NULL DEFAULT '',
        graph       TEXT NOT NULL,
        soft_links  INTEGER NOT NULL DEFAULT 0,
        created_at  INTEGER NOT NULL,
        UNIQUE (name, version)
      );

      CREATE TABLE hyper_sets (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        name        TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        schedule    TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      );

      CREATE TABLE link_keys (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        to_neuron   TEXT NOT NULL,
        to_port     TEXT NOT NULL,
        from_neuron TEXT NOT NULL,
        from_port   TEXT NOT NULL,
        UNIQUE (to_neuron, to_port, from_neuron, from_port)
      );

      CREATE TABLE runs (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        name               TEXT NOT NULL,
        problem            TEXT NOT NULL REFERENCES problems (id),
        status             TEXT NOT NULL CHECK (status IN
                             ('queued', 'running', 'paused', 'completed', 'failed', 'interrupted', 'diverged', 'stopped')),
        status_reason      TEXT NOT NULL DEFAULT '',
        estimator          TEXT NOT NULL,
        seed               INTEGER NOT NULL,
        architecture_id    INTEGER REFERENCES architectures (id) ON DELETE SET NULL,
        hyper_set_id       INTEGER REFERENCES hyper_sets (id) ON DELETE SET NULL,
        parent_run_id      INTEGER REFERENCES runs (id) ON DELETE SET NULL,
        parent_snapshot_id INTEGER REFERENCES snapshots (id) ON DELETE SET NULL,
        schedule           TEXT NOT NULL,
        notes              TEXT NOT NULL DEFAULT '',
        created_at         INTEGER NOT NULL,
        started_at         INTEGER,
        ended_at           INTEGER,
        steps              INTEGER NOT NULL DEFAULT 0,
        step_budget        INTEGER NOT NULL DEFAULT 0,
        soft_links         INTEGER,
        final_loss         REAL,
        best_loss          REAL,
        test_loss          REAL,
        test_worst         REAL,
        deleted_at         INTEGER
      );
      CREATE INDEX runs_status ON runs (status);
      CREATE INDEX runs_deleted_at ON runs (deleted_at);
      -- for ON DELETE SET NULL, which otherwise scans runs once per deleted parent row
      CREATE INDEX runs_parent_run ON runs (parent_run_id);
      CREATE INDEX runs_parent_snapshot ON runs (parent_snapshot_id);
      CREATE INDEX runs_architecture ON runs (architecture_id);
      CREATE INDEX runs_hyper_set ON runs (hyper_set_id);

      CREATE TABLE run_tags (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        tag    TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      );
      CREATE INDEX run_tags_tag ON run_tags (tag);

      CREATE TABLE metrics (
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step        INTEGER NOT NULL,
        phase       TEXT NOT NULL,
        prereg_loss REAL,
        loss        REAL,
        l1          REAL,
        lambda1     REAL,
        soft_links  INTEGER NOT NULL,
        wall_ms     REAL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;

      CREATE TABLE events (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step   INTEGER NOT NULL,
        kind   TEXT NOT NULL,
        at     INTEGER NOT NULL,
        data   TEXT NOT NULL
      );
      CREATE INDEX events_run ON events (run_id, id);

      CREATE TABLE snapshots (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id      INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step        INTEGER NOT NULL,
        reason      TEXT NOT NULL,
        soft_links  INTEGER NOT NULL,
        prereg_loss REAL,
        created_at  INTEGER NOT NULL,
        keys        BLOB NOT NULL,
        weights     BLOB NOT NULL
      );
      CREATE INDEX snapshots_run ON snapshots (run_id, step);

      CREATE TABLE saved_views (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT NOT NULL UNIQUE,
        view       TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'saved circuit comparisons',
    // circuit_a / circuit_b: references as in CircuitRefSchema (snap:ID, run:ID, arch:ID, hand) —
    // no foreign key, a comparison outlives a purged run and says which side is gone;
    // pairs: JSON [[nameInA, nameInB], …], the person's re-pairings
    up: `
      CREATE TABLE comparisons (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT NOT NULL,
        circuit_a  TEXT NOT NULL,
        circuit_b  TEXT NOT NULL,
        pairs      TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'lab file identity, delivered messages, snapshot checksums',
    // application_id marks the file as a DMM Lab database (see LAB_APPLICATION_ID);
    // run_deliveries: the last message sequence number stored per run process (run, session),
    // so that a message delivered twice (a recovery file after a crash) is stored once;
    // snapshots.checksum: CRC-32 of keys || weights, verified on every read (NULL: written
    // before this migration, not checked)
    up: `
      PRAGMA application_id = ${0x444d4d4c};
      CREATE TABLE run_deliveries (
        run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        session  TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        PRIMARY KEY (run_id, session)
      ) WITHOUT ROWID;
      ALTER TABLE snapshots ADD COLUMN checksum INTEGER;
    `,
  },
  {
    version: 4,
    name: 'problem versions',
    // problem_versions: every stored definition of a problem (src-shared/problems/problem.ts,
    // as JSON), numbered per problem from 1; builtin = 1 for a definition this build ships
    // (written at open by problems.ts, never by hand); teacher_links: its teacher's soft links.
    // runs.problem_version: the version a run uses (runs that existed before point at the
    // first version of their problem, set when the built-ins are first written).
    up: `
      CREATE TABLE problem_versions (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        problem       TEXT NOT NULL REFERENCES problems (id) ON DELETE CASCADE,
        version       INTEGER NOT NULL CHECK (version >= 1),
        definition    TEXT NOT NULL,
        teacher_links INTEGER NOT NULL DEFAULT 0,
        builtin       INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        UNIQUE (problem, version)
      );
      ALTER TABLE runs ADD COLUMN problem_version INTEGER REFERENCES problem_versions (id);
      CREATE INDEX runs_problem ON runs (problem);
      CREATE INDEX runs_problem_version ON runs (problem_version);
    `,
  },
  {
    version: 5,
    name: 'run verdicts',
    // runs.verdict: the final check of the run's circuit — 'passed' when a verdict event of
    // the run passed (a passing attempt is always the one kept), 'failed' when it has verdict
    // events and none passed, 'none' without one. Kept up to date by events.ts as verdict
    // events are stored. Reasons written as "stop rule: X" are rewritten as end-reason.ts
    // words them ("stop rule: stalled" on a run that passed read as a failure).
    // runs.step_budget becomes the most steps the run can take (attempts.ts stepCeiling, from
    // where a continued run went on), so that the counter never passes it.
    up: `
      ALTER TABLE runs ADD COLUMN verdict TEXT NOT NULL DEFAULT 'none' CHECK (verdict IN ('passed', 'failed', 'none'));
      UPDATE runs SET verdict = CASE
        WHEN EXISTS (SELECT 1 FROM events e WHERE e.run_id = runs.id AND e.kind = 'verdict'
                     AND json_valid(e.data) AND json_extract(e.data, '$.passed') = 1) THEN 'passed'
        WHEN EXISTS (SELECT 1 FROM events e WHERE e.run_id = runs.id AND e.kind = 'verdict') THEN 'failed'
        ELSE 'none' END;
      UPDATE runs SET status_reason =
        CASE WHEN verdict = 'failed' THEN 'verdict failed; stopped: ' ELSE 'finished: ' END ||
        CASE status_reason
          WHEN 'stop rule: target' THEN 'reached the target size'
          WHEN 'stop rule: stalled' THEN 'no further cut held'
          WHEN 'stop rule: budget' THEN 'used its step budget'
          ELSE 'cancelled' END
        WHERE status_reason IN ('stop rule: target', 'stop rule: stalled', 'stop rule: budget', 'stop rule: cancelled');
      CREATE INDEX runs_verdict ON runs (verdict);
      UPDATE runs SET step_budget = max(steps, coalesce(
        (SELECT s.step FROM snapshots s WHERE s.id = runs.parent_snapshot_id AND s.run_id = runs.id), 0) +
        (CASE WHEN runs.parent_snapshot_id IS NOT NULL OR json_extract(schedule, '$.start.kind') = 'matrix' THEN 1
              ELSE json_extract(schedule, '$.restarts.max') + 1 END) *
        (json_extract(schedule, '$.stop.stepBudget') +
         (json_extract(schedule, '$.regrow.max') + 1) * json_extract(schedule, '$.polish.steps')))
        WHERE json_valid(schedule) AND json_type(schedule, '$.stop.stepBudget') = 'integer'
          AND json_type(schedule, '$.regrow.max') = 'integer' AND json_type(schedule, '$.polish.steps') = 'integer'
          AND json_type(schedule, '$.restarts.max') = 'integer';
    `,
  },
  {
    version: 6,
    name: 'sweeps',
    // sweeps: a search over schedule fields (src-shared/sweeps/sweep-spec.ts): spec is its
    // definition as given (JSON: base schedule, axes, combine); state active | paused | stopped;
    // deleted_at: moved to the trash with its runs.
    // runs.sweep_id / sweep_index / sweep_point: the sweep a run belongs to, its position and its
    // point (JSON {path: value}).
    up: `
      CREATE TABLE sweeps (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        name            TEXT NOT NULL,
        problem         TEXT NOT NULL REFERENCES problems (id),
        problem_version INTEGER REFERENCES problem_versions (id),
        spec            TEXT NOT NULL,
        concurrency     INTEGER NOT NULL CHECK (concurrency >= 1),
        state           TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'stopped')),
        created_at      INTEGER NOT NULL,
        deleted_at      INTEGER
      );
      ALTER TABLE runs ADD COLUMN sweep_id INTEGER REFERENCES sweeps (id) ON DELETE SET NULL;
      ALTER TABLE runs ADD COLUMN sweep_index INTEGER;
      ALTER TABLE runs ADD COLUMN sweep_point TEXT;
      CREATE INDEX runs_sweep ON runs (sweep_id, sweep_index);
    `,
  },
  {
    version: 7,
    name: 'where runs ran',
    // runs.ran_on: where the run's process last ran — 'local' (this machine's supervisor) or
    // the host name of the cluster worker that took it; NULL until it starts.
    up: `ALTER TABLE runs ADD COLUMN ran_on TEXT;`,
  },
];

/** `PRAGMA application_id` of a DMM Lab database: "DMML" in ASCII. */
export const LAB_APPLICATION_ID = 0x444d4d4c;

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length === 0 ? 0 : (MIGRATIONS[MIGRATIONS.length - 1] as Migration).version;

export class SchemaVersionError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
    file: string,
  ) {
    super(
      `database ${file} has schema version ${found}, newer than this build of DMM Lab knows (${known}); ` +
        'open it with a newer DMM Lab (this build will not modify it)',
    );
    this.name = 'SchemaVersionError';
  }
}

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the pending migrations; returns the versions applied. Throws SchemaVersionError
 * for a database newer than `migrations` (default: this build's) and leaves it untouched.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  checkMigrationList(migrations);
  const latest = migrations.length === 0 ? 0 : (migrations[migrations.length - 1] as Migration).version;
  const tooNew = (v: number): never => {
    throw new SchemaVersionError(v, latest, db.name);
  };
  const current = userVersion(db);
  if (current > latest) tooNew(current);
  if (current === latest) return [];
  const applied: number[] = [];
  for (const m of migrations) {
    const step = db.transaction(() => {
      // re-read inside the write lock: another connection may have migrated meanwhile
      const now = userVersion(db);
      if (now > latest) tooNew(now);
      if (now >= m.version) return;
      if (now !== m.version - 1) throw new Error(`database ${db.name}: schema version ${now} cannot be migrated by migration ${m.version}`);
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    });
    step.immediate();
  }
  return applied;
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1 || !Number.isInteger(m.version)) {
      throw new Error(`migration list is malformed: entry ${i} ("${m.name}") has version ${m.version}, expected ${i + 1}`);
    }
  });
}
