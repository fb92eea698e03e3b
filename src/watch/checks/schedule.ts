import { Cron } from 'croner';
import type { MaintenanceWindow, Schedule } from './model.js';
import { onCalendar, onCalendarProblem } from './oncalendar.js';
import { timezoneProblem } from './timezones.js';

export { canonicalTimezone, timezoneProblem } from './timezones.js';

/**
 * Schedules: cron (5 fields, in a time zone, DST-correct through croner), systemd OnCalendar
 * (./oncalendar.ts), and the maintenance windows built on cron. Parsed patterns are cached:
 * 100 000 checks share a handful of patterns.
 */
const cache = new Map<string, Cron>();

function cronFor(pattern: string, tz: string): Cron {
  const key = `${tz}\u0000${pattern}`;
  let c = cache.get(key);
  if (!c) {
    c = new Cron(pattern, { timezone: tz, paused: true, mode: '5-part' });
    cache.set(key, c);
  }
  return c;
}

/** Why a cron expression is unusable, or undefined when it is fine. */
export function cronProblem(pattern: string, tz = 'UTC'): string | undefined {
  if (pattern.trim().split(/\s+/).length !== 5) return 'expected a cron expression with 5 fields';
  const tzError = timezoneProblem(tz);
  if (tzError) return tzError;
  try {
    if (cronFor(pattern, tz).nextRun(new Date(Date.UTC(2000, 0, 1))) === null)
      return 'the cron expression never fires';
  } catch (err) {
    return `invalid cron expression: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * Healthchecks' reading of a `schedule`: one line of 5 fields is cron, anything else OnCalendar.
 */
export function scheduleKind(schedule: string): 'cron' | 'oncalendar' {
  const t = schedule.trim();
  return !t.includes('\n') && schedule.split(/\s+/).filter((x) => x.length > 0).length === 5
    ? 'cron'
    : 'oncalendar';
}

/** Why a `schedule` (cron or OnCalendar) is unusable, or undefined when it is fine. */
export function scheduleProblem(schedule: string, tz = 'UTC'): string | undefined {
  return scheduleKind(schedule) === 'cron' ? cronProblem(schedule, tz) : onCalendarProblem(schedule);
}

/** The first cron time strictly after `after`. */
export function nextCronTime(pattern: string, tz: string, after: number): number | null {
  const next = cronFor(pattern, tz).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

/** When the next ping is expected after a ping at `lastPing`. */
export function nextExpected(schedule: Schedule, lastPing: number): number | null {
  if (schedule.kind === 'simple') return lastPing + schedule.periodMs;
  if (schedule.kind === 'probe') return null; // a probe has results, not a ping deadline
  if (schedule.kind === 'oncalendar') return onCalendar(schedule.onCalendar).next(lastPing, schedule.tz);
  return nextCronTime(schedule.cron, schedule.tz, lastPing);
}

/**
 * The end of the maintenance window that contains `at`, or undefined when `at` is outside every
 * window. A window starts at each cron time and lasts `durationMs`.
 */
export function maintenanceEnd(windows: MaintenanceWindow[] | undefined, at: number): number | undefined {
  let end: number | undefined;
  for (const w of windows ?? []) {
    // The first start after (at - duration) is inside the window iff it is not after `at`.
    const start = nextCronTime(w.cron, w.tz, at - w.durationMs - 1);
    if (start !== null && start <= at) {
      const e = start + w.durationMs;
      if (e > at && (end === undefined || e > end)) end = e;
    }
  }
  return end;
}
