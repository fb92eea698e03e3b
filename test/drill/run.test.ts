import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DrillResult } from '../../src/drill/model.js';
import type { Poller } from '../../src/drill/poll.js';
import { type DrillSettings, flipInstant, runDrill } from '../../src/drill/run.js';
import { ManualClock } from '../helpers/clock.js';
import { World, type WorldOptions } from './world.js';

/**
 * The drill's steps on a simulated alert path (manual clock, fake ports): what it measures, what
 * it reports, and that no path leaves a silence behind.
 */

const SEC = 1000;
const MIN = 60 * SEC;

function settings(over: Partial<DrillSettings> = {}): DrillSettings {
  return {
    check: 'watchdog',
    alert: 'Watchdog',
    maxDetectMs: 15 * MIN,
    timeoutMs: undefined,
    preflightOnly: false,
    keepSilence: false,
    testAlert: false,
    ...over,
  };
}

interface Run {
  result: DrillResult;
  world: World;
  clock: ManualClock;
}

async function drill(
  worldOptions: WorldOptions,
  over: Partial<DrillSettings> = {},
  extra: { relay?: boolean; abortAfterMs?: number; random?: () => number } = {},
): Promise<Run> {
  const clock = new ManualClock();
  const world = new World(clock, worldOptions);
  const poller: Poller = { clock, intervalMs: 2 * SEC, jitter: 0.2, random: extra.random ?? (() => 0.5) };
  const abort = new AbortController();
  let result: DrillResult | undefined;
  const started = clock.now();
  const running = runDrill(
    settings(over),
    {
      observer: world.observer(),
      alertmanagers: world.alertmanagers(),
      relays: extra.relay ? [world.relay()] : [],
    },
    { clock, poller, runId: 'run1', signal: abort.signal, peerConfirmMs: 10 * SEC },
  ).then((r) => {
    result = r;
  });
  while (result === undefined) {
    await clock.advance(100);
    if (
      extra.abortAfterMs !== undefined &&
      clock.now() - started >= extra.abortAfterMs &&
      !abort.signal.aborted
    )
      abort.abort('SIGTERM');
    if (clock.now() - started > 6 * 3600_000) throw new Error('the drill did not end');
  }
  await running;
  return { result, world, clock };
}

const names = (r: DrillResult) => r.steps.map((s) => s.name);

test('a passing drill measures time-to-page from the silence to the flip, and time-to-recover', async () => {
  const { result, world } = await drill({ periodMs: 1 * MIN, graceMs: 2 * MIN });
  assert.equal(result.ok, true, result.verdict);
  assert.deepEqual(names(result), [
    'check',
    'detect-window',
    'channels',
    'alertmanager',
    'silence',
    'page',
    'notification',
    'unsilence',
    'recovery',
  ]);
  const silence = world.silences[0];
  assert.ok(silence);
  const down = world.flips.find((f) => !f.up);
  assert.ok(down);
  // The last ping came 1 s before the silence: the flip is due 1 m + 2 m after it.
  const truth = down.at - silence.createdAt;
  assert.ok(
    result.timeToPageMs !== null && Math.abs(result.timeToPageMs - truth) <= 1000,
    `${result.timeToPageMs} vs ${truth}`,
  );
  assert.ok(
    result.timeToPageMs >= 2 * MIN + 58 * SEC && result.timeToPageMs <= 3 * MIN,
    String(result.timeToPageMs),
  );
  assert.ok(
    result.timeToRecoverMs !== null && result.timeToRecoverMs <= 1 * MIN + 1000,
    String(result.timeToRecoverMs),
  );
  assert.match(
    result.verdict,
    /^drill passed: paged after 2m59s \(period 1m \+ grace 2m\); recovered after /,
  );
  assert.equal(world.activeSilences().length, 0);
  assert.equal(silence.comment, 'alertpath drill run1');
  assert.equal(silence.createdBy, 'alertpath drill');
  // The silence ends by itself 5 minutes after the timeout (period + grace + 2 m).
  assert.equal(Date.parse(world.silences[0]?.endsAt ?? '') <= silence.createdAt + 10 * MIN, true);
});

test('the silence is created to end at the timeout plus 5 minutes', async () => {
  const clock = new ManualClock();
  const world = new World(clock, { periodMs: MIN, graceMs: 2 * MIN });
  const abort = new AbortController();
  const running = runDrill(
    settings({ timeoutMs: 20 * MIN }),
    { observer: world.observer(), alertmanagers: world.alertmanagers(), relays: [] },
    {
      clock,
      poller: { clock, intervalMs: 2000, jitter: 0, random: () => 0.5 },
      runId: 'r',
      signal: abort.signal,
    },
  );
  while (world.silences.length === 0) await clock.advance(100);
  const s = world.silences[0];
  assert.equal(Date.parse(s?.endsAt ?? '') - (s?.createdAt ?? 0), 25 * MIN);
  abort.abort('SIGINT');
  await clock.advance(100);
  await running;
});

test('polling adds at most the poll interval (2 s + jitter) between the flip and the drill seeing it', async () => {
  for (const random of [() => 0, () => 0.5, () => 0.999]) {
    const { result, world } = await drill({ periodMs: 2 * SEC, graceMs: 3 * SEC }, {}, { random });
    assert.equal(result.ok, true, result.verdict);
    const down = world.flips.find((f) => !f.up);
    const page = result.steps.find((s) => s.name === 'page');
    assert.ok(down && page);
    // The flip is dated in whole seconds: it happened within a second after `down.at`.
    const lag = page.at - down.at;
    assert.ok(lag <= 2.4 * SEC + 1000, `saw the flip ${lag} ms after its record`);
    assert.ok(
      result.timeToPageMs !== null && result.timeToPageMs >= 3 * SEC && result.timeToPageMs <= 5 * SEC,
    );
  }
});

test('preflight: a 48 h grace fails the detect window; nothing is silenced', async () => {
  const { result, world } = await drill({ periodMs: MIN, graceMs: 48 * 3600_000 });
  assert.equal(result.ok, false);
  assert.equal(result.error, null);
  assert.equal(result.mode, 'drill');
  const step = result.steps.find((s) => s.name === 'detect-window');
  assert.equal(step?.ok, false);
  assert.match(
    step?.detail ?? '',
    /period 1m \+ grace 2d = 2d1m exceeds --max-detect 15m: a silent Alertmanager would page after 2d1m at the earliest/,
  );
  assert.match(result.verdict, /^preflight failed: period 1m \+ grace 2d/);
  assert.equal(world.silences.length, 0);
  assert.ok(!world.calls.some((c) => c.startsWith('createSilence')));
});

test('--preflight-only runs the checks and silences nothing', async () => {
  const { result, world } = await drill({ periodMs: MIN, graceMs: 2 * MIN }, { preflightOnly: true });
  assert.equal(result.ok, true, result.verdict);
  assert.equal(result.mode, 'preflight');
  assert.deepEqual(names(result), ['check', 'detect-window', 'channels', 'alertmanager']);
  assert.match(
    result.verdict,
    /^preflight passed: check "watchdog" .* up, period 1m \+ grace 2m ≤ --max-detect 15m$/,
  );
  assert.equal(world.silences.length, 0);
});

test('no page within the timeout (something else pings the check): exit 1, silence expired', async () => {
  const { result, world } = await drill(
    { periodMs: MIN, graceMs: MIN, otherPinger: true },
    { timeoutMs: 5 * MIN },
  );
  assert.equal(result.ok, false);
  assert.equal(result.error, null);
  const page = result.steps.find((s) => s.name === 'page');
  assert.equal(page?.ok, false);
  assert.match(page?.detail ?? '', /^no page within --timeout 5m: the check is still up/);
  assert.ok(names(result).includes('unsilence'));
  assert.ok(!names(result).includes('recovery'));
  assert.equal(world.activeSilences().length, 0);
  assert.match(result.verdict, /^drill failed: no page within --timeout 5m/);
});

test('a channel that fails: the drill fails, still expires the silence and waits for recovery', async () => {
  const { result, world } = await drill({ periodMs: MIN, graceMs: MIN, notifyFails: true });
  assert.equal(result.ok, false);
  const n = result.steps.find((s) => s.name === 'notification');
  assert.equal(n?.ok, false);
  assert.match(n?.detail ?? '', /every notification failed: phone: hooks\.example\.net answered HTTP 503/);
  assert.deepEqual(names(result).slice(-3), ['notification', 'unsilence', 'recovery']);
  assert.equal(result.steps.at(-1)?.ok, true);
  assert.equal(world.activeSilences().length, 0);
  assert.match(result.verdict, /^drill failed: the check went down, but every notification failed/);
});

test('--keep-silence leaves the silence of a failed drill in place, and says until when', async () => {
  const { result, world } = await drill(
    { periodMs: MIN, graceMs: MIN, notifyFails: true },
    { keepSilence: true },
  );
  assert.equal(result.ok, false);
  assert.equal(world.activeSilences().length, 1);
  assert.match(
    result.steps.at(-1)?.detail ?? '',
    /^kept silence silence-1 \(--keep-silence\); it ends by itself at /,
  );
  assert.match(result.verdict, /; silence silence-1 stays until \d{4}-/);
  assert.equal(result.silence?.expired, false);
});

test('--keep-silence does not keep the silence of a drill that passed', async () => {
  const { result, world } = await drill({ periodMs: MIN, graceMs: MIN }, { keepSilence: true });
  assert.equal(result.ok, true, result.verdict);
  assert.equal(world.activeSilences().length, 0);
});

test('interrupted mid-wait (SIGTERM): the silence is expired and the drill fails', async () => {
  const { result, world } = await drill(
    { periodMs: MIN, graceMs: 2 * MIN },
    { keepSilence: true },
    { abortAfterMs: 30 * SEC },
  );
  assert.equal(result.ok, false);
  assert.equal(result.error, null);
  assert.match(result.verdict, /^drill interrupted by SIGTERM$/);
  const page = result.steps.find((s) => s.name === 'page');
  assert.equal(page?.ok, false);
  assert.match(page?.detail ?? '', /interrupted \(SIGTERM\)/);
  assert.equal(result.steps.at(-1)?.name, 'unsilence');
  assert.equal(result.steps.at(-1)?.ok, true);
  assert.equal(world.activeSilences().length, 0, 'even --keep-silence does not keep it on an interrupt');
});

test('HA: the silence is confirmed on every peer', async () => {
  const { result, world } = await drill({ periodMs: MIN, graceMs: MIN, peers: 3 });
  assert.equal(result.ok, true, result.verdict);
  assert.equal(result.steps.filter((s) => s.name === 'alertmanager').length, 3);
  assert.match(
    result.steps.find((s) => s.name === 'silence-peers')?.detail ?? '',
    /active on all 3 Alertmanagers/,
  );
  assert.match(
    result.steps.find((s) => s.name === 'unsilence')?.detail ?? '',
    /expired on all 3 Alertmanagers/,
  );
  assert.equal(world.calls.filter((c) => c.startsWith('createSilence')).length, 1);
});

test('HA: a peer that never shows the silence fails the drill, and the silence is expired', async () => {
  const { result, world } = await drill({ periodMs: MIN, graceMs: MIN, peers: 2, isolatedPeers: [1] });
  assert.equal(result.ok, false);
  const step = result.steps.find((s) => s.name === 'silence-peers');
  assert.equal(step?.ok, false);
  assert.match(step?.detail ?? '', /am-1\.example\.net:9093 does not show silence silence-1 after 10s/);
  assert.equal(world.activeSilences().length, 0);
});

test('HA: the first Alertmanager down fails the preflight; all down is exit 2 (unreachable)', async () => {
  const one = await drill({ periodMs: MIN, graceMs: MIN, peers: 2, unreachablePeers: [0] });
  assert.equal(one.result.ok, false);
  assert.equal(one.result.error, null);
  assert.match(
    one.result.steps.find((s) => s.name === 'alertmanager' && !s.ok)?.detail ?? '',
    /cannot reach Alertmanager/,
  );
  assert.equal(one.world.silences.length, 0);

  const all = await drill({ periodMs: MIN, graceMs: MIN, peers: 2, unreachablePeers: [0, 1] });
  assert.equal(all.result.error?.code, 'AP_UNREACHABLE');
  assert.match(all.result.verdict, /^preflight failed: cannot reach Alertmanager http:\/\/am-0/);
});

test('a silence the API refuses: AP_UPSTREAM_REJECTED, one step, nothing left behind', async () => {
  const { result, world } = await drill({ periodMs: MIN, graceMs: MIN, refuseSilence: true });
  assert.equal(result.ok, false);
  assert.equal(result.error?.code, 'AP_UPSTREAM_REJECTED');
  const step = result.steps.find((s) => s.name === 'silence');
  assert.equal(step?.ok, false);
  assert.match(step?.detail ?? '', /refused the silence: HTTP 400: bad matchers/);
  assert.equal(world.silences.length, 0);
  assert.match(result.verdict, /^drill failed: Alertmanager .* refused the silence/);
});

test('an unknown check: AP_NOT_FOUND at the first step', async () => {
  const { result } = await drill({ periodMs: MIN, graceMs: MIN }, { check: 'nope' });
  assert.equal(result.error?.code, 'AP_NOT_FOUND');
  assert.deepEqual(names(result), ['check']);
  assert.match(result.verdict, /^preflight failed: the observer has no check with slug "nope"$/);
});

test("an observer whose clock runs 90 s ahead: time-to-page is measured on the observer's clock", async () => {
  const { result, world } = await drill({ periodMs: MIN, graceMs: 2 * MIN, observerOffsetMs: 90 * SEC });
  assert.equal(result.ok, true, result.verdict);
  const truth = (world.flips.find((f) => !f.up)?.at ?? 0) - 90 * SEC - (world.silences[0]?.createdAt ?? 0);
  assert.ok(Math.abs((result.timeToPageMs ?? 0) - truth) <= 1000, `${result.timeToPageMs} vs ${truth}`);
});

test('--test-alert with a relay: posted, confirmed delivered, then resolved', async () => {
  const { result, world } = await drill(
    { periodMs: MIN, graceMs: MIN },
    { testAlert: true },
    { relay: true },
  );
  assert.equal(result.ok, true, result.verdict);
  assert.deepEqual(names(result).slice(-3), ['test-alert', 'relay-delivery', 'resolve-test-alert']);
  assert.match(
    result.steps.find((s) => s.name === 'relay-delivery')?.detail ?? '',
    /delivered it to Discord \(route default, receiver discord\)/,
  );
  const [posted, resolved] = world.alerts;
  assert.equal(posted?.labels.alertname, 'AlertpathDrill');
  assert.equal(posted?.labels.drill_id, 'run1');
  assert.ok(Date.parse(resolved?.endsAt ?? '') <= world.clock.now());
  assert.match(result.verdict, /; test alert delivered to Discord after 2s$/);
});

test('flipInstant: the middle of what the whole-second record and the bounds allow', () => {
  assert.equal(flipInstant(10_000, 0, 20_000), 10_500);
  assert.equal(flipInstant(10_000, 10_600, 20_000), 10_800);
  assert.equal(flipInstant(10_000, 0, 10_200), 10_100);
  assert.equal(flipInstant(10_000, 12_000, 20_000), 10_000, 'inconsistent bounds: the record');
});
