/**
 * The SQL both stores run. Every statement here is portable between SQLite and PostgreSQL, with
 * `?` placeholders (the PostgreSQL dialect numbers them). Row writes are described once as a
 * `RowShape` (table and typed columns), from which each dialect builds its statements: SQLite a
 * prepared single-row statement, PostgreSQL one multi-row statement per batch.
 */

export type SqlType = 'int' | 'float' | 'text' | 'bool' | 'bytes';
export type SqlValue = number | string | boolean | Uint8Array | null;
export type Row = SqlValue[];

export interface RowShape {
  /** `upsert` adds the row's values to the stored row with the same keys. */
  op: 'insert' | 'update' | 'delete' | 'upsert';
  table: string;
  columns: ReadonlyArray<readonly [name: string, type: SqlType]>;
  /** For updates, deletes and upserts: how many leading columns identify the row. */
  keys?: number;
}

export const CHECK_COLUMNS =
  'id, uuid, managed, def, created_at, status, last_ping, last_start, last_start_rid, last_duration, n_pings, alert_after, down_since, next_reminder, probe_streak, n_results, open_runs';

export const JOB_COLUMNS =
  'id, grp, check_uuid, channel, event, is_fallback, fallback, payload, status, tries, due_at, caused_at, created_at, finished_at, last_error';

// ---- row shapes (column order = the order of a Row's values) --------------------------------

/** What the state machine changes, in the order `stateRow` writes it. */
const STATE_COLUMNS: RowShape['columns'] = [
  ['status', 'text'],
  ['last_ping', 'int'],
  ['last_start', 'int'],
  ['last_start_rid', 'text'],
  ['last_duration', 'int'],
  ['n_pings', 'int'],
  ['alert_after', 'int'],
  ['down_since', 'int'],
  ['next_reminder', 'int'],
  ['probe_streak', 'int'],
  ['open_runs', 'text'],
];

export const CHECK_INSERT: RowShape = {
  op: 'insert',
  table: 'checks',
  columns: [
    ['uuid', 'text'],
    ['managed', 'bool'],
    ['name', 'text'],
    ['slug', 'text'],
    ['def', 'text'],
    ['created_at', 'int'],
    ...STATE_COLUMNS,
  ],
};

/** A check's state (and probe-result counter), by id. */
export const CHECK_STATE: RowShape = {
  op: 'update',
  table: 'checks',
  keys: 1,
  columns: [['id', 'int'], ...STATE_COLUMNS, ['n_results', 'int']],
};

/** A check's definition, by id. */
export const CHECK_DEF: RowShape = {
  op: 'update',
  table: 'checks',
  keys: 1,
  columns: [
    ['id', 'int'],
    ['managed', 'bool'],
    ['name', 'text'],
    ['slug', 'text'],
    ['def', 'text'],
    ['alert_after', 'int'],
  ],
};

export const CHECK_DELETE: RowShape = { op: 'delete', table: 'checks', keys: 1, columns: [['id', 'int']] };

export const PING_INSERT: RowShape = {
  op: 'insert',
  table: 'pings',
  columns: [
    ['check_id', 'int'],
    ['n', 'int'],
    ['kind', 'text'],
    ['at', 'int'],
    ['method', 'text'],
    ['rid', 'text'],
    ['exit_status', 'int'],
    ['duration', 'int'],
    ['remote_addr', 'text'],
    ['user_agent', 'text'],
    ['scheme', 'text'],
    ['body', 'bytes'],
  ],
};

export const PING_DELETE: RowShape = {
  op: 'delete',
  table: 'pings',
  keys: 2,
  columns: [
    ['check_id', 'int'],
    ['n', 'int'],
  ],
};

export const FLIP_INSERT: RowShape = {
  op: 'insert',
  table: 'flips',
  columns: [
    ['check_id', 'int'],
    ['at', 'int'],
    ['from_status', 'text'],
    ['to_status', 'text'],
    ['reason', 'text'],
  ],
};

export const JOB_INSERT: RowShape = {
  op: 'insert',
  table: 'outbox',
  columns: [
    ['grp', 'text'],
    ['check_uuid', 'text'],
    ['channel', 'text'],
    ['event', 'text'],
    ['is_fallback', 'bool'],
    ['fallback', 'text'],
    ['payload', 'text'],
    ['status', 'text'],
    ['tries', 'int'],
    ['due_at', 'int'],
    ['caused_at', 'int'],
    ['created_at', 'int'],
  ],
};

/** A try's outcome, by id; `claimed_until` is cleared with it. */
export const JOB_FINISH: RowShape = {
  op: 'update',
  table: 'outbox',
  keys: 1,
  columns: [
    ['id', 'int'],
    ['status', 'text'],
    ['finished_at', 'int'],
    ['last_error', 'text'],
    ['due_at', 'int'],
    ['claimed_until', 'int'],
  ],
};

export const RESULT_INSERT: RowShape = {
  op: 'insert',
  table: 'probe_results',
  columns: [
    ['check_id', 'int'],
    ['n', 'int'],
    ['at', 'int'],
    ['ok', 'bool'],
    ['latency_ms', 'float'],
    ['message', 'text'],
  ],
};

/** Per-hour probe aggregates, added to the stored row of the same hour. */
export const HOUR_UPSERT: RowShape = {
  op: 'upsert',
  table: 'probe_hourly',
  keys: 2,
  columns: [
    ['check_id', 'int'],
    ['hour', 'int'],
    ['probes', 'int'],
    ['failures', 'int'],
    ['latency_sum', 'float'],
    ['latency_max', 'float'],
  ],
};

const HOUR_MERGE = `ON CONFLICT (check_id, hour) DO UPDATE SET
  probes = probe_hourly.probes + excluded.probes,
  failures = probe_hourly.failures + excluded.failures,
  latency_sum = probe_hourly.latency_sum + excluded.latency_sum,
  latency_max = CASE WHEN excluded.latency_max > probe_hourly.latency_max
                THEN excluded.latency_max ELSE probe_hourly.latency_max END`;

/** The clause after an insert's VALUES: an upsert's merge (the one upsert is the hourly one). */
export function insertSuffix(shape: RowShape): string {
  return shape.op === 'upsert' ? ` ${HOUR_MERGE}` : '';
}

// ---- single-row statements, from the shapes ----------------------------------------------

/** The single-row statement of a shape, and how a row becomes its parameters. */
export function rowStatement(shape: RowShape): { sql: string; params: (row: Row) => Row } {
  if (shape.op === 'update') return { sql: updateSql(shape), params: (row) => updateParams(shape, row) };
  return { sql: shape.op === 'delete' ? deleteSql(shape) : insertSql(shape), params: (row) => row };
}

const names = (shape: RowShape) => shape.columns.map(([n]) => n);

export function insertSql(shape: RowShape): string {
  const cols = names(shape);
  return `INSERT INTO ${shape.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})${insertSuffix(shape)}`;
}

/** `UPDATE … SET <rest> = ? WHERE <keys> = ?`; its parameters are `updateParams(shape, row)`. */
export function updateSql(shape: RowShape): string {
  const cols = names(shape);
  const keys = cols.slice(0, shape.keys ?? 1);
  const sets = cols.slice(shape.keys ?? 1);
  return `UPDATE ${shape.table} SET ${sets.map((c) => `${c} = ?`).join(', ')} WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}`;
}

export function updateParams(shape: RowShape, row: Row): Row {
  const k = shape.keys ?? 1;
  return [...row.slice(k), ...row.slice(0, k)];
}

export function deleteSql(shape: RowShape): string {
  const keys = names(shape).slice(0, shape.keys ?? 1);
  return `DELETE FROM ${shape.table} WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}`;
}

// ---- reads and other statements ----------------------------------------------------------

export const SQL = {
  getSetting: 'SELECT value FROM settings WHERE key = ?',
  setSetting:
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  allChecks: `SELECT ${CHECK_COLUMNS} FROM checks ORDER BY id`,
  checkByUuid: `SELECT ${CHECK_COLUMNS} FROM checks WHERE uuid = ?`,
  checksBySlug: `SELECT ${CHECK_COLUMNS} FROM checks WHERE slug = ? ORDER BY id`,
  deleteByUuid: 'DELETE FROM checks WHERE uuid = ?',
  /** Candidates for a wake-up; the model's `wakeTime` decides which time counts. */
  wakeCandidates: `SELECT uuid, status, alert_after, next_reminder FROM checks WHERE alert_after IS NOT NULL OR next_reminder IS NOT NULL`,
  listPings: `SELECT n, kind, at, method, rid, exit_status, duration, remote_addr, user_agent, scheme, body FROM pings
    WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) ORDER BY n DESC LIMIT ?`,
  pingBody: 'SELECT body FROM pings WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) AND n = ?',
  listFlips: `SELECT at, from_status, to_status, reason FROM flips
    WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) AND at >= ? AND at < ? ORDER BY id DESC`,
  /** Every check's flips since a time (the dashboard's strips), oldest first. */
  flipsSince: `SELECT c.uuid, f.at, f.from_status, f.to_status, f.reason FROM flips f
    JOIN checks c ON c.id = f.check_id WHERE f.at >= ? ORDER BY f.id`,
  insertSession:
    'INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
  getSession:
    'SELECT id_hash, user_name, csrf, created_at, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?',
  deleteSession: 'DELETE FROM sessions WHERE id_hash = ?',
  pruneSessions: 'DELETE FROM sessions WHERE expires_at <= ?',
  listResults: `SELECT n, at, ok, latency_ms, message FROM probe_results
    WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) ORDER BY n DESC LIMIT ?`,
  listHours: `SELECT hour, probes, failures, latency_sum, latency_max FROM probe_hourly
    WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) AND hour >= ? AND hour < ? ORDER BY hour`,
  dropResults: 'DELETE FROM probe_results WHERE check_id = ? AND n <= ?',
  /** `%LOCK%` is the dialect's row-lock clause for concurrent claimers (empty for SQLite). */
  claimJobs: `UPDATE outbox SET status = 'sending', tries = tries + 1, claimed_until = ?
    WHERE id IN (SELECT id FROM outbox
                 WHERE (status = 'pending' AND due_at <= ?) OR (status = 'sending' AND claimed_until <= ?)
                 ORDER BY due_at, id LIMIT ?%LOCK%)
      AND ((status = 'pending' AND due_at <= ?) OR (status = 'sending' AND claimed_until <= ?))
    RETURNING ${JOB_COLUMNS}`,
  jobGroupOf: 'SELECT grp FROM outbox WHERE id = ?',
  jobGroup: `SELECT ${JOB_COLUMNS} FROM outbox WHERE grp = ? ORDER BY id`,
  nextJobDue: `SELECT MIN(CASE WHEN status = 'pending' THEN due_at ELSE claimed_until END) AS due FROM outbox
    WHERE status IN ('pending', 'sending')`,
  listJobs: `SELECT ${JOB_COLUMNS} FROM outbox WHERE check_uuid = ? ORDER BY id DESC LIMIT ?`,
  listKeys: 'SELECT name, hash, read_only FROM api_keys ORDER BY id',
  insertKey: 'INSERT INTO api_keys (name, hash, read_only, created_at) VALUES (?, ?, ?, ?)',
  prunePings: `DELETE FROM pings WHERE EXISTS (
    SELECT 1 FROM checks c WHERE c.id = pings.check_id AND pings.n <= c.n_pings - ?)`,
  pruneFlips: 'DELETE FROM flips WHERE at < ?',
  pruneHours: 'DELETE FROM probe_hourly WHERE hour < ?',
  pruneResults: `DELETE FROM probe_results WHERE EXISTS (
    SELECT 1 FROM checks c WHERE c.id = probe_results.check_id AND probe_results.n <= c.n_results - ?)`,
  pruneJobs: `DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < ?`,
  /** Jobs a dead process left mid-try, due again now (stores only one process uses). */
  requeueClaimed: `UPDATE outbox SET status = 'pending', due_at = ?, claimed_until = NULL WHERE status = 'sending'`,
  /** The newest outcome per channel wins, whichever instance recorded it. */
  recordChannelOutcome: `INSERT INTO channel_outcomes (channel, at, ok, permanent, error, fingerprint)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (channel) DO UPDATE SET at = excluded.at, ok = excluded.ok, permanent = excluded.permanent,
      error = excluded.error, fingerprint = excluded.fingerprint
    WHERE excluded.at >= channel_outcomes.at`,
  channelOutcomes:
    'SELECT channel, at, ok, permanent, error, fingerprint FROM channel_outcomes ORDER BY channel',
} as const;
