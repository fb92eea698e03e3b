import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AmAlert, AmStatus } from '../../src/drill/alertmanager.js';
import type { ObservedCheck, ObservedNotification } from '../../src/drill/observer.js';
import { evaluatePreflight, type Finding, type PreflightFacts } from '../../src/drill/preflight.js';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);
const MIN = 60_000;

function check(over: Partial<ObservedCheck> = {}): ObservedCheck {
  return {
    id: '5b5cf3f2-0a6e-4c6f-9d7e-3c1b2a9f0e11',
    uuid: '5b5cf3f2-0a6e-4c6f-9d7e-3c1b2a9f0e11',
    name: 'watchdog',
    slug: 'watchdog',
    status: 'up',
    lastPing: NOW - 20_000,
    periodMs: MIN,
    schedule: undefined,
    graceMs: 5 * MIN,
    channels: ['phone'],
    flavor: 'alertpath',
    probe: false,
    ...over,
  };
}

const single: AmStatus = { cluster: { status: 'disabled', peers: [] } };
const firing: AmAlert = {
  labels: { alertname: 'Watchdog' },
  status: { state: 'active', silencedBy: [], inhibitedBy: [] },
  receivers: [{ name: 'deadman' }],
};

function facts(over: Partial<PreflightFacts> = {}): PreflightFacts {
  return {
    now: NOW,
    check: check(),
    channels: [{ id: 'phone', name: 'phone', kind: 'ntfy' }],
    notifications: [],
    alertmanagers: [{ url: 'http://am:9093', status: single, alerts: [firing] }],
    ...over,
  };
}

const evaluate = (f: PreflightFacts, timeoutMs?: number, preflightOnly = false) =>
  evaluatePreflight(f, { alert: 'Watchdog', maxDetectMs: 15 * MIN, timeoutMs, preflightOnly });
const failures = (list: Finding[]) => list.filter((f) => !f.ok);

test('a healthy path passes every finding', () => {
  const out = evaluate(facts());
  assert.deepEqual(failures(out), []);
  assert.deepEqual(
    out.map((f) => f.name),
    ['check', 'detect-window', 'channels', 'alertmanager'],
  );
  assert.match(out[0]?.detail ?? '', /is up; last ping 20s ago/);
  assert.equal(out[1]?.detail, 'period 1m + grace 5m = 6m ≤ --max-detect 15m');
  assert.equal(out[2]?.detail, '1 channel: phone (ntfy); no last notification failed');
  assert.equal(out[3]?.detail, 'http://am:9093: "Watchdog" firing (receivers: deadman); single node');
});

test('the check must be up and receiving', () => {
  for (const [status, pattern] of [
    ['down', /is down already/],
    ['grace', /is late/],
    ['new', /never received a ping/],
    ['paused', /is paused: it would never page/],
  ] as const) {
    const [f] = failures(evaluate(facts({ check: check({ status }) })));
    assert.equal(f?.name, 'check');
    assert.match(f?.detail ?? '', pattern);
  }
  const [stale] = failures(evaluate(facts({ check: check({ lastPing: NOW - 3 * MIN }) })));
  assert.match(stale?.detail ?? '', /last ping 3m ago, longer than its period 1m/);
  const [probe] = failures(evaluate(facts({ check: check({ probe: true }) })));
  assert.match(probe?.detail ?? '', /is a probe/);
});

test('the detect window: a cron schedule, a drifted grace, a timeout shorter than the window', () => {
  const [cron] = failures(evaluate(facts({ check: check({ periodMs: undefined, schedule: '0 3 * * *' }) })));
  assert.match(cron?.detail ?? '', /has a cron schedule \("0 3 \* \* \*"\)/);
  const [drift] = failures(evaluate(facts({ check: check({ graceMs: 48 * 60 * MIN }) })));
  assert.match(drift?.detail ?? '', /grace 2d = 2d1m exceeds --max-detect 15m/);
  const [short] = failures(evaluate(facts(), 3 * MIN));
  assert.match(short?.detail ?? '', /--timeout 3m is shorter than period 1m \+ grace 5m = 6m/);
});

test('channels: none, a failed last send (each its own line), Healthchecks ids listed by name', () => {
  const [none] = failures(evaluate(facts({ check: check({ channels: [] }) })));
  assert.match(none?.detail ?? '', /has no channel: nobody would be paged/);

  const n = (
    channel: string,
    status: string,
    finished: number,
    error: string | null = null,
  ): ObservedNotification => ({
    channel,
    event: 'down',
    fallback: false,
    status,
    tries: status === 'failed' ? 3 : 1,
    created: finished - 1000,
    finished,
    error,
  });
  const out = evaluate(
    facts({
      check: check({ channels: ['phone', 'mail', 'chat'] }),
      channels: [
        { id: 'phone', name: 'phone', kind: 'ntfy' },
        { id: 'mail', name: 'mail', kind: 'email' },
        { id: 'chat', name: 'chat', kind: 'discord' },
      ],
      notifications: [
        n('phone', 'failed', NOW - MIN, 'ntfy.sh answered HTTP 403'),
        n('phone', 'sent', NOW - 2 * MIN),
        n('mail', 'sent', NOW - MIN),
        n('mail', 'failed', NOW - 2 * MIN, 'old failure'),
        n('chat', 'failed', NOW - 5 * MIN, 'HTTP 404'),
        n('chat', 'pending', NOW),
      ],
    }),
  );
  const bad = failures(out);
  assert.equal(bad.length, 2);
  assert.match(
    bad[0]?.detail ?? '',
    /^channel "phone" failed its last notification \(.*, 3 tries\): ntfy\.sh answered HTTP 403$/,
  );
  assert.match(bad[1]?.detail ?? '', /^channel "chat" failed its last notification/);

  const hc = evaluate(
    facts({
      check: check({ flavor: 'healthchecks', channels: ['4ec5a071-2d08-4baa-898a-eb4eb3cd6941'] }),
      channels: [{ id: '4ec5a071-2d08-4baa-898a-eb4eb3cd6941', name: 'My Phone', kind: 'sms' }],
      notifications: 'unsupported',
    }),
  );
  assert.deepEqual(failures(hc), []);
  assert.equal(
    hc[2]?.detail,
    '1 channel: My Phone (sms); this observer does not expose notification outcomes',
  );

  const readOnlyFacts = facts({
    check: check({ channels: undefined }),
    channels: undefined,
    notifications: undefined,
  });
  const readOnly = evaluate(readOnlyFacts, undefined, true);
  assert.deepEqual(failures(readOnly), []);
  assert.equal(readOnly[2]?.detail, 'not visible with a read-only API key (not checked)');
  const [drill] = failures(evaluate(readOnlyFacts));
  assert.match(drill?.detail ?? '', /^not visible with a read-only API key: a drill needs a read-write key/);
});

test('Alertmanager: not firing, silenced already, inhibited, unclustered in HA, unreachable', () => {
  const am = (over: Partial<PreflightFacts['alertmanagers'][number]>) => ({
    url: 'http://am:9093',
    status: single,
    alerts: [firing],
    ...over,
  });
  const cases: Array<[PreflightFacts['alertmanagers'], RegExp]> = [
    [[am({ alerts: [] })], /no "Watchdog" alert is firing on http:\/\/am:9093/],
    [
      [
        am({
          alerts: [{ ...firing, status: { state: 'suppressed', silencedBy: ['s-1'], inhibitedBy: [] } }],
        }),
      ],
      /"Watchdog" on http:\/\/am:9093 is silenced already \(silence s-1\)/,
    ],
    [
      [
        am({
          alerts: [{ ...firing, status: { state: 'suppressed', silencedBy: [], inhibitedBy: ['fp1'] } }],
        }),
      ],
      /is inhibited \(by fp1\)/,
    ],
    [[am({}), am({ url: 'http://am2:9093' })], /is not clustered \(cluster disabled\)/],
    [
      [
        am({
          error: 'cannot reach Alertmanager http://am:9093: connection refused',
          status: undefined,
          alerts: undefined,
        }),
      ],
      /connection refused/,
    ],
  ];
  for (const [alertmanagers, pattern] of cases) {
    const bad = failures(evaluate(facts({ alertmanagers })));
    assert.ok(bad.length >= 1, String(pattern));
    assert.equal(bad[0]?.name, 'alertmanager');
    assert.match(bad[0]?.detail ?? '', pattern);
  }
  const cluster: AmStatus = {
    cluster: {
      status: 'ready',
      peers: [
        { name: 'a', address: '1' },
        { name: 'b', address: '2' },
      ],
    },
  };
  const ha = evaluate(
    facts({ alertmanagers: [am({ status: cluster }), am({ url: 'http://am2:9093', status: cluster })] }),
  );
  assert.deepEqual(failures(ha), []);
  assert.match(ha[3]?.detail ?? '', /cluster ready, 2 peers/);
});
