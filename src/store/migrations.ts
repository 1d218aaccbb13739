// The records schema as ordered migrations, applied at start-up under an advisory lock so concurrent workers never race.
import { KihError } from '../core/kih-error.js';
import type { Database } from './database.js';

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Records are only ever inserted: a validation or submission row is the one result of a
 * document in a run (unique per run and position), and everything that happens is an event.
 * State is read from the rows, so history is never overwritten.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'records',
    sql: `
CREATE TABLE vendors (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);
CREATE TABLE documents (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size integer NOT NULL CHECK (size >= 0),
  content bytea NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now(),
  stored_by text NOT NULL
);
CREATE TABLE runs (
  id uuid PRIMARY KEY,
  vendor_id text NOT NULL REFERENCES vendors (id),
  name text,
  submit_target text,
  total integer NOT NULL CHECK (total >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);
CREATE INDEX runs_by_vendor ON runs (vendor_id, created_at DESC);
CREATE TABLE run_documents (
  run_id uuid NOT NULL REFERENCES runs (id),
  seq integer NOT NULL CHECK (seq >= 0),
  file text NOT NULL,
  sha256 text NOT NULL REFERENCES documents (sha256),
  profile text,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX run_documents_by_sha256 ON run_documents (sha256);
CREATE TABLE validations (
  id bigserial PRIMARY KEY,
  run_id uuid NOT NULL,
  seq integer NOT NULL,
  sha256 text NOT NULL,
  profile text,
  status text NOT NULL CHECK (status IN ('valid', 'invalid', 'error')),
  errors integer NOT NULL,
  warnings integer NOT NULL,
  schema_id text NOT NULL,
  rule_versions jsonb NOT NULL,
  report jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  UNIQUE (run_id, seq),
  FOREIGN KEY (run_id, seq) REFERENCES run_documents (run_id, seq)
);
CREATE INDEX validations_by_sha256 ON validations (sha256, created_at DESC);
CREATE TABLE submission_claims (
  run_id uuid NOT NULL,
  seq integer NOT NULL,
  target text NOT NULL,
  unique_id text NOT NULL,
  claimed_at timestamptz NOT NULL DEFAULT now(),
  claimed_by text NOT NULL,
  PRIMARY KEY (run_id, seq),
  FOREIGN KEY (run_id, seq) REFERENCES run_documents (run_id, seq)
);
CREATE TABLE submissions (
  id bigserial PRIMARY KEY,
  run_id uuid NOT NULL,
  seq integer NOT NULL,
  sha256 text NOT NULL,
  target text NOT NULL,
  unique_id text,
  outcome text NOT NULL,
  class text NOT NULL,
  errors jsonb NOT NULL,
  attempts jsonb NOT NULL,
  confirmed_by_query boolean NOT NULL DEFAULT false,
  duration_ms real NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  UNIQUE (run_id, seq),
  FOREIGN KEY (run_id, seq) REFERENCES run_documents (run_id, seq)
);
CREATE INDEX submissions_by_unique_id ON submissions (unique_id);
CREATE TABLE results (
  run_id uuid NOT NULL,
  seq integer NOT NULL,
  sha256 text NOT NULL,
  verdict text NOT NULL CHECK (verdict IN ('valid', 'invalid', 'error')),
  submission_outcome text,
  submission_class text,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by text NOT NULL,
  PRIMARY KEY (run_id, seq),
  FOREIGN KEY (run_id, seq) REFERENCES run_documents (run_id, seq)
);
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  run_id uuid NOT NULL REFERENCES runs (id),
  seq integer,
  kind text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL
);
CREATE INDEX events_by_run ON events (run_id, seq, id);
`,
  },
  {
    id: 2,
    name: 'certification',
    sql: `
CREATE TABLE admins (
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL
);
-- Keys are stored as SHA-256 of 256 random bits: nothing to brute-force, so no slow hash is needed.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  vendor_id text REFERENCES vendors (id),
  admin_name text REFERENCES admins (name),
  key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  key_prefix text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  revoked_at timestamptz,
  revoked_by text,
  CHECK ((vendor_id IS NULL) <> (admin_name IS NULL))
);
CREATE TABLE uploads (
  id uuid PRIMARY KEY,
  vendor_id text NOT NULL REFERENCES vendors (id),
  run_id uuid NOT NULL,
  seq integer NOT NULL,
  test_case text,
  formal boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  UNIQUE (run_id, seq),
  FOREIGN KEY (run_id, seq) REFERENCES run_documents (run_id, seq)
);
CREATE INDEX uploads_by_vendor ON uploads (vendor_id, created_at DESC, id);
-- A pure function of the bytes and the protocol version, so kept per document hash.
CREATE TABLE case_checks (
  sha256 text NOT NULL REFERENCES documents (sha256),
  protocol_id text NOT NULL,
  protocol_version text NOT NULL,
  case_id text NOT NULL,
  conditions_met boolean NOT NULL,
  failed jsonb NOT NULL,
  checked_at timestamptz NOT NULL DEFAULT now(),
  checked_by text NOT NULL,
  PRIMARY KEY (sha256, protocol_id, protocol_version, case_id)
);
CREATE TABLE decisions (
  id bigserial PRIMARY KEY,
  vendor_id text NOT NULL REFERENCES vendors (id),
  protocol_id text NOT NULL,
  protocol_version text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('certify', 'reject', 'production')),
  comment text NOT NULL CHECK (comment <> ''),
  evidence jsonb NOT NULL,
  decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  decided_by text NOT NULL
);
CREATE INDEX decisions_by_vendor ON decisions (vendor_id, protocol_id, decided_at);
`,
  },
  {
    id: 3,
    name: 'regression runs',
    sql: `
CREATE TABLE run_cancellations (
  run_id uuid PRIMARY KEY REFERENCES runs (id),
  reason text NOT NULL,
  cancelled_at timestamptz NOT NULL DEFAULT now(),
  cancelled_by text NOT NULL
);
CREATE TABLE regression_runs (
  id uuid PRIMARY KEY,
  job_key text NOT NULL,
  corpus text NOT NULL,
  corpus_dir text NOT NULL,
  trigger text NOT NULL,
  submit_target text,
  manifest jsonb NOT NULL,
  manifest_sha256 text NOT NULL,
  total integer NOT NULL CHECK (total >= 0),
  run_id uuid UNIQUE REFERENCES runs (id),
  started_at timestamptz NOT NULL DEFAULT now(),
  started_by text NOT NULL,
  UNIQUE (job_key, corpus)
);
CREATE INDEX regression_runs_by_corpus ON regression_runs (corpus, started_at DESC);
CREATE INDEX regression_runs_by_start ON regression_runs (started_at DESC);
CREATE TABLE regression_results (
  regression_id uuid PRIMARY KEY REFERENCES regression_runs (id),
  status text NOT NULL CHECK (status IN ('passed', 'failed', 'cancelled')),
  matched integer NOT NULL,
  mismatched integer NOT NULL,
  versions jsonb NOT NULL,
  result jsonb NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  finished_by text NOT NULL
);
`,
  },
  {
    id: 4,
    name: 'sessions',
    sql: `
-- Login sessions, so logout ends one on the server: the cookie carries the session id, signed.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  key_id uuid NOT NULL REFERENCES api_keys (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  ended_at timestamptz
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
`,
  },
  {
    id: 5,
    name: 'verifications',
    sql: `
-- The end-to-end check of a stored document (ITI-18 + ITI-43): one final result per run document;
-- the checks before it (registration lagging, transient failures) are events.
CREATE TABLE verifications (
  id bigserial PRIMARY KEY,
  run_id uuid NOT NULL,
  seq integer NOT NULL,
  sha256 text NOT NULL,
  target text NOT NULL,
  unique_id text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('verified', 'notFound', 'metadataMismatch', 'contentMismatch', 'failure')),
  class text,
  message text NOT NULL,
  mismatches jsonb NOT NULL,
  content jsonb,
  errors jsonb NOT NULL,
  queries integer NOT NULL CHECK (queries >= 0),
  checks integer NOT NULL CHECK (checks >= 1),
  duration_ms real NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  UNIQUE (run_id, seq),
  FOREIGN KEY (run_id, seq) REFERENCES run_documents (run_id, seq)
);
CREATE INDEX verifications_by_created ON verifications (created_at);
`,
  },
  {
    id: 6,
    name: 'monitoring rollups',
    sql: `
-- Monitoring reads a window of documents by the day they arrived, across vendors too.
CREATE INDEX runs_by_created ON runs (created_at);
-- Daily rollups of days that are over (docs/operations.md#monitoring): written once per day, never
-- updated, so a 90-day page reads a few thousand rows instead of joining every document of a year.
CREATE TABLE monitoring_rollups (
  day date PRIMARY KEY,
  computed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  computed_by text NOT NULL
);
CREATE TABLE monitoring_daily (
  day date NOT NULL,
  vendor_id text NOT NULL,
  profile text,
  verdict text,
  target text,
  outcome text,
  class text,
  documents integer NOT NULL
);
CREATE INDEX monitoring_daily_by_day ON monitoring_daily (day, vendor_id);
CREATE INDEX monitoring_daily_by_vendor ON monitoring_daily (vendor_id, day);
-- Rules and times also keep the day's totals across vendors (vendor_id NULL) for MedCom's page.
CREATE TABLE monitoring_daily_rules (
  day date NOT NULL,
  vendor_id text,
  rule_id text NOT NULL,
  documents integer NOT NULL,
  example_run uuid NOT NULL,
  example_seq integer NOT NULL
);
CREATE INDEX monitoring_daily_rules_by_day ON monitoring_daily_rules (day, vendor_id);
CREATE INDEX monitoring_daily_rules_by_vendor ON monitoring_daily_rules (vendor_id, day);
CREATE TABLE monitoring_daily_verifications (
  day date NOT NULL,
  vendor_id text NOT NULL,
  target text NOT NULL,
  outcome text NOT NULL,
  documents integer NOT NULL
);
CREATE INDEX monitoring_daily_verifications_by_day ON monitoring_daily_verifications (day, vendor_id);
CREATE INDEX monitoring_daily_verifications_by_vendor ON monitoring_daily_verifications (vendor_id, day);
-- Upload-to-stored times as a histogram of 2 % wide buckets (bucket = floor(50 * ln(ms))): percentiles
-- of any window come from summed counts, which exact values kept per document could not give cheaply.
CREATE TABLE monitoring_daily_times (
  day date NOT NULL,
  vendor_id text,
  bucket smallint NOT NULL,
  documents integer NOT NULL
);
CREATE INDEX monitoring_daily_times_by_day ON monitoring_daily_times (day, vendor_id);
CREATE INDEX monitoring_daily_times_by_vendor ON monitoring_daily_times (vendor_id, day);
`,
  },
  {
    id: 7,
    name: 'validation header',
    sql: `
-- The CDA header facts the validator read (CdaHeader): the submit job derives the metadata from
-- them instead of parsing the document again. Patient data like the stored document itself; NULL
-- for records written before (the submit job parses those).
ALTER TABLE validations ADD COLUMN header jsonb;
`,
  },
];

/** Lock id per schema, so test runs in their own schemas do not wait for each other. */
const LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('kih-certify migrate ' || $1::text))`;

/**
 * Brings the schema up to date in one transaction (PostgreSQL DDL is transactional, so a failed
 * migration leaves nothing half-applied). Returns the ids applied now.
 */
export async function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(LOCK_SQL, [db.schema]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${db.schema}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${db.schema}.schema_migrations (
         id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`
    );
    const done = new Set(
      (await tx.query<{ id: number }>(`SELECT id FROM ${db.schema}.schema_migrations`)).map((r) => r.id)
    );
    const known = new Set(migrations.map((m) => m.id));
    const unknown = [...done].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new KihError(
        'STORE_ERR_MIGRATION',
        `The database schema "${db.schema}" has migrations this version does not know (${unknown.join(', ')}); a newer release has run against it.`
      );
    }
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.id - b.id)) {
      if (done.has(m.id)) {
        continue;
      }
      try {
        await tx.query(m.sql);
      } catch (err) {
        throw new KihError(
          'STORE_ERR_MIGRATION',
          `Migration ${m.id} (${m.name}) failed: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err }
        );
      }
      await tx.query(`INSERT INTO ${db.schema}.schema_migrations (id, name) VALUES ($1, $2)`, [m.id, m.name]);
      applied.push(m.id);
    }
    return applied;
  });
}

export interface MigrationStatus {
  /** Every known migration is applied and none unknown: this release's schema. */
  readonly current: boolean;
  /** Known migrations not applied yet (a worker of this release will apply them at start). */
  readonly pending: readonly number[];
  /** Applied migrations this release does not know (a newer release migrated the database). */
  readonly unknown: readonly number[];
}

/** Reads which migrations the database has, without changing anything (readiness checks). */
export async function migrationStatus(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS
): Promise<MigrationStatus> {
  const exists = await db.query<{ found: string | null }>(`SELECT to_regclass($1) AS found`, [
    `${db.schema}.schema_migrations`,
  ]);
  const done = exists[0]?.found
    ? new Set((await db.query<{ id: number }>(`SELECT id FROM ${db.schema}.schema_migrations`)).map((r) => r.id))
    : new Set<number>();
  const known = new Set(migrations.map((m) => m.id));
  const pending = [...known].filter((id) => !done.has(id)).sort((a, b) => a - b);
  const unknown = [...done].filter((id) => !known.has(id)).sort((a, b) => a - b);
  return { current: pending.length === 0 && unknown.length === 0, pending, unknown };
}
