import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { channelConfigSchema } from '../../../src/watch/notify/index.js';
import { FakePushover } from '../../fakes/pushover.js';
import { down, failure, hostile, signal, transport, up } from './sample.js';

let po: FakePushover;
let token: string;
let user: string;
before(async () => {
  po = await new FakePushover().start();
  token = po.addApp();
  user = po.addUser();
});
after(() => po.close());

const config = (over: Record<string, unknown> = {}) => ({
  type: 'pushover',
  token,
  userKey: user,
  apiUrl: po.url,
  ...over,
});

test('pushover: a priority per state, title and message within the limits, the check link', async () => {
  await transport(config({ priority: { down: 1, up: -1 } })).send(down, signal());
  await transport(config({ priority: { down: 1, up: -1 } })).send(up, signal());
  const [d, u] = po.messages.slice(-2);
  assert.equal(d?.priority, 1);
  assert.equal(d?.title, 'DOWN nightly backup');
  assert.ok([...(d?.message ?? '')].length <= 1024, 'message within 1024 characters');
  assert.match(d?.message ?? '', /Last ping body:/);
  assert.equal(d?.url, down.check.url);
  assert.equal(d?.timestamp, Math.floor(down.at / 1000));
  assert.equal(u?.priority, -1);
  assert.equal(u?.title, 'UP nightly backup');
});

test('pushover: long and hostile names and texts are cut to 250 / 1024 characters and accepted', async () => {
  const n = hostile();
  const long = { ...n, check: { ...n.check, name: '💥'.repeat(400) }, text: '🔴'.repeat(3000) };
  await transport(config()).send(long, signal());
  const m = po.messages.at(-1);
  assert.equal([...(m?.title ?? '')].length, 250);
  assert.equal([...(m?.message ?? '')].length, 1024);
});

test('pushover: an emergency repeats until the check is up; the recovery cancels it by tag', async () => {
  const t = transport(config({ priority: { down: 2, up: 0 }, retry: '45s', expire: '2h' }));
  await t.send(down, signal());
  const e = po.messages.at(-1);
  assert.equal(e?.priority, 2);
  assert.equal(e?.retry, 45);
  assert.equal(e?.expire, 7200);
  assert.equal(po.activeEmergencies().length, 1);
  await t.send(up, signal());
  assert.equal(po.activeEmergencies().length, 0, 'cancelled by tag');
  assert.equal(po.messages.at(-1)?.priority, 0);
  // A test notification never rings as an emergency.
  await t.send({ ...down, test: true }, signal());
  assert.equal(po.messages.at(-1)?.priority, 1);
});

test('pushover: invalid token or user key is permanent; the monthly limit (429) and 5xx are transient', async () => {
  const other = FakePushover.key();
  const badUser = await failure(transport(config({ userKey: other })).send(down, signal()));
  assert.equal(badUser.kind, 'permanent');
  assert.match(badUser.message, /HTTP 400: user identifier is not a valid user/);
  assert.equal((await failure(transport(config({ token: other })).send(down, signal()))).kind, 'permanent');
  po.quota = 0;
  try {
    const over = await failure(transport(config()).send(down, signal()));
    assert.equal(over.kind, 'transient');
    assert.match(over.message, /HTTP 429/);
    assert.ok((over.retryAfterMs ?? 0) > 0);
  } finally {
    po.quota = 10_000;
  }
  po.failNext(1, { status: 500, body: { status: 0, errors: ['internal error'] } });
  assert.equal((await failure(transport(config()).send(down, signal()))).kind, 'transient');
});

test('pushover config: keys are 30 characters; retry at least 30s; expire at most 3h', () => {
  const ok = (over: Record<string, unknown>) => channelConfigSchema.safeParse(config(over)).success;
  assert.equal(ok({}), true);
  assert.equal(ok({ token: 'short' }), false);
  assert.equal(ok({ userKey: `${user}x` }), false);
  assert.equal(ok({ retry: '29s' }), false);
  assert.equal(ok({ expire: '3h1s' }), false);
  assert.equal(ok({ priority: { down: 3 } }), false);
  assert.equal(ok({ apiUrl: 'htp://api.pushover.net' }), false);
});
