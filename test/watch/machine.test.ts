import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { classifyPing } from '../../src/watch/checks/classify.js';
import {
  applyPause,
  applyPing,
  applyResume,
  applyTimeout,
  goingDownAfter,
  graceStart,
  nextPingAt,
  statusAt,
} from '../../src/watch/checks/machine.js';
import { failText, timeoutText, upText } from '../../src/watch/checks/message.js';
import { type CheckRecord, NO_FILTER } from '../../src/watch/checks/model.js';
import { maintenanceEnd, nextCronTime } from '../../src/watch/checks/schedule.js';
import { HOUR, MIN, ping, record, SEC, T0 } from './helpers.js';

function after(
  rec: CheckRecord,
  t: ReturnType<typeof applyPing> | ReturnType<typeof applyTimeout>,
): CheckRecord {
  return { ...rec, state: t.state };
}

test('period + grace: up after a ping, late inside the grace window, down after it', () => {
  let r = record();
  assert.equal(statusAt(r.def, r.state, T0), 'new');
  const t = applyPing(r, ping(T0));
  assert.equal(t.kind, 'success');
  assert.deepEqual(t.flip, { from: 'new', to: 'up', at: T0, reason: 'success' });
  r = after(r, t);
  assert.equal(r.state.alertAfter, T0 + HOUR + 10 * MIN);
  assert.equal(statusAt(r.def, r.state, T0 + 59 * MIN), 'up');
  assert.equal(statusAt(r.def, r.state, T0 + HOUR), 'late');
  assert.equal(statusAt(r.def, r.state, T0 + HOUR + 10 * MIN), 'down');

  assert.equal(applyTimeout(r, T0 + HOUR + 9 * MIN).flip, undefined, 'no flip before the deadline');
  const down = applyTimeout(r, T0 + HOUR + 10 * MIN + 300);
  assert.deepEqual(down.flip, { from: 'up', to: 'down', at: T0 + HOUR + 10 * MIN, reason: 'timeout' });
  assert.equal(down.state.alertAfter, null, 'a down check has no deadline');
  assert.equal(down.state.downSince, T0 + HOUR + 10 * MIN);
});

test('a new check never pinged has no deadline; each success pushes the deadline', () => {
  const r = record();
  assert.equal(goingDownAfter(r.def, r.state), null);
  let cur = after(r, applyPing(r, ping(T0)));
  cur = after(cur, applyPing(cur, ping(T0 + 30 * MIN)));
  assert.equal(cur.state.alertAfter, T0 + 30 * MIN + HOUR + 10 * MIN);
  assert.equal(cur.state.nPings, 2);
});

test('fail sends the check down at once with reason fail; the next success brings it up', () => {
  let r = after(record(), applyPing(record(), ping(T0)));
  const f = applyPing(r, ping(T0 + MIN, { action: 'fail', body: 'disk full' }));
  assert.equal(f.kind, 'fail');
  assert.deepEqual(f.flip, { from: 'up', to: 'down', at: T0 + MIN, reason: 'fail' });
  r = after(r, f);
  const u = applyPing(r, ping(T0 + 2 * HOUR + 4 * MIN));
  assert.deepEqual(u.flip, { from: 'down', to: 'up', at: T0 + 2 * HOUR + 4 * MIN, reason: 'success' });
  assert.equal(upText(r.def, r.state.downSince, u.flip?.at ?? 0), '🟢 UP nightly-backup again after 2h 3m');
});

test('exit status: 0 is success, 1-255 is fail', () => {
  const r = after(record(), applyPing(record(), ping(T0)));
  assert.equal(applyPing(r, ping(T0, { exitStatus: 0 })).kind, 'success');
  const f = applyPing(r, ping(T0, { action: 'fail', exitStatus: 3 }));
  assert.equal(f.kind, 'fail');
  assert.equal(f.flip?.reason, 'fail');
});

test('started runs: the deadline is the earlier of the schedule and start + grace; duration is measured', () => {
  let r = after(record(), applyPing(record(), ping(T0)));
  const s = applyPing(
    r,
    ping(T0 + 5 * MIN, { action: 'start', rid: 'a1b2c3d4-0000-4000-8000-000000000001' }),
  );
  assert.equal(s.kind, 'start');
  assert.equal(s.flip, undefined);
  r = after(r, s);
  assert.equal(r.state.lastStart, T0 + 5 * MIN);
  assert.equal(r.state.alertAfter, T0 + 5 * MIN + 10 * MIN, 'grace is also the longest a run may take');
  // A completion with another rid does not end this run.
  const other = applyPing(r, ping(T0 + 6 * MIN, { rid: 'a1b2c3d4-0000-4000-8000-000000000002' }));
  assert.notEqual(other.state.lastStart, null);
  assert.equal(other.duration, null);
  const done = applyPing(r, ping(T0 + 12 * MIN, { rid: 'a1b2c3d4-0000-4000-8000-000000000001' }));
  assert.equal(done.duration, 7 * MIN);
  assert.equal(done.state.lastDuration, 7 * MIN);
  assert.equal(done.state.lastStart, null);
  // A completion without rid after a start with one ends the started state, with no duration
  // (as Healthchecks); so does a fail with another rid.
  const plain = applyPing(r, ping(T0 + 8 * MIN));
  assert.equal(plain.duration, null);
  assert.equal(plain.state.lastStart, null);
  assert.equal(plain.state.lastDuration, null);
  const otherFail = applyPing(
    r,
    ping(T0 + 8 * MIN, { action: 'fail', rid: 'a1b2c3d4-0000-4000-8000-000000000002' }),
  );
  assert.equal(otherFail.state.lastStart, null);
  assert.equal(otherFail.duration, null);
  // A run that never finishes times out at start + grace.
  const timeout = applyTimeout(r, T0 + 15 * MIN);
  assert.equal(timeout.flip?.to, 'down');
  assert.match(
    timeoutText(r.def, r.state, timeout.flip!),
    /run started 2026-11-25 03:05:12 UTC did not finish/,
  );
});

test('overlapping runs each get their duration; a start without rid pairs with a completion without rid', () => {
  const A = 'a1b2c3d4-0000-4000-8000-00000000000a';
  const B = 'a1b2c3d4-0000-4000-8000-00000000000b';
  let r = record();
  const step = (p: ReturnType<typeof ping>) => {
    const t = applyPing(r, p);
    r = after(r, t);
    return t;
  };
  step(ping(T0, { action: 'start', rid: A }));
  step(ping(T0 + MIN, { action: 'start', rid: B }));
  const a = step(ping(T0 + 2 * MIN, { rid: A }));
  assert.equal(a.duration, 2 * MIN);
  assert.equal(a.state.lastStart, T0 + MIN, 'the latest start (B) is still running');
  assert.equal(a.state.lastDuration, null);
  const b = step(ping(T0 + 6 * MIN, { rid: B }));
  assert.equal(b.duration, 5 * MIN);
  assert.equal(b.state.lastDuration, 5 * MIN);
  assert.equal(b.state.lastStart, null);
  // A second completion has no start left to pair with.
  assert.equal(step(ping(T0 + 7 * MIN, { rid: B })).duration, null);
  step(ping(T0 + 8 * MIN, { action: 'start' }));
  const plain = step(ping(T0 + 9 * MIN));
  assert.equal(plain.duration, MIN);
  assert.equal(plain.state.lastDuration, MIN);
  // A plain success clears the last duration.
  assert.equal(step(ping(T0 + 10 * MIN)).state.lastDuration, null);
});

test('a start on a paused check leaves it paused, and goes down if the run outlasts grace', () => {
  let r = after(record(), applyPing(record(), ping(T0)));
  r = { ...r, state: applyPause(r, T0 + MIN).state };
  const s = applyPing(r, ping(T0 + 2 * MIN, { action: 'start' }));
  assert.equal(s.state.status, 'paused');
  assert.equal(s.flip, undefined);
  assert.equal(s.state.alertAfter, T0 + 12 * MIN);
  r = { ...r, state: s.state };
  assert.equal(statusAt(r.def, r.state, T0 + 3 * MIN), 'paused');
  assert.equal(statusAt(r.def, r.state, T0 + 12 * MIN), 'down');
  const t = applyTimeout(r, T0 + 12 * MIN);
  assert.deepEqual(t.flip, { from: 'paused', to: 'down', at: T0 + 12 * MIN, reason: 'timeout' });
  // Pausing a paused check changes nothing.
  assert.equal(applyPause({ ...r, state: { ...r.state } }, T0 + 4 * MIN).flip, undefined);
});

test('status: a running job keeps its status; late is only the grace window of a missed deadline', () => {
  let r = after(record(), applyPing(record(), ping(T0)));
  r = after(r, applyPing(r, ping(T0 + 20 * MIN, { action: 'start' })));
  assert.equal(r.state.alertAfter, T0 + 30 * MIN, 'grace is also the longest a run may take');
  assert.equal(statusAt(r.def, r.state, T0 + 21 * MIN), 'up', 'a run in progress is not late');
  assert.equal(statusAt(r.def, r.state, T0 + 29 * MIN), 'up');
  assert.equal(statusAt(r.def, r.state, T0 + 30 * MIN), 'down', 'start + grace passed');
  const plain = after(record(), applyPing(record(), ping(T0)));
  assert.equal(statusAt(plain.def, plain.state, T0 + 59 * MIN), 'up');
  assert.equal(statusAt(plain.def, plain.state, T0 + 60 * MIN), 'late');
  assert.equal(statusAt(plain.def, plain.state, T0 + 70 * MIN), 'down');
  const fresh = record();
  const started = after(fresh, applyPing(fresh, ping(T0, { action: 'start' })));
  assert.equal(statusAt(started.def, started.state, T0 + MIN), 'new');
  assert.equal(started.state.alertAfter, T0 + 10 * MIN);
});

test('a start and a completion more than 72 h apart are unrelated', () => {
  let r = after(record(), applyPing(record(), ping(T0, { action: 'start' })));
  r = { ...r, state: { ...r.state } };
  const late = applyPing(r, ping(T0 + 73 * HOUR));
  assert.equal(late.duration, null);
  assert.equal(late.state.lastStart, null);
});

test('the down message says how long it was silent, what was expected and when the last ping came', () => {
  const r = after(record(), applyPing(record(), ping(T0)));
  const t = applyTimeout(r, T0 + 2 * HOUR);
  assert.equal(
    timeoutText(r.def, r.state, t.flip!),
    '🔴 DOWN nightly-backup: no ping for 1h 10m (expected every 1h, grace 10m); last ping 2026-11-25 03:00:12 UTC',
  );
});

test('the fail message carries the ping body, cut short to one line', () => {
  const r = record();
  const body = `backup failed:\n${'x'.repeat(500)}`;
  const text = failText(r.def, T0, 2, body);
  assert.match(
    text,
    /^🔴 DOWN nightly-backup: failure reported \(exit status 2\) at 2026-11-25 03:00:12 UTC: backup failed: x+…$/,
  );
  assert.ok(text.length < 300);
  assert.ok(!text.includes('\n'));
});

test('cron + tz: the next expected time follows the zone across the DST change (Europe/Berlin)', () => {
  // 03:00 local every day. Clocks go back on 2026-10-25: 03:00 CEST = 01:00Z, 03:00 CET = 02:00Z.
  const cron = { kind: 'cron' as const, cron: '0 3 * * *', tz: 'Europe/Berlin' };
  let r = record({ schedule: cron, graceMs: HOUR });
  const lastPing = Date.UTC(2026, 9, 24, 1, 0, 30); // Saturday 03:00:30 CEST
  r = after(r, applyPing(r, ping(lastPing)));
  assert.equal(r.state.alertAfter, Date.UTC(2026, 9, 25, 2, 0) + HOUR, 'Sunday 03:00 CET is 02:00Z');
  // Spring forward: 02:30 local does not exist on 2026-03-29; the job runs at the first valid time.
  assert.equal(
    nextCronTime('30 2 * * *', 'Europe/Berlin', Date.UTC(2026, 2, 28, 12)),
    Date.UTC(2026, 2, 29, 1, 0),
  );
  assert.equal(
    nextCronTime('30 2 * * *', 'Europe/Berlin', Date.UTC(2026, 2, 29, 12)),
    Date.UTC(2026, 2, 30, 0, 30),
  );
  const t = applyTimeout(r, Date.UTC(2026, 9, 25, 3, 0));
  assert.equal(t.flip?.to, 'down');
  assert.match(timeoutText(r.def, r.state, t.flip!), /expected at "0 3 \* \* \*" Europe\/Berlin, grace 1h/);
});

test('pause: no deadline, manual resume ignores pings, otherwise a ping resumes', () => {
  let r = after(record(), applyPing(record(), ping(T0)));
  const p = applyPause(r, T0 + MIN);
  assert.deepEqual(p.flip, { from: 'up', to: 'paused', at: T0 + MIN, reason: 'pause' });
  assert.equal(p.state.alertAfter, null);
  r = { ...r, state: p.state };
  // Without manual resume, a ping brings it back up.
  const resumed = applyPing(r, ping(T0 + 2 * MIN));
  assert.equal(resumed.flip?.to, 'up');
  // With manual resume, every ping is ign until resumed through the API.
  const manual = { ...r, def: { ...r.def, manualResume: true } };
  const ignored = applyPing(manual, ping(T0 + 2 * MIN));
  assert.equal(ignored.kind, 'ign');
  assert.equal(ignored.flip, undefined);
  assert.equal(ignored.state.status, 'paused');
  assert.equal(ignored.state.lastPing, r.state.lastPing, 'ign changes nothing');
  const res = applyResume(manual, T0 + 3 * MIN);
  assert.deepEqual(res.flip, { from: 'paused', to: 'new', at: T0 + 3 * MIN, reason: 'resume' });
  assert.equal(res.state.lastPing, null);
});

test('log and ign pings change nothing but the ping count', () => {
  const r = after(record(), applyPing(record(), ping(T0)));
  const l = applyPing(r, ping(T0 + MIN, { action: 'log', body: 'note' }));
  assert.equal(l.kind, 'log');
  assert.equal(l.state.lastPing, T0);
  assert.equal(l.state.alertAfter, r.state.alertAfter);
  assert.equal(l.state.nPings, 2);
});

test('Alertmanager-aware: a resolved payload is ign, firing is success; alertmanager: false turns it off', () => {
  const firing = JSON.stringify({
    status: 'firing',
    alerts: [{ status: 'firing', labels: { alertname: 'Watchdog' } }],
  });
  const resolved = JSON.stringify({
    status: 'resolved',
    alerts: [{ status: 'resolved', labels: { alertname: 'Watchdog' } }],
  });
  const r = record();
  assert.equal(classifyPing(r.def, r.state, ping(T0, { method: 'POST', body: resolved })), 'ign');
  assert.equal(classifyPing(r.def, r.state, ping(T0, { method: 'POST', body: firing })), 'success');
  const off = record({ alertmanager: false });
  assert.equal(classifyPing(off.def, off.state, ping(T0, { method: 'POST', body: resolved })), 'success');
  // Not a webhook payload: plain JSON is an ordinary success.
  assert.equal(
    classifyPing(r.def, r.state, ping(T0, { method: 'POST', body: '{"status":"resolved"}' })),
    'success',
  );
  // A resolved Watchdog does not keep a check up.
  const up = after(r, applyPing(r, ping(T0)));
  const t = applyPing(up, ping(T0 + 50 * MIN, { method: 'POST', body: resolved }));
  assert.equal(t.state.alertAfter, up.state.alertAfter);
});

test('keyword filters (filter_http_body): failure first, then success, then start; no match is ign, or fail with filter_default_fail', () => {
  const filter = {
    ...NO_FILTER,
    successKw: 'SUCCESS',
    failureKw: 'ERROR, FAILED',
    startKw: 'STARTED',
    httpBody: true,
  };
  const r = record({ filter });
  const kind = (body: string, d = r, over = {}) =>
    classifyPing(d.def, d.state, ping(T0, { method: 'POST', body, ...over }));
  assert.equal(kind('SUCCESS with ERROR inside'), 'fail');
  assert.equal(kind('it FAILED'), 'fail', 'keywords are comma-separated and trimmed');
  assert.equal(kind('backup SUCCESS'), 'success');
  assert.equal(kind('job STARTED'), 'start');
  assert.equal(kind('something else'), 'ign');
  assert.equal(kind('something else', record({ filter: { ...filter, defaultFail: true } })), 'fail');
  // As in Healthchecks, the body decides whatever the URL asked for.
  assert.equal(kind('x', r, { action: 'start' }), 'ign');
  assert.equal(kind('ERROR', r, { action: 'log' }), 'fail');
  assert.equal(kind('SUCCESS', r, { action: 'fail', exitStatus: 1 }), 'success');
  // Without filter_http_body (the e-mail filters only), HTTP pings are not filtered.
  const email = record({
    filter: { ...filter, httpBody: false, subject: true, body: true, defaultFail: true },
  });
  assert.equal(kind('nothing', email), 'success');
  assert.equal(kind('ERROR', email), 'success');
});

test('methods: POST ignores GET and HEAD pings', () => {
  const r = record({ methods: 'POST' });
  assert.equal(classifyPing(r.def, r.state, ping(T0, { method: 'GET' })), 'ign');
  assert.equal(classifyPing(r.def, r.state, ping(T0, { method: 'POST' })), 'success');
});

test('maintenance windows: inside [start, start + duration) in the window zone', () => {
  const windows = [{ cron: '0 2 * * 0', durationMs: 2 * HOUR, tz: 'Europe/Berlin' }];
  // Sunday 2026-11-29 02:00 CET = 01:00Z.
  const start = Date.UTC(2026, 10, 29, 1, 0);
  assert.equal(maintenanceEnd(windows, start - SEC), undefined);
  assert.equal(maintenanceEnd(windows, start), start + 2 * HOUR);
  assert.equal(maintenanceEnd(windows, start + 2 * HOUR - SEC), start + 2 * HOUR);
  assert.equal(maintenanceEnd(windows, start + 2 * HOUR), undefined);
  assert.equal(maintenanceEnd([], start), undefined);
});

test('10 000 simulated hours of a 1 h heartbeat with a missed ping every 100 h: exactly 100 downs', () => {
  let r = record();
  let downs = 0;
  for (let h = 0; h < 10_000; h++) {
    const at = T0 + h * HOUR;
    if (r.state.alertAfter !== null && at >= r.state.alertAfter) {
      const t = applyTimeout(r, at);
      if (t.flip?.to === 'down') downs++;
      r = { ...r, state: t.state };
    }
    if (h % 100 !== 99) r = { ...r, state: applyPing(r, ping(at)).state };
    else r = { ...r, state: { ...r.state } };
    // skip the ping 2 hours in a row so the 70 min deadline passes
    if (h % 100 === 99) {
      const missed = T0 + (h + 1) * HOUR + 15 * MIN;
      const t = applyTimeout(r, missed);
      if (t.flip?.to === 'down') downs++;
      r = { ...r, state: t.state };
    }
  }
  assert.equal(downs, 100);
});

test('property: the next ping read from a stored deadline equals the one computed from the schedule', () => {
  const schedules = [
    { kind: 'simple' as const, periodMs: HOUR },
    { kind: 'cron' as const, cron: '15 3 * * *', tz: 'Europe/Berlin' },
    { kind: 'oncalendar' as const, onCalendar: 'Mon..Fri 09:00', tz: 'America/New_York' },
  ];
  fc.assert(
    fc.property(
      fc.constantFrom(...schedules),
      fc.array(
        fc.tuple(fc.constantFrom('success', 'start', 'fail', 'log'), fc.integer({ min: 1, max: 50 * HOUR })),
        {
          minLength: 1,
          maxLength: 8,
        },
      ),
      (schedule, events) => {
        let r = record({ schedule });
        let at = T0;
        for (const [action, gap] of events) {
          at += gap;
          r = after(r, applyPing(r, ping(at, { action: action as 'success' })));
          assert.equal(nextPingAt(r.def, r.state), graceStart(r.def, r.state));
        }
      },
    ),
    { numRuns: 200 },
  );
});
