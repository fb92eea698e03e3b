import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OnCalendar, OnCalendarError, onCalendarProblem } from '../../src/watch/checks/oncalendar.js';
import { canonicalTimezone, legacyTimezones, timezoneProblem } from '../../src/watch/checks/timezones.js';

/**
 * systemd OnCalendar expressions: parsing (what each field allows), the next firing (in a time
 * zone, across DST changes), and validation, against worked examples and, as properties, against
 * a brute-force walk over every minute.
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));
const at = (text: string) => Date.parse(text);

/** The first `n` firings after `from`. */
function firings(expr: string, from: string, n: number, tz = 'UTC'): Array<string | null> {
  const cal = OnCalendar.parse(expr);
  const out: Array<string | null> = [];
  let t = at(from);
  for (let i = 0; i < n; i++) {
    const next = cal.next(t, tz);
    out.push(iso(next));
    if (next === null) break;
    t = next;
  }
  return out;
}

test('fields: stars, weekdays, dates, times, lists, ranges and steps', () => {
  assert.deepEqual(firings('*-*-* *:*:*', '2020-01-01T00:00:00Z', 2), [
    '2020-01-01T00:00:01Z',
    '2020-01-01T00:00:02Z',
  ]);
  assert.deepEqual(firings('Mon, 12:34', '2020-01-01T00:00:00Z', 2), [
    '2020-01-06T12:34:00Z',
    '2020-01-13T12:34:00Z',
  ]);
  assert.deepEqual(firings('Mon-Tue 00:00', '2020-01-01T00:00:00Z', 3), [
    '2020-01-06T00:00:00Z',
    '2020-01-07T00:00:00Z',
    '2020-01-13T00:00:00Z',
  ]);
  assert.deepEqual(firings('Sat,Sun', '2020-01-01T00:00:00Z', 2), [
    '2020-01-04T00:00:00Z',
    '2020-01-05T00:00:00Z',
  ]);
  assert.deepEqual(firings('2023-11-30', '2020-01-01T00:00:00Z', 2), ['2023-11-30T00:00:00Z', null]);
  assert.deepEqual(firings('11-30', '2020-01-01T00:00:00Z', 2), [
    '2020-11-30T00:00:00Z',
    '2021-11-30T00:00:00Z',
  ]);
  assert.deepEqual(firings('69-01-01', '2020-01-01T00:00:00Z', 1), ['2069-01-01T00:00:00Z']);
  assert.deepEqual(firings('70-01-01', '1969-01-01T00:00:00Z', 1), ['1970-01-01T00:00:00Z']);
  assert.deepEqual(firings('11:22:33', '2020-01-01T12:00:00Z', 1), ['2020-01-02T11:22:33Z']);
  assert.deepEqual(firings('*:1,2,3', '2020-01-01T00:00:00Z', 4), [
    '2020-01-01T00:01:00Z',
    '2020-01-01T00:02:00Z',
    '2020-01-01T00:03:00Z',
    '2020-01-01T01:01:00Z',
  ]);
  assert.deepEqual(firings('*:1..3,7..9', '2020-01-01T00:02:30Z', 3), [
    '2020-01-01T00:03:00Z',
    '2020-01-01T00:07:00Z',
    '2020-01-01T00:08:00Z',
  ]);
  assert.deepEqual(firings('*:0/15', '2020-01-01T00:00:00Z', 4), [
    '2020-01-01T00:15:00Z',
    '2020-01-01T00:30:00Z',
    '2020-01-01T00:45:00Z',
    '2020-01-01T01:00:00Z',
  ]);
  assert.deepEqual(firings('*:5/15', '2020-01-01T00:00:00Z', 2), [
    '2020-01-01T00:05:00Z',
    '2020-01-01T00:20:00Z',
  ]);
  assert.deepEqual(firings('*:0..10/4', '2020-01-01T00:00:00Z', 3), [
    '2020-01-01T00:04:00Z',
    '2020-01-01T00:08:00Z',
    '2020-01-01T01:00:00Z',
  ]);
  assert.deepEqual(firings('*:*:0/5', '2020-01-01T00:00:00Z', 2), [
    '2020-01-01T00:00:05Z',
    '2020-01-01T00:00:10Z',
  ]);
  assert.deepEqual(firings('00:00', '2020-01-01T01:00:00Z', 1), ['2020-01-02T00:00:00Z']);
  assert.deepEqual(firings('2020-01-01 8..9:0:0', '2020-01-01T00:00:00Z', 3), [
    '2020-01-01T08:00:00Z',
    '2020-01-01T09:00:00Z',
    null,
  ]);
});

test('last days of the month with ~', () => {
  assert.deepEqual(firings('*~1', '2020-01-01T00:00:00Z', 3), [
    '2020-01-31T00:00:00Z',
    '2020-02-29T00:00:00Z',
    '2020-03-31T00:00:00Z',
  ]);
  assert.deepEqual(firings('*-02~03', '2021-01-01T00:00:00Z', 1), ['2021-02-26T00:00:00Z']);
  assert.deepEqual(firings('*-*~1,8', '2020-01-01T00:00:00Z', 2), [
    '2020-01-24T00:00:00Z',
    '2020-01-31T00:00:00Z',
  ]);
  assert.deepEqual(firings('*-*~3/2', '2020-01-01T00:00:00Z', 3), [
    '2020-01-29T00:00:00Z',
    '2020-01-31T00:00:00Z',
    '2020-02-27T00:00:00Z',
  ]);
  assert.deepEqual(firings('*-*~1..4/2', '2020-01-01T00:00:00Z', 2), [
    '2020-01-28T00:00:00Z',
    '2020-01-30T00:00:00Z',
  ]);
  // The last Sunday of every month.
  assert.deepEqual(firings('Sun *~7/1', '2020-01-01T00:00:00Z', 3), [
    '2020-01-26T00:00:00Z',
    '2020-02-23T00:00:00Z',
    '2020-03-29T00:00:00Z',
  ]);
});

test('shorthands, several lines, and a zone inside the expression', () => {
  assert.deepEqual(firings('daily', '2020-01-01T10:00:00Z', 1), ['2020-01-02T00:00:00Z']);
  assert.deepEqual(firings('hourly', '2020-01-01T10:10:00Z', 1), ['2020-01-01T11:00:00Z']);
  assert.deepEqual(firings('minutely', '2020-01-01T10:10:10Z', 1), ['2020-01-01T10:11:00Z']);
  assert.deepEqual(firings('weekly', '2020-01-01T00:00:00Z', 1), ['2020-01-06T00:00:00Z']);
  assert.deepEqual(firings('monthly', '2020-01-15T00:00:00Z', 1), ['2020-02-01T00:00:00Z']);
  assert.deepEqual(firings('quarterly', '2020-01-15T00:00:00Z', 1), ['2020-04-01T00:00:00Z']);
  assert.deepEqual(firings('semiannually', '2020-01-15T00:00:00Z', 1), ['2020-07-01T00:00:00Z']);
  assert.deepEqual(firings('yearly', '2020-01-15T00:00:00Z', 1), ['2021-01-01T00:00:00Z']);
  assert.deepEqual(firings('annually', '2020-01-15T00:00:00Z', 1), ['2021-01-01T00:00:00Z']);
  assert.deepEqual(firings('00:00\n12:34', '2020-01-01T00:00:00Z', 3), [
    '2020-01-01T12:34:00Z',
    '2020-01-02T00:00:00Z',
    '2020-01-02T12:34:00Z',
  ]);
  assert.deepEqual(firings('2020-01-02\n12:34', '2020-01-01T00:00:00Z', 4), [
    '2020-01-01T12:34:00Z',
    '2020-01-02T00:00:00Z',
    '2020-01-02T12:34:00Z',
    '2020-01-03T12:34:00Z',
  ]);
  assert.deepEqual(firings('2018-01-01\n2019-01-01', '2020-01-01T00:00:00Z', 1), [null]);
  // Europe/Riga is UTC+2 in winter: the zone in the expression wins over the check's.
  assert.deepEqual(firings('12:34 Europe/Riga', '2020-01-01T00:00:00Z', 1, 'America/New_York'), [
    '2020-01-01T10:34:00Z',
  ]);
  assert.deepEqual(firings('12:34', '2020-01-01T00:00:00Z', 1, 'Europe/Riga'), ['2020-01-01T10:34:00Z']);
  assert.deepEqual(firings('daily Europe/Kiev', '2020-01-01T00:00:00Z', 1), ['2020-01-01T22:00:00Z']);
  // Nothing fires from 2200 on (2199 is no leap year).
  assert.deepEqual(firings('2199-2-29', '2020-01-01T00:00:00Z', 1), [null]);
  assert.deepEqual(firings('Mon 2-29', '2020-01-01T00:00:00Z', 2), [
    '2044-02-29T00:00:00Z',
    '2072-02-29T00:00:00Z',
  ]);
});

test('DST: a skipped wall time does not fire, a repeated one fires once (its first occurrence)', () => {
  // Riga: 2020-03-29 03:00 → 04:00 (UTC+2 → UTC+3); 2020-10-25 04:00 → 03:00.
  assert.deepEqual(firings('*-*-29 3:30', '2020-01-01T00:00:00Z', 3, 'Europe/Riga'), [
    '2020-01-29T01:30:00Z',
    '2020-02-29T01:30:00Z',
    '2020-04-29T00:30:00Z',
  ]);
  assert.deepEqual(firings('*-*-25 3:30', '2020-10-01T00:00:00Z', 3, 'Europe/Riga'), [
    '2020-10-25T00:30:00Z',
    '2020-11-25T01:30:00Z',
    '2020-12-25T01:30:00Z',
  ]);
  // Every 15 minutes through the autumn change (03:00–03:59 shown twice, 00:00–02:00Z): the
  // repeated hour's times fired the first time, so after 03:50 EEST comes 04:00 EET.
  assert.deepEqual(firings('*:0/15', '2020-10-25T00:50:00Z', 3, 'Europe/Riga'), [
    '2020-10-25T02:00:00Z',
    '2020-10-25T02:15:00Z',
    '2020-10-25T02:30:00Z',
  ]);
  assert.deepEqual(firings('*:0/15', '2020-10-25T00:20:00Z', 3, 'Europe/Riga'), [
    '2020-10-25T00:30:00Z',
    '2020-10-25T00:45:00Z',
    '2020-10-25T02:00:00Z',
  ]);
  // Every 15 minutes through the spring change: 03:00–03:45 do not exist.
  assert.deepEqual(firings('*:0/15', '2020-03-29T00:30:00Z', 3, 'Europe/Riga'), [
    '2020-03-29T00:45:00Z',
    '2020-03-29T01:00:00Z', // 04:00 EEST
    '2020-03-29T01:15:00Z',
  ]);
});

test('refused: what systemd and Healthchecks refuse, with the field named', () => {
  const refuse = (expr: string, message?: RegExp) =>
    assert.throws(() => OnCalendar.parse(expr), message ?? OnCalendarError, expr);
  refuse('', /wrong number of fields|empty/);
  refuse('Mon *-*-* *:*:* surprise', /wrong number of fields/);
  refuse('*-*-5..1', /bad day-of-month/);
  refuse('*:1..1_0', /bad minute/);
  refuse('*:*/0', /bad minute/);
  refuse('1-32', /bad day-of-month/);
  refuse('* 1-1', /bad day-of-week/);
  refuse('1~29', /bad day-of-month/);
  refuse('Europe/Riga', /bad day-of-week/);
  refuse('12:34 Europe/Surprise');
  refuse('12:34 Europe/');
  refuse('12:34\nsurprise');
  refuse('Surprise 12:34');
  refuse('1:2:3:4', /bad time/);
  const patterns = ['%s *-*-* *:*:*', '%s-*-*', '*-%s-*', '*-*-%s', '*-*~%s', '%s:*:*', '*:%s:*', '*:*:%s'];
  const values = ['-1', '1000', 'ABC', '1-1', '1:1', 'Mon/1', '~1', '*/1', '*,1', '1..*'];
  let n = 0;
  for (const p of patterns)
    for (const v of values) {
      refuse(p.replace('%s', v));
      n++;
    }
  assert.equal(n, 80);
});

test('validation as Healthchecks does it: the expression must fire after 2000-01-01', () => {
  assert.equal(onCalendarProblem('12:34'), undefined);
  assert.equal(onCalendarProblem('Mon..Fri 09:00 Europe/Riga'), undefined);
  assert.equal(onCalendarProblem('2019-01-01'), undefined);
  assert.match(onCalendarProblem('1999-01-01') ?? '', /never fires/);
  assert.match(onCalendarProblem('12:34\nsurprise') ?? '', /invalid OnCalendar expression/);
});

test('time zones: legacy names map to canonical ones; unknown zones and offsets are refused', () => {
  assert.equal(canonicalTimezone('Europe/Kiev'), 'Europe/Kyiv');
  assert.equal(canonicalTimezone('UCT'), 'Etc/UTC');
  assert.equal(canonicalTimezone('CET'), 'Europe/Brussels');
  assert.equal(canonicalTimezone('US/Eastern'), 'America/New_York');
  assert.equal(canonicalTimezone('UTC'), 'UTC');
  assert.equal(canonicalTimezone('Europe/Riga'), 'Europe/Riga');
  assert.equal(canonicalTimezone('not-a-timezone'), undefined);
  assert.equal(canonicalTimezone('+01:00'), undefined);
  assert.match(timezoneProblem('Mars/Olympus') ?? '', /unknown time zone "Mars\/Olympus"/);
  let n = 0;
  for (const [legacy, zone] of legacyTimezones()) {
    assert.equal(canonicalTimezone(legacy), zone, legacy);
    assert.equal(canonicalTimezone(zone), zone, `${zone} is itself canonical`);
    n++;
  }
  assert.ok(n > 100, `${n} legacy names`);
});

// ---- properties against a brute-force oracle ------------------------------------------------

const ZONES = ['UTC', 'Europe/Riga', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];

const wallFormat = new Map<string, Intl.DateTimeFormat>();
function wall(tz: string, t: number): number[] {
  let f = wallFormat.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    wallFormat.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  const dow = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday ?? '');
  return [Number(p.year), Number(p.month), Number(p.day), Number(p.hour), Number(p.minute), dow];
}

/** The first whole minute after `after` whose wall time matches and was not shown before. */
function bruteForce(
  spec: { hours: number[]; minutes: number[]; weekdays: number[]; days: number[] },
  tz: string,
  after: number,
  limitMinutes: number,
): number | null {
  let t = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < limitMinutes; i++, t += 60_000) {
    const [, , d, h, mi, dow] = wall(tz, t) as [number, number, number, number, number, number];
    if (!spec.hours.includes(h) || !spec.minutes.includes(mi) || !spec.weekdays.includes(dow)) continue;
    if (!spec.days.includes(d)) continue;
    // A wall time shown earlier (the repeated hour of an autumn change) fired then.
    const earlier = [30, 60, 90, 120].some((m) => wall(tz, t - m * 60_000).join() === wall(tz, t).join());
    if (!earlier) return t;
  }
  return null;
}

const subset = (max: number) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max }), { minLength: 1, maxLength: 4 })
    .map((a) => a.sort((x, y) => x - y));

test('property: the next firing is the first matching wall time after the instant, in any zone', () => {
  fc.assert(
    fc.property(
      subset(23),
      subset(59),
      fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 3, maxLength: 7 }),
      fc.constantFrom(...ZONES),
      // Around the DST changes of 2024 and 2025 in each zone, and ordinary days.
      fc.constantFrom(
        '2024-03-10',
        '2024-03-31',
        '2024-04-07',
        '2024-10-06',
        '2024-10-27',
        '2024-11-03',
        '2025-06-15',
      ),
      fc.integer({ min: -36 * 60, max: 36 * 60 }),
      (hours, minutes, weekdays, tz, day, offsetMinutes) => {
        const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
        const expr = `${weekdays.map((d) => names[d]).join(',')} *-*-* ${hours.join(',')}:${minutes.join(',')}`;
        const after = Date.parse(`${day}T12:00:00Z`) + offsetMinutes * 60_000 + 17_000;
        const expected = bruteForce(
          { hours, minutes, weekdays, days: [...Array(31).keys()].map((d) => d + 1) },
          tz,
          after,
          9 * 24 * 60,
        );
        const got = OnCalendar.parse(expr).next(after, tz);
        assert.equal(iso(got), iso(expected), `${expr} in ${tz} after ${new Date(after).toISOString()}`);
      },
    ),
    { numRuns: 150 },
  );
});

test('property: firings strictly increase, and each one is the next after the one before', () => {
  fc.assert(
    fc.property(
      subset(23),
      subset(59),
      fc.constantFrom(...ZONES),
      fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
      (hours, minutes, tz, start) => {
        const cal = OnCalendar.parse(`*-*-* ${hours.join(',')}:${minutes.join(',')}`);
        let t = start;
        for (let i = 0; i < 20; i++) {
          const next = cal.next(t, tz);
          assert.ok(next !== null && next > t);
          // Nothing in between: one second before the firing still finds it.
          assert.equal(cal.next(next - 1000, tz), next);
          t = next;
        }
      },
    ),
    { numRuns: 60 },
  );
});
