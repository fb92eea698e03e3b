import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAcceptSet } from '../../src/probe/accept.js';
import type { AttemptOutcome } from '../../src/probe/outcome.js';
import { parseTarget, type Target } from '../../src/probe/target.js';
import { type WaitEvent, waitForTargets } from '../../src/wait/run.js';
import { ManualClock } from '../helpers/clock.js';

/** The wait loop with an injected clock: timing facts checked exactly, without sleeping. */

function accept(text: string) {
  const parsed = parseAcceptSet(text);
  assert.ok(parsed.ok);
  return parsed.set;
}

function target(url: string): Target {
  const parsed = parseTarget(url);
  assert.ok(parsed.ok);
  return parsed.target;
}

interface Scenario {
  /** What the target answers at a given time, and how long an attempt takes. */
  answer(now: number): AttemptOutcome;
  attemptMs?: number;
  intervalMs?: number;
  timeoutMs?: number;
  attemptTimeoutMs?: number;
}

async function run(s: Scenario) {
  const clock = new ManualClock(0);
  const events: Array<WaitEvent & { at: number }> = [];
  const starts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const done = waitForTargets(
    {
      targets: [target('https://storage.lan/api')],
      intervalMs: s.intervalMs ?? 2000,
      timeoutMs: s.timeoutMs ?? 300_000,
      attemptTimeoutMs: s.attemptTimeoutMs ?? 3000,
      accept: accept('2xx,401,403'),
    },
    {
      clock,
      signal: new AbortController().signal,
      emit: (e) => events.push({ ...e, at: clock.now() }),
      attempt: async (_t, bound) => {
        starts.push(clock.now());
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const took = Math.min(s.attemptMs ?? 10, bound);
        await clock.sleep(took);
        inFlight--;
        return took < (s.attemptMs ?? 10)
          ? { kind: 'error', reason: `timed out after ${bound / 1000} s`, latencyMs: took }
          : s.answer(clock.now());
      },
    },
  );
  let result: boolean | undefined;
  void done.then((r) => {
    result = r;
  });
  while (result === undefined) await clock.advance(100);
  return { result, events, starts, maxInFlight };
}

describe('wait loop', () => {
  it('notices readiness within one interval of the target becoming ready', async () => {
    for (const readyAt of [1, 1999, 2000, 2001, 16_400, 59_999]) {
      const { result, events } = await run({
        answer: (now) =>
          now >= readyAt
            ? { kind: 'http', status: 401, latencyMs: 1 }
            : { kind: 'http', status: 503, latencyMs: 1 },
      });
      assert.equal(result, true);
      const ready = events.find((e) => e.event === 'ready');
      assert.ok(ready);
      assert.ok(
        ready.at >= readyAt && ready.at - readyAt <= 2000 + 10,
        `ready at ${readyAt}, noticed at ${ready.at}`,
      );
    }
  });

  it('starts attempts every interval, counted from the start of each, and never overlaps them', async () => {
    const { starts, maxInFlight } = await run({
      attemptMs: 700,
      timeoutMs: 10_000,
      answer: () => ({ kind: 'http', status: 503, latencyMs: 700 }),
    });
    assert.deepEqual(starts, [0, 2000, 4000, 6000, 8000]);
    assert.equal(maxInFlight, 1);
  });

  it('starts the next attempt at once when one takes longer than the interval', async () => {
    const { starts, maxInFlight } = await run({
      attemptMs: 2500,
      attemptTimeoutMs: 3000,
      timeoutMs: 10_000,
      answer: () => ({ kind: 'http', status: 503, latencyMs: 2500 }),
    });
    assert.deepEqual(starts, [0, 2500, 5000, 7500]);
    assert.equal(maxInFlight, 1);
  });

  it('makes 150 attempts in 300 s at a 2 s interval, and reports one line per change of reason', async () => {
    let flip = 0;
    const { result, events } = await run({
      answer: () => {
        flip++;
        return flip <= 10
          ? { kind: 'error', reason: 'connection refused', latencyMs: 1 }
          : { kind: 'http', status: 503, latencyMs: 1 };
      },
    });
    assert.equal(result, false);
    assert.deepEqual(
      events.map((e) => (e.event === 'waiting' ? `${e.reason}#${e.attempt}` : e.event)),
      ['connection refused#1', 'HTTP 503#11', 'timeout'],
    );
    const timeout = events.at(-1);
    assert.ok(timeout?.event === 'timeout');
    assert.equal(timeout.attempts, 150);
    assert.equal(timeout.last, 'HTTP 503');
    assert.equal(timeout.at, 300_000);
  });

  it('never runs an attempt past the overall timeout, and a cut-short attempt is not a new reason', async () => {
    const { starts, events } = await run({
      attemptMs: 5000,
      attemptTimeoutMs: 5000,
      intervalMs: 1000,
      timeoutMs: 7000,
      answer: () => ({ kind: 'http', status: 503, latencyMs: 5000 }),
    });
    assert.deepEqual(starts, [0, 5000]);
    const timeout = events.at(-1);
    assert.ok(timeout?.event === 'timeout');
    assert.equal(timeout.at, 7000);
    assert.equal(timeout.last, 'HTTP 503');
    assert.equal(events.filter((e) => e.event === 'waiting').length, 1);
  });
});

describe('accept sets', () => {
  it('reads codes, classes and ranges', () => {
    const set = accept('2xx,401,403');
    assert.deepEqual(
      [200, 204, 299, 401, 403].map((c) => set.has(c)),
      [true, true, true, true, true],
    );
    assert.deepEqual(
      [199, 300, 400, 402, 500, 503].map((c) => set.has(c)),
      [false, false, false, false, false, false],
    );
    const range = accept('200-299, 301');
    assert.equal(range.has(250), true);
    assert.equal(range.has(301), true);
    assert.equal(range.has(302), false);
    assert.equal(accept('2XX').has(204), true);
  });

  it('refuses what it cannot read, naming the bad item', () => {
    for (const bad of ['', '2xx,', 'abc', '6xx', '99', '600', '300-200', '2xx;401', '1000']) {
      const parsed = parseAcceptSet(bad);
      assert.equal(parsed.ok, false, bad);
    }
  });
});
