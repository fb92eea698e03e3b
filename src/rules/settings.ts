import { tryParseDuration } from '../lib/duration.js';
import { usageError } from '../lib/errors.js';

/**
 * The pack's settings: every value a `--set KEY=VALUE` may override, with its default. A rule
 * refers to a setting as `$[key]` (or `$[key:seconds]` for a duration as a number of seconds);
 * inside `expr` the value is written as PromQL (escaped for its place), elsewhere as plain text.
 */

export type SettingKind = 'duration' | 'window' | 'count' | 'name' | 'regex' | 'tag' | 'tags' | 'matchers';

export interface SettingDef {
  key: string;
  kind: SettingKind;
  default: string;
  summary: string;
}

/** A setting's value after validation, in each of the forms a rule can ask for. */
export interface SettingValue {
  /** As written into PromQL (inside the quotes or brackets the rule puts it in). */
  promql: string;
  /** As written into `for:`, labels and annotations. */
  text: string;
  /** Durations only: whole seconds. */
  seconds?: number;
}

export const SETTINGS: readonly SettingDef[] = [
  {
    key: 'kps.release',
    kind: 'name',
    default: 'kube-prometheus-stack',
    summary:
      'the `release` label of the PrometheusRule: the Helm release name that kube-prometheus-stack selects rules by',
  },
  {
    key: 'alertmanager.selector',
    kind: 'matchers',
    default: '',
    summary: 'extra label matchers for the alertmanager_* series, e.g. namespace="monitoring"',
  },
  {
    key: 'alertmanager.failingFor',
    kind: 'duration',
    default: '10m',
    summary: 'how long an integration keeps failing before the alert fires',
  },
  {
    key: 'alertmanager.expectedMembers',
    kind: 'count',
    default: '2',
    summary: 'cluster members each clustered Alertmanager should see (its replicas)',
  },
  {
    key: 'alertmanager.degradedFor',
    kind: 'duration',
    default: '10m',
    summary: 'how long the cluster may miss peers',
  },
  {
    key: 'alertmanager.reloadFailedFor',
    kind: 'duration',
    default: '10m',
    summary: 'how long a failed configuration reload may last',
  },
  {
    key: 'relay.selector',
    kind: 'matchers',
    default: '',
    summary: 'extra label matchers for the alertpath_relay_* series, e.g. job="alertpath-relay"',
  },
  {
    key: 'relay.failingFor',
    kind: 'duration',
    default: '10m',
    summary: 'how long deliveries keep failing (503/502 answers to Alertmanager)',
  },
  {
    key: 'relay.rateLimitedFor',
    kind: 'duration',
    default: '15m',
    summary: 'how long Discord keeps answering 429',
  },
  {
    key: 'relay.heartbeatFailingFor',
    kind: 'duration',
    default: '10m',
    summary: 'how long heartbeat pings to the external deadman keep failing',
  },
  {
    key: 'relay.deployment',
    kind: 'name',
    default: 'alertpath-relay',
    summary: "the relay's Deployment name, as kube-state-metrics reports it",
  },
  {
    key: 'relay.minReplicas',
    kind: 'count',
    default: '2',
    summary: 'available relay replicas below which the alert fires',
  },
  {
    key: 'relay.replicasLowFor',
    kind: 'duration',
    default: '10m',
    summary: 'how long the relay may run below relay.minReplicas',
  },
  {
    key: 'watch.selector',
    kind: 'matchers',
    default: '',
    summary: 'extra label matchers for the alertpath_watch_* series, e.g. job="alertpath-watch"',
  },
  {
    key: 'watch.failedWindow',
    kind: 'window',
    default: '1h',
    summary: 'the alert fires while a notification failed within this window',
  },
  {
    key: 'watch.unroutedFor',
    kind: 'duration',
    default: '5m',
    summary: 'how long a check may page nobody',
  },
  {
    key: 'pve.job',
    kind: 'regex',
    default: '.*pve.*',
    summary: "regex for the `job` label of prometheus-pve-exporter's scrape job",
  },
  {
    key: 'pve.guestDownFor',
    kind: 'duration',
    default: '5m',
    summary: 'how long an onboot guest may be stopped',
  },
  {
    key: 'pve.noAlertTags',
    kind: 'tags',
    default: 'no-alert',
    summary: 'Proxmox tags (comma-separated) that silence a guest for good (besides maintenance.tag)',
  },
  {
    key: 'pve.nodeDownFor',
    kind: 'duration',
    default: '2m',
    summary: 'how long a Proxmox node may be offline',
  },
  {
    key: 'pve.quorumDegradedFor',
    kind: 'duration',
    default: '5m',
    summary:
      'how long a cluster may lack quorum or votes (keep it under 15m minus the textfile timer period)',
  },
  {
    key: 'pve.qdeviceDownFor',
    kind: 'duration',
    default: '5m',
    summary: 'how long the QDevice may be disconnected',
  },
  {
    key: 'pve.exporterDownFor',
    kind: 'duration',
    default: '5m',
    summary: 'how long the exporter may fail its scrapes',
  },
  {
    key: 'pve.haErrorFor',
    kind: 'duration',
    default: '5m',
    summary: 'how long an HA-managed guest may sit in the error state',
  },
  {
    key: 'maintenance.tag',
    kind: 'tag',
    default: 'maintenance',
    summary: 'the Proxmox tag that marks a guest as down on purpose (silences it until stale)',
  },
  {
    key: 'maintenance.staleAfter',
    kind: 'duration',
    default: '24h',
    summary: 'how long a guest may carry maintenance.tag',
  },
  {
    key: 'host.textfiles',
    kind: 'regex',
    default: '.*',
    summary: "regex for node_textfile_mtime_seconds's `file` label: the textfiles written by a timer",
  },
  {
    key: 'host.textfilePeriod',
    kind: 'window',
    default: '10m',
    summary: 'the period of the timers that write the textfiles; a file is stale after 3 × this',
  },
  {
    key: 'host.textfileErrorFor',
    kind: 'duration',
    default: '5m',
    summary: 'how long node_exporter may fail to read a textfile',
  },
];

const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));

export type Settings = ReadonlyMap<string, SettingValue>;

/**
 * The settings in force: the defaults, then each `KEY=VALUE` in order. An unknown key or a value
 * its kind refuses is a usage error (one line, exit 2).
 */
export function resolveSettings(assignments: readonly string[] = []): Settings {
  const raw = new Map(SETTINGS.map((s) => [s.key, s.default]));
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw usageError(`--set ${JSON.stringify(assignment)}: expected KEY=VALUE`);
    const key = assignment.slice(0, eq).trim();
    if (!BY_KEY.has(key))
      throw usageError(
        `--set: unknown key "${key}" (alertpath rules --list shows the keys and their defaults)`,
      );
    raw.set(key, assignment.slice(eq + 1).trim());
  }
  const out = new Map<string, SettingValue>();
  for (const def of SETTINGS) out.set(def.key, parseValue(def, raw.get(def.key) ?? def.default));
  return out;
}

export function settingDef(key: string): SettingDef | undefined {
  return BY_KEY.get(key);
}

const PROM_DURATION = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;
export const K8S_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** Proxmox's tag format (pve-common's PVE::JSONSchema pve-tag). */
const PVE_TAG = /^[a-z0-9_][a-z0-9_\-+.]*$/i;
const MATCHER = String.raw`[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"`;
const MATCHERS = new RegExp(String.raw`^\s*(?:${MATCHER}\s*(?:,\s*${MATCHER}\s*)*,?)?\s*$`);

function parseValue(def: SettingDef, value: string): SettingValue {
  const bad = (expected: string): never => {
    throw usageError(`--set ${def.key}=${JSON.stringify(value)}: expected ${expected}`);
  };
  switch (def.kind) {
    case 'duration':
    case 'window': {
      const ms = tryParseDuration(value);
      if (ms === undefined) return bad('a duration such as 30s, 5m, 1h30m or 24h');
      if (ms % 1000 !== 0) return bad('a duration in whole seconds');
      if (def.kind === 'window' && ms === 0) return bad('a duration above zero');
      const text = PROM_DURATION.test(value) && value !== '' ? value : promDuration(ms);
      return { promql: text, text, seconds: ms / 1000 };
    }
    case 'count': {
      if (!/^\d+$/.test(value) || Number(value) < 1) return bad('a whole number of at least 1');
      return { promql: String(Number(value)), text: String(Number(value)) };
    }
    case 'name':
      if (!K8S_NAME.test(value)) return bad('a Kubernetes name (lower-case letters, digits and -)');
      return { promql: value, text: value };
    case 'regex':
      if (value === '') return bad('a regular expression (RE2), e.g. .*pve.*');
      return { promql: promqlString(value), text: value };
    case 'tag':
      if (!PVE_TAG.test(value)) return bad('a Proxmox tag (letters, digits, _ - + .)');
      return { promql: promqlString(regexEscape(value)), text: value };
    case 'tags': {
      const tags = value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      if (tags.length === 0 || !tags.every((t) => PVE_TAG.test(t)))
        return bad('Proxmox tags separated by commas, e.g. no-alert,keep-off');
      return { promql: tags.map((t) => promqlString(regexEscape(t))).join('|'), text: tags.join(', ') };
    }
    case 'matchers':
      if (!MATCHERS.test(value))
        return bad('label matchers such as job="alertpath-relay",namespace=~"mon.*"');
      return { promql: value.trim().replace(/,$/, ''), text: value.trim() };
  }
}

/** Milliseconds (whole seconds) as a Prometheus duration: 5400000 → 1h30m. */
function promDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms / 1000;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** The body of a PromQL double-quoted string. */
function promqlString(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function regexEscape(s: string): string {
  return s.replace(/[.+*?^$()[\]{}|\\]/g, (c) => `\\${c}`);
}
