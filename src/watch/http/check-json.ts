import { createHash } from 'node:crypto';
import { graceStart, statusAt } from '../checks/machine.js';
import type { CheckRecord, CheckStatus, PingRecord } from '../checks/model.js';
import type { ProbeHourRow, ProbeResultRow } from '../store/types.js';

/** Checks, pings and flips in Healthchecks' v3 JSON shapes (same field names and units). */

/** ISO 8601 with a `+00:00` offset and whole seconds, as Healthchecks writes timestamps. */
export function isoSeconds(ms: number | null): string | null {
  if (ms === null) return null;
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/** Healthchecks reports the grace window as `grace`. */
export function apiStatus(status: CheckStatus): string {
  return status === 'late' ? 'grace' : status;
}

/** The stable identifier read-only keys see instead of the uuid. */
export function uniqueKey(uuid: string): string {
  return createHash('sha1').update(uuid).digest('hex');
}

export interface JsonContext {
  baseUrl: string;
  now: number;
  readOnly: boolean;
  defaultChannels: string[];
}

export function checkJson(record: CheckRecord, ctx: JsonContext): Record<string, unknown> {
  const { def, state, uuid } = record;
  const expected = graceStart(def, state);
  const out: Record<string, unknown> = {
    name: def.name,
    slug: def.slug,
    tags: def.tags.join(' '),
    desc: def.desc,
    grace: Math.round(def.graceMs / 1000),
    n_pings: state.nPings,
    status: apiStatus(statusAt(def, state, ctx.now)),
    started: state.lastStart !== null,
    last_ping: isoSeconds(state.lastPing),
    next_ping: state.lastPing === null ? null : isoSeconds(expected),
    manual_resume: def.manualResume,
    methods: def.methods,
    subject: '',
    subject_fail: '',
    start_kw: (def.filter?.start ?? []).join(','),
    success_kw: (def.filter?.success ?? []).join(','),
    failure_kw: (def.filter?.failure ?? []).join(','),
    filter_subject: false,
    filter_body: def.filter !== undefined,
    last_duration: state.lastDuration === null ? null : Math.round(state.lastDuration / 1000),
    managed: record.managed,
  };
  if (def.schedule.kind === 'simple') out.timeout = Math.round(def.schedule.periodMs / 1000);
  else if (def.schedule.kind === 'cron') {
    out.schedule = def.schedule.cron;
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
  if (ctx.readOnly) {
    out.unique_key = uniqueKey(uuid);
    return out;
  }
  const api = `${ctx.baseUrl}/api/v3/checks/${uuid}`;
  if (def.probe) out.results_url = `${api}/results/`;
  out.uuid = uuid;
  out.ping_url = `${ctx.baseUrl}/ping/${uuid}`;
  out.update_url = api;
  out.pause_url = `${api}/pause`;
  out.resume_url = `${api}/resume`;
  out.channels = (def.channels ?? ctx.defaultChannels).join(',');
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

export function pingJson(p: PingRecord, bodyUrl: string): Record<string, unknown> {
  return {
    type: p.kind,
    date: isoSeconds(p.at),
    n: p.n,
    scheme: p.scheme,
    remote_addr: p.remoteAddr,
    method: p.method,
    ua: p.userAgent,
    rid: p.rid,
    ...(p.exitStatus !== null ? { exitstatus: p.exitStatus } : {}),
    ...(p.duration !== null ? { duration: p.duration / 1000 } : {}),
    ...(p.body ? { body_url: `${bodyUrl}/${p.n}/body` } : {}),
  };
}
