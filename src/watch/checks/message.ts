import { formatDuration } from '../../lib/duration.js';
import type { CheckDef, CheckState, Flip } from './model.js';

/**
 * Notification text, one line, exactly as the contract gives it:
 *   🔴 DOWN nightly-backup: no ping for 1h 10m (expected every 1h, grace 10m); last ping 2026-11-25 03:00:12 UTC
 *   🟢 UP nightly-backup again after 2h 3m
 */

export const FAIL_BODY_MAX = 200;

export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function describeSchedule(def: CheckDef): string {
  if (def.schedule.kind === 'probe') return `probed every ${formatDuration(def.schedule.intervalMs)}`;
  const grace = `grace ${formatDuration(def.graceMs)}`;
  if (def.schedule.kind === 'simple')
    return `expected every ${formatDuration(def.schedule.periodMs)}, ${grace}`;
  if (def.schedule.kind === 'oncalendar')
    return `expected at OnCalendar "${def.schedule.onCalendar.trim().replace(/\s*\n\s*/g, '; ')}" ${def.schedule.tz}, ${grace}`;
  return `expected at "${def.schedule.cron}" ${def.schedule.tz}, ${grace}`;
}

function lastPingPart(state: CheckState, def?: CheckDef): string {
  if (def?.probe)
    return state.lastPing === null ? 'not probed yet' : `last probe ${formatUtc(state.lastPing)}`;
  return state.lastPing === null ? 'never pinged' : `last ping ${formatUtc(state.lastPing)}`;
}

/** Down after a missed deadline. `state` is the state before the flip. */
export function timeoutText(def: CheckDef, state: CheckState, flip: Flip): string {
  const since = state.lastPing ?? state.lastStart;
  const silence = since === null ? 'no ping' : `no ping for ${formatDuration(flip.at - since)}`;
  const started =
    state.lastStart !== null && (state.lastPing === null || state.lastStart > state.lastPing)
      ? `; run started ${formatUtc(state.lastStart)} did not finish`
      : '';
  return `🔴 DOWN ${def.name}: ${silence} (${describeSchedule(def)}); ${lastPingPart(state)}${started}`;
}

/** Down because the job reported failure; includes the ping body, cut short. */
export function failText(
  def: CheckDef,
  at: number,
  exitStatus: number | undefined,
  body: string | undefined,
): string {
  const status = exitStatus !== undefined ? ` (exit status ${exitStatus})` : '';
  const snippet = body ? `: ${cutShort(body, FAIL_BODY_MAX)}` : '';
  return `🔴 DOWN ${def.name}: failure reported${status} at ${formatUtc(at)}${snippet}`;
}

/**
 * Down because a probe failed `failures` times in a row; `condition` is the failing condition:
 * `🔴 DOWN storage-api: HTTP 503 from https://10.10.12.2/api (3 failures in a row, probed every 30s)`.
 */
export function probeDownText(def: CheckDef, condition: string, failures: number): string {
  const streak = failures > 1 ? `${failures} failures in a row, ` : '';
  return `🔴 DOWN ${def.name}: ${cutShort(condition, 300)} (${streak}${describeSchedule(def)})`;
}

export function upText(def: CheckDef, downSince: number | null, at: number): string {
  const after = downSince === null ? '' : ` after ${formatDuration(at - downSince)}`;
  return `🟢 UP ${def.name} again${after}`;
}

export function reminderText(def: CheckDef, state: CheckState, at: number): string {
  const since = state.downSince === null ? '' : ` for ${formatDuration(at - state.downSince)}`;
  return `🔴 STILL DOWN ${def.name}: down${since}; ${lastPingPart(state, def)}`;
}

/** One line, at most `max` characters, with an ellipsis when cut. */
export function cutShort(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}
