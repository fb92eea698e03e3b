/**
 * The check model, shared by the state machine, the store and the APIs. Times are epoch
 * milliseconds; durations are milliseconds. Same meaning as Healthchecks.io.
 */

/** Stored statuses. `late` is never stored: it is derived from the schedule (see `statusAt`). */
export type StoredStatus = 'new' | 'up' | 'down' | 'paused';
export type CheckStatus = StoredStatus | 'late';

export type PingKind = 'success' | 'fail' | 'start' | 'log' | 'ign';
export type FlipReason = 'timeout' | 'fail' | 'success' | 'probe' | 'pause' | 'resume';

export interface MaintenanceWindow {
  cron: string;
  durationMs: number;
  tz: string;
}

/**
 * Healthchecks' keyword filters, field for field. The keyword lists are comma-separated and kept
 * as given; `httpBody` (filter_http_body) is what makes HTTP ping bodies be classified by them.
 * `subject` and `body` are Healthchecks' e-mail filters: stored and returned, with no effect here
 * (watch receives no e-mail).
 */
export interface KeywordFilter {
  startKw: string;
  successKw: string;
  failureKw: string;
  httpBody: boolean;
  /** With filtering on, a body that matches no keyword is a fail (else ign). */
  defaultFail: boolean;
  subject: boolean;
  body: boolean;
}

export const NO_FILTER: KeywordFilter = {
  startKw: '',
  successKw: '',
  failureKw: '',
  httpBody: false,
  defaultFail: false,
  subject: false,
  body: false,
};

export type Schedule =
  /** `tz` is remembered for a later cron or OnCalendar schedule, as Healthchecks does. */
  | { kind: 'simple'; periodMs: number; tz?: string }
  | { kind: 'cron'; cron: string; tz: string }
  /** systemd OnCalendar expressions, one per line (./oncalendar.ts). */
  | { kind: 'oncalendar'; onCalendar: string; tz: string }
  | { kind: 'probe'; intervalMs: number };

export type ProbeType = 'http' | 'tcp' | 'dns' | 'tls';

/**
 * What the state machine needs to know about an active probe (kind `probe`). The full probe
 * settings (headers, CA, conditions) live in the config, not in the store: headers may carry
 * secrets.
 */
export interface ProbeInfo {
  type: ProbeType;
  /** What is probed, for people: the URL, `host:port`, `example.net A via 1.1.1.1`. */
  target: string;
  timeoutMs: number;
  /** Consecutive failures before down (flap damping). */
  failureThreshold: number;
  /** Consecutive successes before up. */
  successThreshold: number;
}

/** One probe result, as the prober hands it to the state machine and the history. */
export interface ProbeResult {
  at: number;
  ok: boolean;
  latencyMs: number;
  /** The failing condition (`HTTP 503 from https://…`), or a short summary of a success. */
  message: string;
}

/** What a check is: from the config file (managed) or from the API / `?create=1`. */
export interface CheckDef {
  name: string;
  slug: string;
  tags: string[];
  desc: string;
  schedule: Schedule;
  graceMs: number;
  manualResume: boolean;
  /** `POST`: only POST requests count as pings (others are `ign`), as in Healthchecks. */
  methods: '' | 'POST';
  /** Alertmanager-aware pings (a resolved payload is `ign`). Default true. */
  alertmanager: boolean;
  /** Keyword filters; undefined = none set. */
  filter?: KeywordFilter;
  /** Channel names; undefined = the defaults' channels. */
  channels?: string[];
  /** Reminder interval while down; undefined = defaults, 0 = never. */
  repeatMs?: number;
  /** undefined = the defaults' windows. */
  maintenance?: MaintenanceWindow[];
  /** Set for checks of kind probe (`schedule.kind === 'probe'`). */
  probe?: ProbeInfo;
}

/** What a check is doing: everything the state machine changes. */
/** A started run not yet completed, for the duration of its completion (per rid, as Healthchecks). */
export interface OpenRun {
  rid: string | null;
  at: number;
}

export interface CheckState {
  status: StoredStatus;
  lastPing: number | null;
  /** The latest start (Healthchecks' `last_start`): set while the check is `started`. */
  lastStart: number | null;
  lastStartRid: string | null;
  lastDuration: number | null;
  nPings: number;
  /** When the check goes down unless pinged (null when it cannot go down by timeout). */
  alertAfter: number | null;
  /** When the current down period began (for "UP again after …"). */
  downSince: number | null;
  /** Next reminder while down (null: none). */
  nextReminder: number | null;
  /** Probes: consecutive successes (> 0) or failures (< 0) so far; 0 for other checks. */
  probeStreak: number;
  /** Starts whose completion has not come yet, oldest first (at most MAX_OPEN_RUNS). */
  runs: OpenRun[];
}

export interface CheckRecord {
  uuid: string;
  managed: boolean;
  createdAt: number;
  def: CheckDef;
  state: CheckState;
}

export function initialState(): CheckState {
  return {
    status: 'new',
    lastPing: null,
    lastStart: null,
    lastStartRid: null,
    lastDuration: null,
    nPings: 0,
    alertAfter: null,
    downSince: null,
    nextReminder: null,
    probeStreak: 0,
    runs: [],
  };
}

/** Healthchecks' defaults for a check created through the API or `?create=1`: daily, 1 h grace. */
export function defaultDef(name = '', slug = ''): CheckDef {
  return {
    name,
    slug,
    tags: [],
    desc: '',
    schedule: { kind: 'simple', periodMs: 86_400_000 },
    graceMs: 3_600_000,
    manualResume: false,
    methods: '',
    alertmanager: true,
  };
}

/** The one way a check comes to be: a definition, a new identity, the `new` state. */
export function newCheck(def: CheckDef, at: { uuid: string; now: number; managed?: boolean }): CheckRecord {
  return { uuid: at.uuid, managed: at.managed ?? false, createdAt: at.now, def, state: initialState() };
}

export interface Flip {
  from: StoredStatus;
  to: StoredStatus;
  at: number;
  reason: FlipReason;
}

/** A received ping, as the ping API hands it to the domain. */
export interface PingInput {
  /** What the URL asked for: success, fail, start, log, or an exit status (0 = success). */
  action: 'success' | 'fail' | 'start' | 'log';
  exitStatus?: number;
  at: number;
  method: string;
  rid?: string;
  /** The body as text (invalid UTF-8 replaced), for classification and notifications. */
  body?: string;
  /** The body as received, stored unchanged (default: the UTF-8 of `body`). */
  bodyBytes?: Uint8Array;
  remoteAddr?: string;
  userAgent?: string;
  scheme?: string;
}

/** A ping as stored (the last N per check). */
export interface PingRecord {
  n: number;
  kind: PingKind;
  at: number;
  method: string;
  rid: string | null;
  exitStatus: number | null;
  duration: number | null;
  remoteAddr: string;
  userAgent: string;
  scheme: string;
  /** The body's bytes, as received (up to the body limit). */
  body: Uint8Array | null;
}

/** Healthchecks' "a start and its completion more than 72 h apart are unrelated". */
export const MAX_RUN_MS = 72 * 3_600_000;
/** Open runs kept per check (Healthchecks gives up on durations past ten unmatched ones). */
export const MAX_OPEN_RUNS = 10;

export const SLUG_PATTERN = /^[a-z0-9_-]+$/;
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * When the engine must look at a check next: its deadline unless down (a paused check has one
 * only while a run it started is going), its next reminder while down. The one statement of this
 * rule (the store and the engine use it).
 */
export function wakeTime(state: Pick<CheckState, 'status' | 'alertAfter' | 'nextReminder'>): number | null {
  const a = state.status !== 'down' ? state.alertAfter : null;
  const b = state.status === 'down' ? state.nextReminder : null;
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * A definition as stored by an older alertpath, in today's shape: keyword filters were lists,
 * and they always applied to HTTP bodies.
 */
export function upgradeDefinition(def: CheckDef): CheckDef {
  const f = def.filter as unknown as Record<string, unknown> | undefined;
  if (!f || !Array.isArray(f.success)) return def;
  const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : '');
  return {
    ...def,
    filter: {
      ...NO_FILTER,
      successKw: list(f.success),
      failureKw: list(f.failure),
      startKw: list(f.start),
      httpBody: true,
      defaultFail: f.defaultFail === true,
    },
  };
}

/** Healthchecks' keyword test: any of the comma-separated keywords, trimmed, in the text. */
export function matchesKeywords(text: string, keywords: string): boolean {
  for (const k of keywords.split(',')) {
    const kw = k.trim();
    if (kw.length > 0 && text.includes(kw)) return true;
  }
  return false;
}
