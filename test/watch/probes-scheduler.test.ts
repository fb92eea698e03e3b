import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbeScheduler, phaseOf, type ScheduledProbe } from '../../src/watch/probes/scheduler.js';
import { ManualClock } from '../helpers/clock.js';
import { settle, T0 } from './helpers.js';
import { probeRig } from './probe-rig.js';

const SEC = 1000;

async function advance(clock: ManualClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(Math.min(step, ms - t));
    await settle(2);
  }
}

/** A probe whose runs are recorded and, when `hold` is set, last until released. */
function probe(
  name: string,
  intervalMs: number,
  log: Array<{ name: string; at: number }>,
  clock: ManualClock,
) {
  const state = { hold: false, running: 0, maxRunning: 0, release: [] as Array<() => void> };
  const p: ScheduledProbe = {
    id: `id-${name}`,
    name,
    intervalMs,
    async run() {
      log.push({ name, at: clock.now() });
      state.running++;
      state.maxRunning = Math.max(state.maxRunning, state.running);
      if (state.hold) await new Promise<void>((r) => state.release.push(r));
      state.running--;
    },
  };
  return { p, state };
}

test('starts sit on a grid spread across the interval by a stable hash of the name', async () => {
  const clock = new ManualClock(T0);
  const log: Array<{ name: string; at: number }> = [];
  const names = Array.from({ length: 200 }, (_, i) => `probe-${i}`);
  const s = new ProbeScheduler({ clock });
  s.update(names.map((n) => probe(n, 30 * SEC, log, clock).p));
  s.start();
  await advance(clock, 90 * SEC, 250);
  await s.stop();

  const byName = new Map<string, number[]>();
  for (const { name, at } of log) byName.set(name, [...(byName.get(name) ?? []), at]);
  for (const n of names) {
    const starts = byName.get(n) ?? [];
    assert.equal(starts.length, 3, `${n} runs once per interval`);
    for (const at of starts)
      assert.equal((at - phaseOf(n, 30 * SEC)) % (30 * SEC), 0, `${n} starts on its grid`);
  }
  // Spread: every 3-second tenth of the interval gets some of the 200 first starts.
  const tenths = new Set(log.slice(0, 200).map(({ at }) => Math.floor(((at - T0) % (30 * SEC)) / (3 * SEC))));
  assert.equal(tenths.size, 10);
  assert.equal(phaseOf('probe-7', 30 * SEC), phaseOf('probe-7', 30 * SEC), 'stable');
  assert.notEqual(phaseOf('probe-7', 30 * SEC), phaseOf('probe-8', 30 * SEC));
});

test('a probe never overlaps itself: a run that overruns delays the next start, once', async () => {
  const clock = new ManualClock(T0);
  const log: Array<{ name: string; at: number }> = [];
  const { p, state } = probe('slow', 10 * SEC, log, clock);
  const s = new ProbeScheduler({ clock });
  s.update([p]);
  s.start();
  const phase = phaseOf('slow', 10 * SEC);
  const first = T0 + ((phase - (T0 % (10 * SEC)) + 10 * SEC) % (10 * SEC));
  state.hold = true;
  await advance(clock, first - T0 + 25 * SEC);
  assert.equal(log.length, 1, 'no second start while the first run is in flight');
  state.hold = false;
  state.release.shift()?.();
  await settle();
  assert.equal(log.length, 2, 'the overrun run is followed by one late start at once');
  assert.equal(log[1]?.at, first + 25 * SEC);
  await advance(clock, 20 * SEC);
  assert.deepEqual(
    log.slice(2).map((l) => l.at),
    [first + 30 * SEC, first + 40 * SEC],
    'then back on its grid',
  );
  assert.equal(state.maxRunning, 1);
  await s.stop();
});

test('global concurrency is bounded; waiting runs start as slots free up', async () => {
  const clock = new ManualClock(T0);
  const log: Array<{ name: string; at: number }> = [];
  const probes = Array.from({ length: 10 }, (_, i) => probe(`p${i}`, 5 * SEC, log, clock));
  for (const { state } of probes) state.hold = true;
  const s = new ProbeScheduler({ clock, concurrency: 3 });
  s.update(probes.map((x) => x.p));
  s.start();
  await advance(clock, 5 * SEC);
  assert.equal(s.activeRuns, 3);
  assert.equal(log.length, 3);
  const releaseAll = () => {
    for (const { state } of probes) while (state.release.length > 0) state.release.shift()?.();
  };
  for (let round = 0; round < 4; round++) {
    releaseAll();
    await settle();
    assert.ok(s.activeRuns <= 3);
  }
  assert.equal(new Set(log.map((l) => l.name)).size, 10, 'every probe got its turn');
  for (const { state } of probes) {
    state.hold = false;
  }
  releaseAll();
  await s.stop();
});

const CONFIG = (extra = '') =>
  [
    'channels: { pager: { type: scripted } }',
    'defaults: { channels: [pager] }',
    'probes:',
    '  - { name: api, http: "http://api.test/health", interval: 10s, timeout: 2s, failureThreshold: 3, successThreshold: 2 }',
    extra,
    '',
  ].join('\n');

test('flap damping: down after failureThreshold failures in a row, up after successThreshold; one page each way', async () => {
  const clock = new ManualClock(T0);
  const rig = await probeRig(CONFIG(), clock);
  try {
    const uuid = await rig.uuidOf('api');
    const pager = rig.transports.get('pager');
    assert.ok(pager);
    const status = async () => (await rig.watch.store.getCheck(uuid))?.state.status;
    const runs = () => rig.runs.filter((r) => r.name === 'api').length;
    const untilRuns = async (n: number) => {
      for (let i = 0; i < 200 && runs() < n; i++) await rig.advance(500);
      assert.equal(runs(), n);
    };

    await untilRuns(1);
    assert.equal(await status(), 'new', 'one success is not enough with successThreshold 2');
    await untilRuns(2);
    assert.equal(await status(), 'up');
    assert.equal(pager.sent.length, 0, 'new → up pages nobody');

    rig.outcome.set('api', { ok: false, message: 'HTTP 503 from http://api.test/health' });
    await untilRuns(4);
    assert.equal(await status(), 'up', 'two failures in a row are damped');
    await untilRuns(5);
    assert.equal(await status(), 'down');
    await rig.advance(1000);
    assert.equal(pager.sent.length, 1);
    assert.equal(
      pager.sent[0]?.text,
      '🔴 DOWN api: HTTP 503 from http://api.test/health (3 failures in a row, probed every 10s)',
    );
    assert.equal(pager.sent[0]?.reason, 'probe');

    rig.outcome.set('api', { ok: true, message: 'HTTP 200' });
    await untilRuns(6);
    rig.outcome.set('api', { ok: false, message: 'HTTP 503 from http://api.test/health' });
    await untilRuns(7);
    rig.outcome.set('api', { ok: true, message: 'HTTP 200' });
    await untilRuns(8);
    assert.equal(await status(), 'down', 'a success between failures restarts the count');
    await untilRuns(9);
    assert.equal(await status(), 'up');
    await rig.advance(1000);
    assert.equal(pager.sent.length, 2, 'one page each way');
    assert.equal(pager.sent[1]?.event, 'up');
    assert.equal(pager.sent[1]?.text, '🟢 UP api again after 40s');

    const flips = (await (await rig.request(`/api/v3/checks/${uuid}/flips/`)).json()) as {
      flips: Array<{ from: string; to: string; reason: string }>;
    };
    assert.deepEqual(
      flips.flips.map((f) => `${f.from}>${f.to}:${f.reason}`),
      ['down>up:probe', 'up>down:probe', 'new>up:probe'],
    );
  } finally {
    await rig.close();
  }
});

test('a slow notification channel does not delay the next probe', async () => {
  const clock = new ManualClock(T0);
  const rig = await probeRig(
    [
      'channels: { pager: { type: scripted } }',
      'defaults: { channels: [pager] }',
      'probes:',
      '  - { name: api, tcp: "api.test:443", interval: 5s, failureThreshold: 1 }',
      '',
    ].join('\n'),
    clock,
  );
  try {
    const pager = rig.transports.get('pager');
    assert.ok(pager);
    pager.hang = true;
    rig.outcome.set('api', { ok: false, message: 'no connection to api.test:443: connection refused' });
    const uuid = await rig.uuidOf('api');
    for (let i = 0; i < 40 && rig.runs.length < 1; i++) await rig.advance(500);
    await rig.advance(500);
    assert.equal((await rig.watch.store.getCheck(uuid))?.state.status, 'down');
    assert.equal(pager.tries, 1, 'the page is being sent, and hangs');
    const before = rig.runs.length;
    const firstAt = rig.runs[0]?.at as number;
    await rig.advance(25_000);
    assert.equal(rig.runs.length - before, 5, 'five more runs in five intervals while the channel hangs');
    assert.deepEqual(
      rig.runs.map((r) => r.at - firstAt),
      [0, 5000, 10_000, 15_000, 20_000, 25_000],
      'each on time',
    );
    const results = await rig.watch.store.listProbeResults(uuid, 100);
    assert.equal(results.length, 6, 'and each result recorded');
    assert.equal(pager.sent.length, 0);
  } finally {
    await rig.close();
  }
});

test('probes are checks of kind probe: list, results and hourly API, metrics, pause semantics, pings ignored', async () => {
  const clock = new ManualClock(T0);
  const rig = await probeRig(CONFIG('checks:\n  - { name: cron-job, period: 1h }'), clock);
  try {
    const uuid = await rig.uuidOf('api');
    for (let i = 0; i < 60 && rig.runs.length < 2; i++) await rig.advance(500);
    rig.outcome.set('api', { ok: false, message: 'HTTP 500 from http://api.test/health' });
    for (let i = 0; i < 60 && rig.runs.length < 3; i++) await rig.advance(500);
    await rig.advance(500);

    const list = (await (await rig.request('/api/v3/checks/')).json()) as {
      checks: Array<Record<string, unknown>>;
    };
    const api = list.checks.find((c) => c.name === 'api');
    assert.ok(api);
    assert.equal(api.kind, 'probe');
    assert.equal(api.status, 'up');
    assert.equal(api.interval, 10);
    assert.deepEqual(api.probe, {
      type: 'http',
      target: 'http://api.test/health',
      timeout: 2,
      failure_threshold: 3,
      success_threshold: 2,
    });
    assert.equal(api.results_url, `https://watch.example.net/api/v3/checks/${uuid}/results/`);

    const results = (await (await rig.request(`/api/v3/checks/${uuid}/results?limit=2`)).json()) as {
      results: Array<{ n: number; ok: boolean; message: string; latency_ms: number; timestamp: string }>;
    };
    assert.deepEqual(
      results.results.map((r) => [r.n, r.ok, r.message, r.latency_ms]),
      [
        [3, false, 'HTTP 500 from http://api.test/health', 12],
        [2, true, 'fine', 12],
      ],
    );
    const hourly = (await (await rig.request(`/api/v3/checks/${uuid}/results/hourly/`)).json()) as {
      hours: Array<Record<string, unknown>>;
    };
    assert.deepEqual(hourly.hours, [
      {
        hour: '2026-11-25T03:00:00+00:00',
        probes: 3,
        failures: 1,
        uptime: 0.6667,
        latency_avg_ms: 12,
        latency_max_ms: 12,
      },
    ]);
    const cron = await rig.uuidOf('cron-job');
    assert.equal((await rig.request(`/api/v3/checks/${cron}/results/`)).status, 400);
    assert.equal(
      (await rig.request('/api/v3/checks/11111111-2222-4333-8444-555555555555/results')).status,
      404,
    );

    const metrics = await (await rig.request('/metrics')).text();
    assert.match(metrics, /alertpath_watch_probe_duration_seconds\{check="api"\} 0\.012/);
    assert.match(metrics, /alertpath_watch_probe_success\{check="api"\} 0/);
    assert.match(metrics, /alertpath_watch_check_status\{check="api",status="up"\} 1/);
    assert.match(metrics, /alertpath_watch_probe_start_delay_seconds_count 3/);

    // A ping to a probe changes nothing: its status comes from probe results.
    assert.equal(await (await rig.request(`/ping/${uuid}/fail`)).text(), 'OK');
    assert.equal((await rig.watch.store.getCheck(uuid))?.state.status, 'up');

    // Paused: results are recorded, nothing flips, nobody is paged.
    assert.equal((await rig.request(`/api/v3/checks/${uuid}/pause`, { method: 'POST' })).status, 200);
    for (let i = 0; i < 100 && rig.runs.length < 7; i++) await rig.advance(500);
    await rig.advance(500);
    assert.equal((await rig.watch.store.getCheck(uuid))?.state.status, 'paused');
    assert.equal(rig.transports.get('pager')?.sent.length, 0);
    assert.equal((await rig.watch.store.listProbeResults(uuid, 100)).length, 7);
    assert.equal((await rig.request(`/api/v3/checks/${uuid}/resume`, { method: 'POST' })).status, 200);
    for (let i = 0; i < 100 && rig.runs.length < 10; i++) await rig.advance(500);
    await rig.advance(500);
    assert.equal((await rig.watch.store.getCheck(uuid))?.state.status, 'down', 'counts again after resume');
  } finally {
    await rig.close();
  }
});
