import { canonicalTimezone } from './timezones.js';

/**
 * systemd calendar events (`OnCalendar=`, systemd.time(7)), as Healthchecks accepts them in a
 * check's `schedule`: one expression per line, each `[weekdays] [date] [time] [time zone]`, or a
 * shorthand such as `daily`. The next firing is computed on wall-clock time in the expression's
 * zone (or the check's): a time that a spring DST change skips does not fire, and a time that an
 * autumn change repeats fires once, at its first occurrence. Like systemd, nothing fires from the
 * year 2200 on. Pure; the only outside knowledge is the runtime's time zone data (Intl).
 */

const MAX_YEAR = 2200;

const SHORTHANDS: Record<string, string> = {
  minutely: '*-*-* *:*:00',
  hourly: '*-*-* *:00:00',
  daily: '*-*-* 00:00:00',
  weekly: 'Mon *-*-* 00:00:00',
  monthly: '*-*-01 00:00:00',
  quarterly: '*-01,04,07,10-01 00:00:00',
  semiannually: '*-01,07-01 00:00:00',
  yearly: '*-01-01 00:00:00',
  annually: '*-01-01 00:00:00',
};

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

type FieldName = 'day-of-week' | 'year' | 'month' | 'day-of-month' | 'hour' | 'minute' | 'second';

const BOUNDS: Record<Exclude<FieldName, 'day-of-week'>, readonly [number, number]> = {
  year: [1970, MAX_YEAR - 1],
  month: [1, 12],
  'day-of-month': [1, 31],
  hour: [0, 23],
  minute: [0, 59],
  second: [0, 59],
};

/** One parsed expression: the allowed values of each field, ascending. */
interface Expression {
  /** 0 = Monday … 6 = Sunday. */
  weekdays: ReadonlySet<number>;
  years: readonly number[];
  months: readonly number[];
  days: ReadonlySet<number>;
  /** Days counted from the end of the month: 1 = the last day. */
  lastDays: ReadonlySet<number>;
  hours: readonly number[];
  minutes: readonly number[];
  seconds: readonly number[];
  /** A zone named in the expression; it overrides the check's. */
  tz?: string;
}

export class OnCalendarError extends Error {}

const bad = (field: FieldName) => new OnCalendarError(`bad ${field}`);

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

/** A number of the field, with systemd's two-digit years (70–99 → 19xx, 0–69 → 20xx). */
function value(field: FieldName, text: string): number {
  if (field === 'day-of-week') {
    const t = text.toLowerCase();
    const i = WEEKDAYS.findIndex((d) => d === t || d.slice(0, 3) === t);
    if (i < 0) throw bad(field);
    return i;
  }
  if (!/^\d+$/.test(text)) throw bad(field);
  let v = Number(text);
  if (field === 'year' && text.length <= 2) v += v < 70 ? 2000 : 1900;
  const [lo, hi] = BOUNDS[field];
  if (v < lo || v > hi) throw bad(field);
  return v;
}

/**
 * One field: `*`, or a comma list of `v`, `a..b`, `v/step` (from v to the field's end) and
 * `a..b/step`. `*` stands alone, as systemd wants it. `fromEnd` reads days after `~`.
 */
function component(field: FieldName, text: string, fromEnd = false): number[] {
  if (text === '*' && field !== 'day-of-week') {
    const [lo, hi] = BOUNDS[field as Exclude<FieldName, 'day-of-week'>];
    return range(lo, hi);
  }
  if (text === '' || text.includes('*')) throw bad(field);
  const out = new Set<number>();
  for (const term of text.split(',')) {
    if (term === '') throw bad(field);
    let body = term;
    let step = 1;
    const slash = term.indexOf('/');
    if (slash >= 0) {
      if (field === 'day-of-week') throw bad(field);
      body = term.slice(0, slash);
      const s = term.slice(slash + 1);
      if (!/^\d+$/.test(s) || Number(s) === 0) throw bad(field);
      step = Number(s);
    }
    const dots = body.indexOf('..');
    let values: number[];
    if (dots >= 0) {
      const a = value(field, body.slice(0, dots));
      const b = value(field, body.slice(dots + 2));
      if (b < a) throw bad(field);
      // Counted from the month's end, a stepped range starts at its far end, as in systemd.
      values = fromEnd ? range(a, b).reverse() : range(a, b);
    } else {
      const v = value(field, body);
      if (slash < 0) values = [v];
      // `v/step` runs to the end of the field (the first day of the month, counting from its end)
      else if (fromEnd) values = range(1, v).reverse();
      else values = range(v, BOUNDS[field as Exclude<FieldName, 'day-of-week'>][1]);
    }
    if (fromEnd && values.some((v) => v > 28)) throw bad(field);
    for (const [i, v] of values.entries()) if (i % step === 0) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function weekdays(text: string): Set<number> {
  // systemd accepts `Mon,` (a trailing comma) and `Mon-Fri` for `Mon..Fri`.
  const t = text.endsWith(',') ? text.slice(0, -1) : text;
  return new Set(component('day-of-week', t.replaceAll('-', '..')));
}

/** Is the token a time zone (and not a part of the expression)? */
function zoneOf(token: string): string | undefined {
  if (/^[\d*]/.test(token) || token.includes(':')) return undefined;
  return canonicalTimezone(token);
}

function parseExpression(line: string): Expression {
  let tokens = line
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0);
  let tz: string | undefined;
  if (tokens.length > 1) {
    tz = zoneOf(tokens[tokens.length - 1] as string);
    if (tz !== undefined) tokens = tokens.slice(0, -1);
  }
  if (tokens.length === 1) {
    const short = SHORTHANDS[(tokens[0] as string).toLowerCase()];
    if (short) tokens = short.split(' ');
  }
  if (tokens.length === 0) throw new OnCalendarError('wrong number of fields');

  let hours = [0];
  let minutes = [0];
  let seconds = [0];
  const last = tokens[tokens.length - 1] as string;
  if (last.includes(':')) {
    tokens.pop();
    const parts = last.split(':');
    if (parts.length !== 2 && parts.length !== 3) throw new OnCalendarError('bad time');
    hours = component('hour', parts[0] as string);
    minutes = component('minute', parts[1] as string);
    seconds = parts.length === 3 ? component('second', parts[2] as string) : [0];
  }

  let years = range(1970, MAX_YEAR - 1);
  let months = range(1, 12);
  let days = new Set(range(1, 31));
  let lastDays = new Set<number>();
  const date = tokens[tokens.length - 1];
  if (date !== undefined && /^[\d*]/.test(date) && /[-~]/.test(date)) {
    tokens.pop();
    const tilde = date.indexOf('~');
    const head = tilde >= 0 ? date.slice(0, tilde) : date;
    const parts = head.split('-');
    if (tilde >= 0) parts.push(date.slice(tilde + 1));
    if (parts.length === 2) parts.unshift('*');
    if (parts.length !== 3) throw new OnCalendarError('bad date');
    years = component('year', parts[0] as string);
    months = component('month', parts[1] as string);
    const dayValues = component('day-of-month', parts[2] as string, tilde >= 0);
    if (tilde >= 0) {
      days = new Set();
      lastDays = new Set(dayValues);
    } else days = new Set(dayValues);
  }

  const dow = tokens.length > 0 ? weekdays(tokens.shift() as string) : new Set(range(0, 6));
  if (tokens.length > 0) throw new OnCalendarError('wrong number of fields');
  return {
    weekdays: dow,
    years,
    months,
    days,
    lastDays,
    hours,
    minutes,
    seconds,
    ...(tz !== undefined ? { tz } : {}),
  };
}

// ---- time zones -------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone. */
function wallClock(tz: string, at: number): [number, number, number, number, number, number] {
  if (tz === 'UTC') {
    const d = new Date(at);
    return [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
    ];
  }
  const f: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(at)) if (p.type !== 'literal') f[p.type] = Number(p.value);
  return [f.year ?? 0, f.month ?? 0, f.day ?? 0, f.hour ?? 0, f.minute ?? 0, f.second ?? 0];
}

/** The zone's offset from UTC at an instant, in ms (whole seconds). */
function offsetAt(tz: string, at: number): number {
  const t = Math.floor(at / 1000) * 1000;
  const [y, mo, d, h, mi, s] = wallClock(tz, t);
  return Date.UTC(y, mo - 1, d, h, mi, s) - t;
}

/**
 * The first instant showing this wall-clock time in the zone, or undefined when the zone skips
 * it (spring DST change). Offsets are read a day either side: at most one change lies between.
 */
function firstInstant(tz: string, wall: number): number | undefined {
  if (tz === 'UTC') return wall;
  const before = offsetAt(tz, wall - 86_400_000);
  const after = offsetAt(tz, wall + 86_400_000);
  if (before === after) return wall - before;
  let best: number | undefined;
  for (const o of [before, after]) {
    const t = wall - o;
    if (offsetAt(tz, t) === o && (best === undefined || t < best)) best = t;
  }
  return best;
}

// ---- the next firing ----------------------------------------------------------------------

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** 0 = Monday. */
const weekdayOf = (y: number, m: number, d: number) => (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;

function dayMatches(e: Expression, y: number, m: number, d: number): boolean {
  if (!e.weekdays.has(weekdayOf(y, m, d))) return false;
  return e.days.has(d) || (e.lastDays.size > 0 && e.lastDays.has(daysIn(y, m) - d + 1));
}

/**
 * The first instant after `after` whose wall-clock time in `tz` the expression names. Wall
 * times are walked in order from the wall time of `after`: the first instant of a wall time
 * never decreases as the wall time grows, so the first one past `after` is the answer.
 */
function nextOf(e: Expression, tz: string, after: number): number | undefined {
  const zone = e.tz ?? tz;
  const [sy, smo, sd, sh, smi, ss] = wallClock(zone, after);
  for (const y of e.years) {
    if (y < sy) continue;
    const y0 = y === sy;
    for (const mo of e.months) {
      if (y0 && mo < smo) continue;
      const m0 = y0 && mo === smo;
      const last = daysIn(y, mo);
      for (let d = m0 ? sd : 1; d <= last; d++) {
        if (!dayMatches(e, y, mo, d)) continue;
        const d0 = m0 && d === sd;
        for (const h of e.hours) {
          if (d0 && h < sh) continue;
          const h0 = d0 && h === sh;
          for (const mi of e.minutes) {
            if (h0 && mi < smi) continue;
            const mi0 = h0 && mi === smi;
            for (const s of e.seconds) {
              if (mi0 && s < ss) continue;
              const t = firstInstant(zone, Date.UTC(y, mo - 1, d, h, mi, s));
              if (t !== undefined && t > after) return t;
            }
          }
        }
      }
    }
  }
  return undefined;
}

/** A parsed `schedule`: one or more expressions, one per line. */
export class OnCalendar {
  private constructor(private readonly expressions: readonly Expression[]) {}

  /** Parses the text; throws OnCalendarError with what is wrong. */
  static parse(text: string): OnCalendar {
    const lines = text
      .trim()
      .split('\n')
      .map((l) => l.trim());
    if (lines.some((l) => l === '')) throw new OnCalendarError('empty expression');
    return new OnCalendar(lines.map(parseExpression));
  }

  /** The first firing strictly after `after` (epoch ms), in `tz` unless an expression names one. */
  next(after: number, tz = 'UTC'): number | null {
    let best: number | undefined;
    for (const e of this.expressions) {
      const t = nextOf(e, tz, after);
      if (t !== undefined && (best === undefined || t < best)) best = t;
    }
    return best ?? null;
  }
}

const cache = new Map<string, OnCalendar>();

/** Parsed expressions, cached by text (many checks share a handful of schedules). */
export function onCalendar(text: string): OnCalendar {
  let c = cache.get(text);
  if (!c) {
    c = OnCalendar.parse(text);
    if (cache.size > 10_000) cache.clear();
    cache.set(text, c);
  }
  return c;
}

/** Why an OnCalendar schedule is unusable (as Healthchecks tests it: it fires after 2000-01-01). */
export function onCalendarProblem(text: string): string | undefined {
  try {
    if (onCalendar(text).next(Date.UTC(2000, 0, 1), 'UTC') === null)
      return 'the OnCalendar expression never fires';
    return undefined;
  } catch (err) {
    return `invalid OnCalendar expression: ${(err as Error).message}`;
  }
}
