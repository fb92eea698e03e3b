import { AppError } from '../../lib/errors.js';

/**
 * The numbered schema migrations of both stores, written once in PostgreSQL's types and
 * translated for SQLite (`sqliteMigrations`). Append only: a released migration never changes.
 * Times are epoch milliseconds (BIGINT); definitions are kept as their exact JSON text (TEXT,
 * not JSONB, so a config sync can compare it).
 */

export interface Migration {
  version: number;
  sql: string;
  /** SQLite's own spelling, where no translation of `sql` exists (a column's type change). */
  sqlite?: string;
}

const SOURCE: ReadonlyArray<Migration> = [
  {
    version: 1,
    sql: `
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE checks (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  managed BOOLEAN NOT NULL DEFAULT FALSE,
  name TEXT NOT NULL,
  slug TEXT NOT NULL,
  def TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  last_ping BIGINT,
  last_start BIGINT,
  last_start_rid TEXT,
  last_duration BIGINT,
  n_pings BIGINT NOT NULL DEFAULT 0,
  alert_after BIGINT,
  down_since BIGINT,
  next_reminder BIGINT
);
CREATE INDEX checks_slug ON checks (slug);

CREATE TABLE pings (
  check_id BIGINT NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  n BIGINT NOT NULL,
  kind TEXT NOT NULL,
  at BIGINT NOT NULL,
  method TEXT NOT NULL,
  rid TEXT,
  exit_status INTEGER,
  duration BIGINT,
  remote_addr TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  scheme TEXT NOT NULL,
  body TEXT,
  PRIMARY KEY (check_id, n)
);

CREATE TABLE flips (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  check_id BIGINT NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  at BIGINT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX flips_check_at ON flips (check_id, at);

CREATE TABLE outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grp TEXT NOT NULL,
  check_uuid TEXT NOT NULL,
  channel TEXT NOT NULL,
  event TEXT NOT NULL,
  is_fallback BOOLEAN NOT NULL DEFAULT FALSE,
  fallback TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  tries INTEGER NOT NULL DEFAULT 0,
  due_at BIGINT NOT NULL,
  caused_at BIGINT NOT NULL,
  claimed_until BIGINT,
  created_at BIGINT NOT NULL,
  finished_at BIGINT,
  last_error TEXT
);
CREATE INDEX outbox_status_due ON outbox (status, due_at);
CREATE INDEX outbox_grp ON outbox (grp);
CREATE INDEX outbox_check ON outbox (check_uuid, id);

CREATE TABLE api_keys (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  read_only BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL
);
`,
  },
  {
    version: 2,
    sql: `
ALTER TABLE checks ADD COLUMN probe_streak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checks ADD COLUMN n_results BIGINT NOT NULL DEFAULT 0;

CREATE TABLE probe_results (
  check_id BIGINT NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  n BIGINT NOT NULL,
  at BIGINT NOT NULL,
  ok BOOLEAN NOT NULL,
  latency_ms DOUBLE PRECISION NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (check_id, n)
);

CREATE TABLE probe_hourly (
  check_id BIGINT NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  hour BIGINT NOT NULL,
  probes INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  latency_sum DOUBLE PRECISION NOT NULL,
  latency_max DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (check_id, hour)
);
`,
  },
  {
    // Ping bodies are bytes, stored and returned unchanged (non-UTF-8 too); open runs give
    // overlapping runs each their duration.
    version: 3,
    sql: `
ALTER TABLE pings ALTER COLUMN body TYPE BYTEA USING convert_to(body, 'UTF8');
ALTER TABLE checks ADD COLUMN open_runs TEXT;
`,
    sqlite: `
ALTER TABLE pings RENAME COLUMN body TO body_text;
ALTER TABLE pings ADD COLUMN body BLOB;
UPDATE pings SET body = CAST(body_text AS BLOB) WHERE body_text IS NOT NULL;
ALTER TABLE pings DROP COLUMN body_text;
ALTER TABLE checks ADD COLUMN open_runs TEXT;
`,
  },
  {
    // The last delivery outcome per channel: a channel whose last try failed for good makes its
    // checks unrouted.
    version: 4,
    sql: `
CREATE TABLE channel_outcomes (
  channel TEXT PRIMARY KEY,
  at BIGINT NOT NULL,
  ok BOOLEAN NOT NULL,
  permanent BOOLEAN NOT NULL,
  error TEXT,
  fingerprint TEXT NOT NULL
);
`,
  },
  {
    // Dashboard sessions, in the store so several instances on one PostgreSQL share them. The id
    // is kept hashed: a leaked database does not log anyone in.
    version: 5,
    sql: `
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
`,
  },
];

export const POSTGRES_MIGRATIONS: ReadonlyArray<Migration> = SOURCE;

/** SQLite's spelling: an INTEGER PRIMARY KEY is the rowid; integers and booleans are INTEGER. */
export const SQLITE_MIGRATIONS: ReadonlyArray<Migration> = SOURCE.map((m) => ({
  version: m.version,
  sql: (m.sqlite ?? m.sql)
    .replaceAll('BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', 'INTEGER PRIMARY KEY')
    .replaceAll('DEFAULT FALSE', 'DEFAULT 0')
    .replaceAll('BOOLEAN', 'INTEGER')
    .replaceAll('BIGINT', 'INTEGER')
    .replaceAll('DOUBLE PRECISION', 'REAL'),
}));

export const LATEST_SCHEMA = SOURCE[SOURCE.length - 1]?.version ?? 0;

/** The migrations a database at `current` still needs; refuses a database from a newer alertpath. */
export function pendingMigrations(all: ReadonlyArray<Migration>, current: number): Migration[] {
  if (current > LATEST_SCHEMA)
    throw new AppError(
      'AP_UNAVAILABLE',
      `the database was written by a newer alertpath (schema ${current}, this one knows ${LATEST_SCHEMA})`,
    );
  return all.filter((m) => m.version > current);
}
