import type {
  CheckDef,
  CheckRecord,
  CheckState,
  Flip,
  FlipReason,
  PingRecord,
  ProbeResult,
} from '../checks/model.js';
import type { Notification, NotifyEvent } from '../notify/types.js';

/**
 * The one storage contract of `watch`, async throughout, with two implementations: SQLite (one
 * process) and PostgreSQL (several instances: row locks, `UPDATE … WHERE status = 'pending'`
 * claims). Both commit concurrent transitions together (group commit).
 */

export interface NewJob {
  /** Jobs of one flip (or one reminder) share a group; fallback is per group. */
  group: string;
  channel: string;
  event: NotifyEvent;
  notification: Notification;
  /** Channels to try when every job of the group failed all its tries. */
  fallbackChannels: string[];
  dueAt: number;
  /** The deadline (or ping) that caused it: the alert delay is measured from here. */
  causedAt: number;
}

export type JobStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface OutboxJob extends NewJob {
  id: number;
  checkUuid: string;
  isFallback: boolean;
  status: JobStatus;
  /** Tries made so far, including the one being made by the claimer. */
  tries: number;
  createdAt: number;
  finishedAt: number | null;
  lastError: string | null;
}

/** Everything one transition writes, in one transaction. */
export interface TransitionWrite<T> {
  /** The new state (omitted: unchanged). */
  state?: CheckState;
  /** A ping to append (its number is the new `state.nPings`). */
  ping?: Omit<PingRecord, 'n'>;
  flip?: Flip;
  jobs?: NewJob[];
  /** A probe result to append to the history (last 1 000 per probe) and its hourly aggregate. */
  probeResult?: ProbeResult;
  result: T;
}

/** A stored probe result; `n` counts up per probe. */
export interface ProbeResultRow extends ProbeResult {
  n: number;
}

/** Per-hour aggregate of a probe's results (kept like flips, 90 days by default). */
export interface ProbeHourRow {
  /** Start of the hour, epoch ms. */
  hour: number;
  probes: number;
  failures: number;
  latencySumMs: number;
  latencyMaxMs: number;
}

/** Probe results kept per probe. */
export const PROBE_RESULTS_KEPT = 1000;

export interface FlipRow {
  at: number;
  from: string;
  to: string;
  reason: FlipReason;
}

/** A dashboard login session; `idHash` is the sha256 of the cookie's id. */
export interface SessionRow {
  idHash: string;
  user: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export interface ApiKeyRow {
  name: string;
  hash: string;
  readOnly: boolean;
  source: 'config' | 'database';
}

export interface SyncResult {
  created: string[];
  updated: string[];
  removed: string[];
}

export interface JobOutcome {
  at: number;
  ok: boolean;
  error?: string;
  /** When to try again (omitted: the job is finished). */
  retryAt?: number;
}

/** The last delivery try through one channel (test notifications included). */
export interface ChannelOutcome {
  channel: string;
  at: number;
  ok: boolean;
  /** The failure will repeat on every try (wrong token, deleted webhook…). */
  permanent: boolean;
  error: string | null;
  /** The channel config's fingerprint when it was tried. */
  fingerprint: string;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Other processes may write to it (several instances on PostgreSQL): the engine re-reads wake-up times. */
  readonly shared: boolean;
  /** Readiness: the database answers. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;

  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  listChecks(): Promise<CheckRecord[]>;
  getCheck(uuid: string): Promise<CheckRecord | undefined>;
  checksBySlug(slug: string): Promise<CheckRecord[]>;
  insertCheck(record: CheckRecord): Promise<void>;
  /** Replaces a check's definition; `state` recomputes its deadline. */
  updateDefinition(
    uuid: string,
    update: (record: CheckRecord) => { def: CheckDef; state: CheckState } | undefined,
  ): Promise<CheckRecord | undefined>;
  deleteCheck(uuid: string): Promise<boolean>;
  /**
   * Makes the managed (config-defined) checks match `defs`, matched by name: creates new ones,
   * updates changed ones, deletes those no longer in the config.
   */
  syncManaged(
    defs: Array<{ uuid?: string; def: CheckDef }>,
    now: number,
    recompute: (def: CheckDef, state: CheckState) => CheckState,
  ): Promise<SyncResult>;

  /**
   * The atomic unit of the state machine: read the check, let the pure `decide` compute what to
   * write, write it (state, ping, flip, notification jobs) in one transaction. Resolves after the
   * commit; undefined when the check does not exist.
   */
  transition<T>(
    uuid: string,
    decide: (record: CheckRecord) => TransitionWrite<T>,
  ): Promise<{ record: CheckRecord; result: T } | undefined>;

  /** Every check's next wake-up (deadline or reminder), to rebuild the timer heap at start. */
  wakeTimes(): Promise<Array<{ uuid: string; at: number }>>;

  listPings(uuid: string, limit: number): Promise<PingRecord[]>;
  /** A ping's body, the bytes as received; undefined when the ping or its body is absent. */
  pingBody(uuid: string, n: number): Promise<Uint8Array | undefined>;
  listFlips(uuid: string, range: { from?: number; to?: number }): Promise<FlipRow[]>;
  /** The newest probe results first (at most the last 1 000 are kept). */
  listProbeResults(uuid: string, limit: number): Promise<ProbeResultRow[]>;
  /** Hourly aggregates with `from <= hour < to`, oldest first. */
  listProbeHours(uuid: string, range: { from?: number; to?: number }): Promise<ProbeHourRow[]>;

  /** Every check's flips with `at >= from`, oldest first (the dashboard's strips). */
  flipsSince(from: number): Promise<Array<FlipRow & { uuid: string }>>;

  /** Dashboard sessions (shared by every instance on one database); expired ones are dropped. */
  insertSession(session: SessionRow): Promise<void>;
  /** The session while it has not expired at `now`. */
  getSession(idHash: string, now: number): Promise<SessionRow | undefined>;
  deleteSession(idHash: string): Promise<void>;

  /** Claims due jobs (and jobs whose claimer's lease ran out) with a conditional update. */
  claimJobs(now: number, limit: number, leaseMs: number): Promise<OutboxJob[]>;
  /** Records a try's outcome; when a group's last job failed for good, queues its fallback jobs. */
  finishJob(id: number, outcome: JobOutcome): Promise<{ fallbackQueued: number }>;
  /** When the next pending job is due, if any. */
  nextJobDue(): Promise<number | undefined>;
  listJobs(uuid: string, limit: number): Promise<OutboxJob[]>;
  /**
   * Jobs left mid-try (`sending`) become pending and due at `now`. Only for a store one process
   * uses (SQLite), at start: whatever held them died, so they need not wait out their lease.
   */
  requeueClaimed(now: number): Promise<number>;

  /** Keeps the newest outcome per channel (an older one arriving late is ignored). */
  recordChannelOutcome(outcome: ChannelOutcome): Promise<void>;
  channelOutcomes(): Promise<ChannelOutcome[]>;

  listApiKeys(): Promise<ApiKeyRow[]>;
  insertApiKey(key: Omit<ApiKeyRow, 'source'>, now: number): Promise<void>;

  /**
   * Retention: the last `keepPings` pings per check; flips, finished jobs and hourly probe
   * aggregates newer than `before`.
   */
  prune(opts: { keepPings: number; before: number }): Promise<void>;
}
