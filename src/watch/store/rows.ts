import {
  type CheckDef,
  type CheckRecord,
  type CheckState,
  type FlipReason,
  type OpenRun,
  type PingKind,
  type PingRecord,
  type StoredStatus,
  upgradeDefinition,
} from '../checks/model.js';
import type { Row } from './sql.js';
import type { ApiKeyRow, FlipRow, JobStatus, OutboxJob, ProbeHourRow, ProbeResultRow } from './types.js';

/**
 * The row shapes both stores read, and their mapping to and from the domain. SQLite hands
 * booleans back as 0/1, PostgreSQL as booleans; nothing else differs.
 */

export const HOUR_MS = 3_600_000;

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
  n_results: number;
  /** JSON of the open runs; null when there are none. */
  open_runs: string | null;
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

/** A check's state as the values of STATE_COLUMNS. */
function stateValues(s: CheckState): Row {
  return [
    s.status,
    s.lastPing,
    s.lastStart,
    s.lastStartRid,
    s.lastDuration,
    s.nPings,
    s.alertAfter,
    s.downSince,
    s.nextReminder,
    s.probeStreak ?? 0,
    s.runs.length > 0 ? JSON.stringify(s.runs) : null,
  ];
}

/** A check's state as its CHECK_STATE row. */
export function stateRow(id: number, s: CheckState, nResults: number): Row {
  return [id, ...stateValues(s), nResults];
}

/** A new check as its CHECK_INSERT row. */
export function checkInsertRow(r: CheckRecord): Row {
  return [
    r.uuid,
    r.managed,
    r.def.name,
    r.def.slug,
    JSON.stringify(r.def),
    r.createdAt,
    ...stateValues(r.state),
  ];
}

/** Parsed definitions by their exact text: most rows share few, and parsing per ping costs. */
export class DefinitionCache {
  private readonly cache = new Map<string, CheckDef>();

  get(text: string): CheckDef {
    let def = this.cache.get(text);
    if (!def) {
      def = upgradeDefinition(JSON.parse(text) as CheckDef);
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(text, def);
    }
    return def;
  }
}

export function toCheckRecord(row: CheckRow, defs: DefinitionCache): CheckRecord {
  return {
    uuid: row.uuid,
    managed: Boolean(row.managed),
    createdAt: row.created_at,
    def: defs.get(row.def),
    state: toCheckState(row),
  };
}

export function toCheckState(row: CheckRow): CheckState {
  return {
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
    runs: row.open_runs ? (JSON.parse(row.open_runs) as OpenRun[]) : [],
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

export interface PingRow {
  n: number;
  kind: string;
  at: number;
  method: string;
  rid: string | null;
  exit_status: number | null;
  duration: number | null;
  remote_addr: string;
  user_agent: string;
  scheme: string;
  body: Uint8Array | null;
}

export function toPing(r: PingRow): PingRecord {
  return {
    n: r.n,
    kind: r.kind as PingKind,
    at: r.at,
    method: r.method,
    rid: r.rid,
    exitStatus: r.exit_status,
    duration: r.duration,
    remoteAddr: r.remote_addr,
    userAgent: r.user_agent,
    scheme: r.scheme,
    body: r.body,
  };
}

export function toFlip(r: { at: number; from_status: string; to_status: string; reason: string }): FlipRow {
  return { at: r.at, from: r.from_status, to: r.to_status, reason: r.reason as FlipReason };
}

export function toProbeResult(r: {
  n: number;
  at: number;
  ok: boolean | number;
  latency_ms: number;
  message: string;
}): ProbeResultRow {
  return { n: r.n, at: r.at, ok: Boolean(r.ok), latencyMs: r.latency_ms, message: r.message };
}

export function toProbeHour(r: {
  hour: number;
  probes: number;
  failures: number;
  latency_sum: number;
  latency_max: number;
}): ProbeHourRow {
  return {
    hour: r.hour,
    probes: r.probes,
    failures: r.failures,
    latencySumMs: r.latency_sum,
    latencyMaxMs: r.latency_max,
  };
}

export function toApiKey(r: { name: string; hash: string; read_only: boolean | number }): ApiKeyRow {
  return { name: r.name, hash: r.hash, readOnly: Boolean(r.read_only), source: 'database' };
}
