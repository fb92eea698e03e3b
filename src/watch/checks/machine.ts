import { classifyPing } from './classify.js';
import {
  type CheckDef,
  type CheckRecord,
  type CheckState,
  type CheckStatus,
  type Flip,
  type FlipReason,
  MAX_RUN_MS,
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

/** When the next ping is due (the start of the grace window), or null when none is. */
export function graceStart(def: CheckDef, state: CheckState): number | null {
  if (state.status === 'paused' || state.status === 'down') return null;
  let at = state.lastPing === null ? null : nextExpected(def.schedule, state.lastPing);
  if (state.lastStart !== null) at = at === null ? state.lastStart : Math.min(at, state.lastStart);
  return at;
}

/** When the check goes down unless pinged: the expected time plus grace. */
export function goingDownAfter(def: CheckDef, state: CheckState): number | null {
  const start = graceStart(def, state);
  return start === null ? null : start + def.graceMs;
}

/** The status to show at `now`: stored status, or `late` inside the grace window, or `down` past it. */
export function statusAt(def: CheckDef, state: CheckState, now: number): CheckStatus {
  if (state.status !== 'up' && state.status !== 'new') return state.status;
  if (state.alertAfter === null) return state.status;
  if (now >= state.alertAfter) return 'down';
  if (now >= state.alertAfter - def.graceMs) return 'late';
  return state.status;
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

export function applyPing(record: CheckRecord, ping: PingInput): PingTransition {
  const { def } = record;
  const state: CheckState = { ...record.state, nPings: record.state.nPings + 1 };
  const kind = classifyPing(def, record.state, ping);
  let duration: number | null = null;
  let flip: Flip | undefined;

  if (kind === 'start') {
    state.lastStart = ping.at;
    state.lastStartRid = ping.rid ?? null;
    if (state.status === 'paused') flip = flipTo(state, 'new', ping.at, 'resume');
  } else if (kind === 'success' || kind === 'fail') {
    state.lastPing = ping.at;
    if (state.lastStart !== null && (ping.rid === undefined || ping.rid === state.lastStartRid)) {
      const elapsed = ping.at - state.lastStart;
      if (elapsed >= 0 && elapsed < MAX_RUN_MS) {
        duration = elapsed;
        state.lastDuration = elapsed;
      }
      state.lastStart = null;
      state.lastStartRid = null;
    } else if (state.lastStart !== null && ping.at - state.lastStart >= MAX_RUN_MS) {
      state.lastStart = null;
      state.lastStartRid = null;
    }
    flip = flipTo(state, kind === 'success' ? 'up' : 'down', ping.at, kind);
  }
  return { state: withDeadline(def, state), kind, duration, ...(flip ? { flip } : {}) };
}

/** The deadline passed without a ping: the check goes down with reason `timeout`. */
export function applyTimeout(record: CheckRecord, now: number): Transition {
  const state: CheckState = { ...record.state };
  if (state.alertAfter === null || now < state.alertAfter) return { state };
  if (state.status !== 'up' && state.status !== 'new') return { state };
  const flip = flipTo(state, 'down', state.alertAfter, 'timeout');
  return { state: withDeadline(record.def, state), ...(flip ? { flip } : {}) };
}

/** Pause: no deadline, no alerts, until resumed (manually, or by a ping without manual resume). */
export function applyPause(record: CheckRecord, now: number): Transition {
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
