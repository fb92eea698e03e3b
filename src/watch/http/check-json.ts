import { createHash } from 'node:crypto';
import { isRunning, nextPingAt, statusAt } from '../checks/machine.js';
import type { CheckRecord, CheckStatus, PingRecord } from '../checks/model.js';
import type { Routing } from '../checks/routing.js';
import type { FlipRow, ProbeHourRow, ProbeResultRow } from '../store/types.js';

/** Checks, pings, flips and channels in Healthchecks' JSON shapes (same field names and units). */

export type ApiVersion = 1 | 2 | 3;

/** ISO 8601 with a `+00:00` offset and whole seconds, as Healthchecks writes timestamps. */
export function isoSeconds(ms: number | null): string | null {
  if (ms === null) return null;
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** ISO 8601 as Python writes a datetime: microseconds only when there are any. */
function isoPython(ms: number): string {
  const iso = new Date(ms).toISOString();
  const millis = iso.slice(20, 23);
  return `${iso.slice(0, 19)}${millis === '000' ? '' : `.${millis}000`}+00:00`;
}

/** Healthchecks reports the grace window as `grace`. */
export function apiStatus(status: CheckStatus | 'started'): string {
  return status === 'late' ? 'grace' : status;
}

/**
 * The stable identifier read-only keys see instead of the uuid, derived as Healthchecks derives
 * it (SHA-1 of the first 16 hex digits of the uuid), so integrations survive a move.
 */
export function uniqueKey(uuid: string): string {
  return createHash('sha1').update(uuid.replaceAll('-', '').toLowerCase().slice(0, 16)).digest('hex');
}

/** Healthchecks' integration kinds where alertpath's channel type is spelled differently. */
const HC_KIND: Record<string, string> = { pushover: 'po', pagerduty: 'pd' };

/**
 * A channel as Healthchecks lists an integration. Its `id` is its name from the config: stable
 * across restarts and instances, readable, and what a check's `channels` lists and accepts.
 */
export function channelJson(ch: { name: string; type: string }): Record<string, unknown> {
  return { id: ch.name, name: ch.name, kind: HC_KIND[ch.type] ?? ch.type };
}

export interface JsonContext {
  baseUrl: string;
  now: number;
  readOnly: boolean;
  version: ApiVersion;
  /** Who the check pages (./checks/routing.ts). */
  routing: Routing;
}

/**
 * A check as Healthchecks' `to_dict` writes it, field for field. v1 reports a running job's
 * status as `started`; v2 and v3 report the status it has and `started` separately. alertpath
 * adds `managed` (defined in the config file) and `warnings` (an unrouted check) when they apply,
 * and a probe's settings.
 */
export function checkJson(record: CheckRecord, ctx: JsonContext): Record<string, unknown> {
  const { def, state, uuid } = record;
  const f = def.filter;
  const status =
    ctx.version === 1 && isRunning(def, state, ctx.now) ? 'started' : statusAt(def, state, ctx.now);
  const out: Record<string, unknown> = {
    name: def.name,
    slug: def.slug,
    tags: def.tags.join(' '),
    desc: def.desc,
    grace: Math.floor(def.graceMs / 1000),
    n_pings: state.nPings,
    status: apiStatus(status),
    started: state.lastStart !== null,
    last_ping: isoSeconds(state.lastPing),
    next_ping: isoSeconds(nextPingAt(def, state)),
    manual_resume: def.manualResume,
    methods: def.methods,
    subject: f?.subject ? f.successKw : '',
    subject_fail: f?.subject ? f.failureKw : '',
    start_kw: f?.startKw ?? '',
    success_kw: f?.successKw ?? '',
    failure_kw: f?.failureKw ?? '',
    filter_subject: f?.subject ?? false,
    filter_body: f?.body ?? false,
    filter_http_body: f?.httpBody ?? false,
    filter_default_fail: f?.defaultFail ?? false,
    // Badges are the dashboard's, at their own URLs; the check JSON does not know them.
    badge_url: null,
  };
  // Always present (null when there is none): alertpath's contract lists it; Healthchecks omits it.
  out.last_duration = state.lastDuration === null ? null : Math.floor(state.lastDuration / 1000);
  if (ctx.readOnly) out.unique_key = uniqueKey(uuid);
  else {
    const api = `${ctx.baseUrl}/api/v${ctx.version}/checks/${uuid}`;
    out.uuid = uuid;
    out.ping_url = `${ctx.baseUrl}/ping/${uuid}`;
    out.update_url = api;
    out.pause_url = `${api}/pause`;
    out.resume_url = `${api}/resume`;
    out.channels = ctx.routing.unrouted ? '' : ctx.routing.channels.join(',');
    if (def.probe) out.results_url = `${api}/results/`;
  }
  if (def.schedule.kind === 'simple') out.timeout = Math.floor(def.schedule.periodMs / 1000);
  else if (def.schedule.kind === 'cron') {
    out.schedule = def.schedule.cron;
    out.tz = def.schedule.tz;
  } else if (def.schedule.kind === 'oncalendar') {
    out.schedule = def.schedule.onCalendar;
    out.tz = def.schedule.tz;
  } else {
    // A probe: not in Healthchecks' vocabulary; `last_ping` is the time of the last result.
    out.kind = 'probe';
    out.interval = Math.round(def.schedule.intervalMs / 1000);
    if (def.probe)
      out.probe = {
        type: def.probe.type,
        target: def.probe.target,
        timeout: def.probe.timeoutMs / 1000,
        failure_threshold: def.probe.failureThreshold,
        success_threshold: def.probe.successThreshold,
      };
  }
  if (record.managed) out.managed = true;
  if (ctx.routing.warnings.length > 0) out.warnings = ctx.routing.warnings;
  return out;
}

export function probeResultJson(r: ProbeResultRow): Record<string, unknown> {
  return {
    n: r.n,
    timestamp: isoMillis(r.at),
    ok: r.ok,
    latency_ms: Math.round(r.latencyMs * 10) / 10,
    message: r.message,
  };
}

export function probeHourJson(h: ProbeHourRow): Record<string, unknown> {
  return {
    hour: isoSeconds(h.hour),
    probes: h.probes,
    failures: h.failures,
    uptime: h.probes === 0 ? null : Math.round(((h.probes - h.failures) / h.probes) * 10_000) / 10_000,
    latency_avg_ms: h.probes === 0 ? null : Math.round((h.latencySumMs / h.probes) * 10) / 10,
    latency_max_ms: Math.round(h.latencyMaxMs * 10) / 10,
  };
}

/** ISO 8601 with milliseconds and a `+00:00` offset. */
export function isoMillis(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}+00:00`;
}

/**
 * A ping as Healthchecks lists it; `body_url` is null when the ping has no body. alertpath adds
 * `exitstatus` when the URL carried one.
 */
export function pingJson(p: PingRecord, bodyUrl: string): Record<string, unknown> {
  return {
    type: p.kind,
    date: isoPython(p.at),
    n: p.n,
    scheme: p.scheme,
    remote_addr: p.remoteAddr,
    method: p.method,
    ua: p.userAgent,
    rid: p.rid,
    body_url: p.body && p.body.length > 0 ? `${bodyUrl}/${p.n}/body` : null,
    ...(p.duration !== null ? { duration: Math.round(p.duration / 10) / 100 } : {}),
    ...(p.exitStatus !== null ? { exitstatus: p.exitStatus } : {}),
  };
}

/** A flip as Healthchecks lists it (`timestamp`, `up`), with alertpath's `from`, `to` and `reason`. */
export function flipJson(f: FlipRow): Record<string, unknown> {
  return { timestamp: isoSeconds(f.at), up: f.to === 'up' ? 1 : 0, from: f.from, to: f.to, reason: f.reason };
}
