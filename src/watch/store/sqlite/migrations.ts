/**
 * Numbered SQLite migrations. Append only: a released migration never changes; the database
 * records the highest applied number in `PRAGMA user_version`.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE checks (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  managed INTEGER NOT NULL DEFAULT 0,
  name TEXT NOT NULL,
  slug TEXT NOT NULL,
  def TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  last_ping INTEGER,
  last_start INTEGER,
  last_start_rid TEXT,
  last_duration INTEGER,
  n_pings INTEGER NOT NULL DEFAULT 0,
  alert_after INTEGER,
  down_since INTEGER,
  next_reminder INTEGER
);
CREATE INDEX checks_slug ON checks (slug);

CREATE TABLE pings (
  check_id INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  n INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  method TEXT NOT NULL,
  rid TEXT,
  exit_status INTEGER,
  duration INTEGER,
  remote_addr TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  scheme TEXT NOT NULL,
  body TEXT,
  PRIMARY KEY (check_id, n)
);

CREATE TABLE flips (
  id INTEGER PRIMARY KEY,
  check_id INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX flips_check_at ON flips (check_id, at);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  grp TEXT NOT NULL,
  check_uuid TEXT NOT NULL,
  channel TEXT NOT NULL,
  event TEXT NOT NULL,
  is_fallback INTEGER NOT NULL DEFAULT 0,
  fallback TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  tries INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL,
  caused_at INTEGER NOT NULL,
  claimed_until INTEGER,
  created_at INTEGER NOT NULL,
  finished_at INTEGER,
  last_error TEXT
);
CREATE INDEX outbox_status_due ON outbox (status, due_at);
CREATE INDEX outbox_grp ON outbox (grp);
CREATE INDEX outbox_check ON outbox (check_uuid, id);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  read_only INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    sql: `
ALTER TABLE checks ADD COLUMN probe_streak INTEGER NOT NULL DEFAULT 0;
ALTER TABLE checks ADD COLUMN n_results INTEGER NOT NULL DEFAULT 0;

CREATE TABLE probe_results (
  check_id INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  n INTEGER NOT NULL,
  at INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (check_id, n)
);

CREATE TABLE probe_hourly (
  check_id INTEGER NOT NULL REFERENCES checks (id) ON DELETE CASCADE,
  hour INTEGER NOT NULL,
  probes INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  latency_sum REAL NOT NULL,
  latency_max REAL NOT NULL,
  PRIMARY KEY (check_id, hour)
);
`,
  },
];
