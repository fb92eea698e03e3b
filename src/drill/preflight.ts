import type { AmAlert, AmStatus } from './alertmanager.js';
import { compactDuration, isoTime, type StepName } from './model.js';
import type { ObservedChannel, ObservedCheck, ObservedNotification } from './observer.js';

/**
 * The preflight's judgement, pure: from what the observer and the Alertmanagers answered, one
 * finding per step, each failure its own line. It catches the quiet failures a manual drill
 * misses: a grace that drifted to 48 h, a channel whose last send failed, a deadman that is
 * already silenced.
 */

export interface PreflightFacts {
  /** Now, on the observer's clock. */
  now: number;
  check: ObservedCheck;
  /** undefined when the check's channels are not visible (read-only key). */
  channels: ObservedChannel[] | 'forbidden' | undefined;
  notifications: ObservedNotification[] | 'unsupported' | 'forbidden' | undefined;
  alertmanagers: Array<{ url: string; status?: AmStatus; alerts?: AmAlert[]; error?: string }>;
}

export interface PreflightSettings {
  alert: string;
  maxDetectMs: number;
  timeoutMs: number | undefined;
  /** A drill needs to see the channels; a preflight can do without (read-only keys). */
  preflightOnly: boolean;
}

export interface Finding {
  name: StepName;
  ok: boolean;
  detail: string;
}

/** Slack for the observer's whole-second timestamps and a late-by-a-little deadman. */
const PING_AGE_SLACK_MS = 2000;

export function evaluatePreflight(facts: PreflightFacts, settings: PreflightSettings): Finding[] {
  return [
    checkFinding(facts),
    detectWindowFinding(facts.check, settings),
    ...channelFindings(facts, settings.preflightOnly),
    ...facts.alertmanagers.map((am) => alertmanagerFinding(am, settings.alert, facts.alertmanagers.length)),
  ];
}

export function describeCheck(check: ObservedCheck): string {
  return `"${check.name || check.slug}" (${check.uuid ?? check.id})`;
}

export function observerName(check: ObservedCheck): string {
  return check.flavor === 'alertpath' ? 'alertpath watch' : 'Healthchecks';
}

function checkFinding({ check, now }: PreflightFacts): Finding {
  const name = 'check';
  const who = `check ${describeCheck(check)} on ${observerName(check)}`;
  if (check.probe)
    return { name, ok: false, detail: `${who} is a probe, not a deadman check that receives pings` };
  switch (check.status) {
    case 'up':
      break;
    case 'down':
      return {
        name,
        ok: false,
        detail: `${who} is down already: the deadman is not arriving, fix that first`,
      };
    case 'grace':
      return {
        name,
        ok: false,
        detail: `${who} is late (in its grace time): the deadman is not arriving on time`,
      };
    case 'new':
      return { name, ok: false, detail: `${who} has never received a ping: the deadman is not arriving` };
    case 'paused':
      return { name, ok: false, detail: `${who} is paused: it would never page` };
    default:
      return { name, ok: false, detail: `${who} has status "${check.status}", not up` };
  }
  if (check.lastPing === null) return { name, ok: false, detail: `${who} has no last ping` };
  const age = Math.max(0, now - check.lastPing);
  if (check.periodMs !== undefined && age > check.periodMs + PING_AGE_SLACK_MS) {
    return {
      name,
      ok: false,
      detail: `${who}: last ping ${compactDuration(age)} ago, longer than its period ${compactDuration(check.periodMs)}: the deadman is not arriving`,
    };
  }
  return { name, ok: true, detail: `${who} is up; last ping ${compactDuration(age)} ago` };
}

function detectWindowFinding(check: ObservedCheck, settings: PreflightSettings): Finding {
  const name = 'detect-window';
  if (check.periodMs === undefined) {
    return {
      name,
      ok: false,
      detail: `the check has ${check.schedule ? `a cron schedule ("${check.schedule}")` : 'no period'}: a deadman check needs a period (timeout) so that time-to-page is bounded`,
    };
  }
  const window = check.periodMs + check.graceMs;
  const sum = `period ${compactDuration(check.periodMs)} + grace ${compactDuration(check.graceMs)} = ${compactDuration(window)}`;
  if (window > settings.maxDetectMs) {
    return {
      name,
      ok: false,
      detail: `${sum} exceeds --max-detect ${compactDuration(settings.maxDetectMs)}: a silent Alertmanager would page after ${compactDuration(window)} at the earliest`,
    };
  }
  if (settings.timeoutMs !== undefined && settings.timeoutMs < window) {
    return {
      name,
      ok: false,
      detail: `--timeout ${compactDuration(settings.timeoutMs)} is shorter than ${sum}: the page cannot come in time`,
    };
  }
  return { name, ok: true, detail: `${sum} ≤ --max-detect ${compactDuration(settings.maxDetectMs)}` };
}

function channelFindings(
  { check, channels, notifications }: PreflightFacts,
  preflightOnly: boolean,
): Finding[] {
  const name = 'channels';
  if (check.channels === undefined) {
    return preflightOnly
      ? [{ name, ok: true, detail: 'not visible with a read-only API key (not checked)' }]
      : [
          {
            name,
            ok: false,
            detail:
              'not visible with a read-only API key: a drill needs a read-write key to see where the page goes (a read-only key is enough for --preflight-only)',
          },
        ];
  }
  if (check.channels.length === 0)
    return [
      { name, ok: false, detail: `check ${describeCheck(check)} has no channel: nobody would be paged` },
    ];
  const known = Array.isArray(channels) ? channels : [];
  const named = check.channels.map((id) => {
    const ch = known.find((c) => c.id === id || c.name === id);
    return { key: id, label: ch ? `${ch.name || ch.id} (${ch.kind})` : id, name: ch?.name ?? id };
  });
  const failures: Finding[] = [];
  if (Array.isArray(notifications)) {
    for (const ch of named) {
      const last = notifications
        .filter(
          (n) =>
            (n.channel === ch.key || n.channel === ch.name) && (n.status === 'sent' || n.status === 'failed'),
        )
        .sort((a, b) => (b.finished ?? b.created) - (a.finished ?? a.created))[0];
      if (last?.status === 'failed') {
        failures.push({
          name,
          ok: false,
          detail: `channel "${ch.name}" failed its last notification (${isoTime(last.finished ?? last.created)}, ${last.tries} tries)${last.error ? `: ${last.error}` : ''}`,
        });
      }
    }
  }
  if (failures.length > 0) return failures;
  const outcome = Array.isArray(notifications)
    ? 'no last notification failed'
    : notifications === 'unsupported'
      ? 'this observer does not expose notification outcomes'
      : 'notification outcomes not readable with this API key';
  return [
    {
      name,
      ok: true,
      detail: `${named.length} channel${named.length === 1 ? '' : 's'}: ${named.map((c) => c.label).join(', ')}; ${outcome}`,
    },
  ];
}

function alertmanagerFinding(
  am: PreflightFacts['alertmanagers'][number],
  alertname: string,
  count: number,
): Finding {
  const name = 'alertmanager';
  if (am.error !== undefined || !am.status || !am.alerts)
    return { name, ok: false, detail: am.error ?? `${am.url}: no answer` };
  const cluster = am.status.cluster;
  const peers = cluster.peers?.length ?? 0;
  if (count > 1 && cluster.status === 'disabled')
    return {
      name,
      ok: false,
      detail: `${am.url} is not clustered (cluster disabled): a silence made on another Alertmanager would not reach it`,
    };
  const mine = am.alerts.filter((a) => a.labels.alertname === alertname);
  if (mine.length === 0)
    return {
      name,
      ok: false,
      detail: `no "${alertname}" alert is firing on ${am.url}: is the deadman rule loaded, and does Prometheus send to this Alertmanager?`,
    };
  const active = mine.filter((a) => a.status.state === 'active');
  const clusterText =
    cluster.status === 'disabled' ? 'single node' : `cluster ${cluster.status}, ${peers} peers`;
  if (active.length === 0) {
    const silenced = [...new Set(mine.flatMap((a) => a.status.silencedBy ?? []))];
    const inhibited = [...new Set(mine.flatMap((a) => a.status.inhibitedBy ?? []))];
    const why =
      silenced.length > 0
        ? `silenced already (silence ${silenced.join(', ')})`
        : inhibited.length > 0
          ? `inhibited (by ${inhibited.join(', ')})`
          : `in state ${mine[0]?.status.state}`;
    return {
      name,
      ok: false,
      detail: `"${alertname}" on ${am.url} is ${why}: the deadman is not being sent`,
    };
  }
  const receivers = [...new Set(active.flatMap((a) => (a.receivers ?? []).map((r) => r.name)))];
  return {
    name,
    ok: true,
    detail: `${am.url}: "${alertname}" firing${receivers.length > 0 ? ` (receivers: ${receivers.join(', ')})` : ''}; ${clusterText}`,
  };
}
