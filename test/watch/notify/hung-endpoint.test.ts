import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startHungEndpoint } from '../../fakes/hung.js';
import { eventually } from '../../helpers/ports.js';
import { baseConfig, liveRig } from './live-rig.js';

/**
 * Issue 16, item 2: against an endpoint that accepts the connection and never answers, the
 * first try must fail at the send timeout, and no second copy may go out while the first is
 * open. The garbage collector runs all along: on Node 20 a timeout built from
 * `AbortSignal.timeout` inside `AbortSignal.any` is collected and never fires (nodejs/node#57736).
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a hung webhook: the first failure is recorded at the send timeout, and no copy overlaps it', async () => {
  const hung = await startHungEndpoint();
  const timeoutMs = 500;
  const rig = await liveRig({
    config: () =>
      [
        'channels:',
        `  hook: { type: webhook, down: { url: "${hung.url}/hook", method: POST, body: x } }`,
        baseConfig(['hook']),
      ].join('\n'),
    outbox: { sendTimeoutMs: timeoutMs, maxTries: 2, retryBaseMs: 50 },
  });
  const collector = setInterval(gc, 20);
  try {
    await rig.fail();
    await eventually(
      async () => (await rig.notifications())[0]?.status === 'failed',
      15_000,
      'both tries to fail',
    );
    const [n] = await rig.notifications();
    assert.equal(n?.tries, 2);
    assert.match(n?.error ?? '', /no answer/);
    assert.equal(hung.requests.length, 2, 'one request per try');
    const [first, second] = hung.requests as [{ at: number; closed?: number }, { at: number }];
    assert.ok(first.closed !== undefined, 'the first try gave up its connection');
    const held = (first.closed ?? 0) - first.at;
    // The timer starts when the client starts the try, before the request reaches the endpoint,
    // so on a loaded machine the endpoint sees a little less than the timeout; the upper bound is
    // generous too: without the fix the try never ends at all.
    assert.ok(held >= timeoutMs / 2 && held < timeoutMs + 3000, `first try held the connection ${held} ms`);
    assert.ok(second.at >= (first.closed ?? 0), 'the retry started after the first try ended');
  } finally {
    clearInterval(collector);
    await rig.close();
    await hung.close();
  }
});

test('the claim on a job lasts the send timeout plus a 5 s margin, not 60 s', async () => {
  const hung = await startHungEndpoint();
  const rig = await liveRig({
    config: () =>
      [
        'channels:',
        `  hook: { type: webhook, down: { url: "${hung.url}/hook" } }`,
        baseConfig(['hook']),
      ].join('\n'),
    outbox: { sendTimeoutMs: 2000 },
  });
  try {
    const claimedBy = Date.now();
    await rig.fail();
    await eventually(() => hung.requests.length === 1, 10_000, 'the try');
    // While the try is open, the job is due again when its claim lapses.
    const lapses = (await rig.watch.store.nextJobDue()) ?? 0;
    const lease = lapses - claimedBy;
    assert.ok(
      lease >= 6500 && lease <= 7000 + 2000,
      `lease ends ${lease} ms after the claim (2 s timeout + 5 s)`,
    );
  } finally {
    await rig.close();
    await hung.close();
  }
});
