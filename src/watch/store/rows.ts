import type { CheckDef, CheckRecord, CheckState, StoredStatus } from '../checks/model.js';
import type { JobStatus, OutboxJob } from './types.js';

/**
 * The row shapes both stores share, and their mapping to and from the domain. SQLite hands
 * booleans back as 0/1, PostgreSQL as booleans; nothing else differs.
 */

export interface CheckRow {
  id: number;
  uuid: string;
  managed: boolean | number;
  def: string;
  created_at: number;
  status: string;
  last_ping: number | null;
  last_start: number | null;
  last_start_rid: string | null;
  last_duration: number | null;
  n_pings: number;
  alert_after: number | null;
  down_since: number | null;
  next_reminder: number | null;
  probe_streak: number;
}

export interface JobRow {
  id: number;
  grp: string;
  check_uuid: string;
  channel: string;
  event: string;
  is_fallback: boolean | number;
  fallback: string;
  payload: string;
  status: string;
  tries: number;
  due_at: number;
  caused_at: number;
  created_at: number;
  finished_at: number | null;
  last_error: string | null;
}

export const CHECK_COLUMNS =
  'id, uuid, managed, def, created_at, status, last_ping, last_start, last_start_rid, last_duration, n_pings, alert_after, down_since, next_reminder, probe_streak';

export const JOB_COLUMNS =
  'id, grp, check_uuid, channel, event, is_fallback, fallback, payload, status, tries, due_at, caused_at, created_at, finished_at, last_error';

export const HOUR_MS = 3_600_000;

/** A check's state as the columns it is stored in. */
export function stateColumns(s: CheckState) {
  return {
    status: s.status,
    last_ping: s.lastPing,
    last_start: s.lastStart,
    last_start_rid: s.lastStartRid,
    last_duration: s.lastDuration,
    n_pings: s.nPings,
    alert_after: s.alertAfter,
    down_since: s.downSince,
    next_reminder: s.nextReminder,
    probe_streak: s.probeStreak ?? 0,
  };
}

/**
 * A stored check as the domain's record. Definitions are parsed once per distinct text: most
 * rows share few definitions, and parsing one per ping would cost more than the ping itself.
 */
export function toCheckRecord(row: CheckRow, defCache: Map<string, CheckDef>): CheckRecord {
  let def = defCache.get(row.def);
  if (!def) {
    def = JSON.parse(row.def) as CheckDef;
    if (defCache.size > 200_000) defCache.clear();
    defCache.set(row.def, def);
  }
  return {
    uuid: row.uuid,
    managed: Boolean(row.managed),
    createdAt: row.created_at,
    def,
    state: {
      status: row.status as StoredStatus,
      lastPing: row.last_ping,
      lastStart: row.last_start,
      lastStartRid: row.last_start_rid,
      lastDuration: row.last_duration,
      nPings: row.n_pings,
      alertAfter: row.alert_after,
      downSince: row.down_since,
      nextReminder: row.next_reminder,
      probeStreak: row.probe_streak,
    },
  };
}

export function toJob(r: JobRow): OutboxJob {
  return {
    id: r.id,
    group: r.grp,
    checkUuid: r.check_uuid,
    channel: r.channel,
    event: r.event as OutboxJob['event'],
    isFallback: Boolean(r.is_fallback),
    fallbackChannels: JSON.parse(r.fallback) as string[],
    notification: JSON.parse(r.payload) as OutboxJob['notification'],
    status: r.status as JobStatus,
    tries: r.tries,
    dueAt: r.due_at,
    causedAt: r.caused_at,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    lastError: r.last_error,
  };
}

/** The earlier of two optional times. */
export function minDefined(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
