import { classifyPing } from './classify.js';
import {
  type CheckDef,
  type CheckRecord,
  type CheckState,
  type CheckStatus,
  type Flip,
  type FlipReason,
  MAX_OPEN_RUNS,
  MAX_RUN_MS,
  type OpenRun,
  type PingInput,
  type PingKind,
  type ProbeResult,
  type StoredStatus,
} from './model.js';
import { nextExpected } from './schedule.js';

/**
 * The check state machine: pure functions from (definition, state, event, time) to a new state
 * and at most one flip. No I/O, no clock: the caller passes the time, so tests run years of
 * schedule in a millisecond.
 */

export interface Transition {
  state: CheckState;
  flip?: Flip;
}

export interface PingTransition extends Transition {
  kind: PingKind;
  /** Run time when this ping completed a started run. */
  duration: number | null;
}

/**
 * When the grace window starts (Healthchecks' `get_grace_start`): the next expected ping after
 * the last one while up, or the start of a running job if earlier (unless down); null when the
 * check expects nothing (new, paused or down, and not running).
 */
export function graceStart(def: CheckDef, state: CheckState): number | null {
  let at = state.status === 'up' ? expectedAfterLastPing(def, state) : null;
  if (state.lastStart !== null && state.status !== 'down')
    at = at === null ? state.lastStart : Math.min(at, state.lastStart);
  return at;
}

function expectedAfterLastPing(def: CheckDef, state: CheckState): number | null {
  return state.lastPing === null ? null : nextExpected(def.schedule, state.lastPing);
}

/**
 * `graceStart` of a stored state (the API's `next_ping`). An up check that is not running keeps
 * it in its deadline (alertAfter = grace start + grace), which saves a schedule computation per
 * check when the API, the dashboard or a scrape lists 100 000 of them.
 */
export function nextPingAt(def: CheckDef, state: CheckState): number | null {
  if (state.status === 'up' && state.lastStart === null)
    return state.alertAfter === null ? null : state.alertAfter - def.graceMs;
  return graceStart(def, state);
}

/** When the check goes down unless pinged: the start of the grace window plus grace. */
export function goingDownAfter(def: CheckDef, state: CheckState): number | null {
  const start = graceStart(def, state);
  return start === null ? null : start + def.graceMs;
}

/**
 * The status to show at `now` (Healthchecks' `get_status`): a run started longer than grace ago
 * is down; new, paused and down are what is stored; an up check is `late` in the grace window
 * after its expected ping and down past it. A running job keeps the status it has (the API
 * reports `started` separately).
 */
export function statusAt(def: CheckDef, state: CheckState, now: number): CheckStatus {
  if (state.lastStart !== null && now >= state.lastStart + def.graceMs) return 'down';
  if (state.status !== 'up') return state.status;
  const expected = state.lastStart === null ? nextPingAt(def, state) : expectedAfterLastPing(def, state);
  if (expected === null) return 'up';
  if (now >= expected + def.graceMs) return 'down';
  if (now >= expected) return 'late';
  return 'up';
}

/** Is a job running (started, and not yet past its grace)? */
export function isRunning(def: CheckDef, state: CheckState, now: number): boolean {
  return state.lastStart !== null && now < state.lastStart + def.graceMs;
}

function withDeadline(def: CheckDef, state: CheckState): CheckState {
  state.alertAfter = goingDownAfter(def, state);
  return state;
}

function flipTo(state: CheckState, to: StoredStatus, at: number, reason: FlipReason): Flip | undefined {
  if (state.status === to) return undefined;
  const flip: Flip = { from: state.status, to, at, reason };
  state.status = to;
  if (to === 'down') state.downSince = at;
  return flip;
}

/** A start opens a run for its rid (replacing an open one of the same rid). */
function openRun(runs: readonly OpenRun[], rid: string | null, at: number): OpenRun[] {
  const kept = runs.filter((r) => r.rid !== rid && at - r.at < MAX_RUN_MS);
  kept.push({ rid, at });
  return kept.slice(-MAX_OPEN_RUNS);
}

/**
 * Run tracking as Healthchecks does it. A start sets `last_start` (and its rid) and changes no
 * status (a paused check stays paused). A success or fail with the latest start's rid (both
 * absent counts) completes it: `last_duration` is set and the check is no longer started; a fail
 * with another rid, or a completion without rid, also ends the started state, with no duration.
 * Each completion's own duration (the ping's) comes from the open run of its rid, so overlapping
 * runs each get theirs. A start and a completion more than 72 h apart are unrelated.
 */
export function applyPing(record: CheckRecord, ping: PingInput): PingTransition {
  const { def } = record;
  const state: CheckState = { ...record.state, nPings: record.state.nPings + 1 };
  const kind = classifyPing(def, record.state, ping);
  const rid = ping.rid ?? null;
  let duration: number | null = null;
  let flip: Flip | undefined;

  if (kind === 'start') {
    state.lastStart = ping.at;
    state.lastStartRid = rid;
    state.runs = openRun(state.runs, rid, ping.at);
  } else if (kind === 'success' || kind === 'fail') {
    state.lastPing = ping.at;
    state.lastDuration = null;
    if (state.lastStart !== null) {
      if (state.lastStartRid === rid) {
        const elapsed = ping.at - state.lastStart;
        if (elapsed >= 0 && elapsed < MAX_RUN_MS) state.lastDuration = elapsed;
        state.lastStart = null;
        state.lastStartRid = null;
      } else if (kind === 'fail' || rid === null) {
        state.lastStart = null;
        state.lastStartRid = null;
      }
    }
    const run = state.runs.find((r) => r.rid === rid);
    if (run) {
      const elapsed = ping.at - run.at;
      if (elapsed >= 0 && elapsed < MAX_RUN_MS) duration = elapsed;
      state.runs = state.runs.filter((r) => r !== run);
    }
    flip = flipTo(state, kind === 'success' ? 'up' : 'down', ping.at, kind);
  }
  return { state: withDeadline(def, state), kind, duration, ...(flip ? { flip } : {}) };
}

/** The deadline passed without a ping: the check goes down with reason `timeout`. */
export function applyTimeout(record: CheckRecord, now: number): Transition {
  const state: CheckState = { ...record.state };
  if (state.alertAfter === null || now < state.alertAfter) return { state };
  if (state.status === 'down') return { state };
  const flip = flipTo(state, 'down', state.alertAfter, 'timeout');
  return { state: withDeadline(record.def, state), ...(flip ? { flip } : {}) };
}

/** Pause: no deadline, no alerts, until resumed (manually, or by a ping without manual resume). */
export function applyPause(record: CheckRecord, now: number): Transition {
  // Pausing a paused check changes nothing (and makes no flip), as in Healthchecks.
  if (record.state.status === 'paused') return { state: record.state };
  const state: CheckState = { ...record.state, lastStart: null, lastStartRid: null, nextReminder: null };
  const flip = flipTo(state, 'paused', now, 'pause');
  return { state: withDeadline(record.def, state), ...(flip ? { flip } : {}) };
}

/** Resume a paused check: it becomes `new` and waits for its next ping, as in Healthchecks. */
export function applyResume(record: CheckRecord, now: number): Transition {
  const state: CheckState = {
    ...record.state,
    lastPing: null,
    lastStart: null,
    lastStartRid: null,
    downSince: null,
    nextReminder: null,
  };
  const flip = flipTo(state, 'new', now, 'resume');
  return { state: withDeadline(record.def, state), ...(flip ? { flip } : {}) };
}

export interface ProbeTransition extends Transition {
  /** Consecutive failures counting this one (0 after a success). */
  failures: number;
}

/**
 * A probe result, with flap damping: the check goes down after `failureThreshold` failures in a
 * row and up after `successThreshold` successes in a row (reason `probe` both ways). A paused
 * probe records results but changes no status; its streak restarts when it is resumed.
 */
export function applyProbeResult(record: CheckRecord, result: ProbeResult): ProbeTransition {
  const state: CheckState = { ...record.state, lastPing: result.at };
  const probe = record.def.probe;
  if (state.status === 'paused' || !probe) {
    state.probeStreak = 0;
    return { state: withDeadline(record.def, state), failures: 0 };
  }
  const streak = record.state.probeStreak;
  state.probeStreak = result.ok ? (streak > 0 ? streak + 1 : 1) : streak < 0 ? streak - 1 : -1;
  let flip: Flip | undefined;
  if (result.ok && state.probeStreak >= probe.successThreshold)
    flip = flipTo(state, 'up', result.at, 'probe');
  else if (!result.ok && -state.probeStreak >= probe.failureThreshold)
    flip = flipTo(state, 'down', result.at, 'probe');
  return {
    state: withDeadline(record.def, state),
    failures: state.probeStreak < 0 ? -state.probeStreak : 0,
    ...(flip ? { flip } : {}),
  };
}

/** A definition changed (config reload, API update): recompute the deadline. */
export function applyDefinition(def: CheckDef, state: CheckState): CheckState {
  return withDeadline(def, { ...state });
}
