import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { channelConfigSchema } from '../../../src/watch/notify/index.js';
import { FakePagerDuty } from '../../fakes/pagerduty.js';
import { down, failure, signal, transport, up } from './sample.js';

let pd: FakePagerDuty;
let key: string;
before(async () => {
  pd = await new FakePagerDuty().start();
  key = pd.addRoutingKey();
});
after(() => pd.close());

const config = (over: Record<string, unknown> = {}) => ({
  type: 'pagerduty',
  routingKey: key,
  apiUrl: pd.url,
  ...over,
});
const DEDUP = `alertpath-${down.check.uuid}`;

test('pagerduty: down triggers, a reminder adds to the same alert, up resolves it: one dedup_key per check', async () => {
  const t = transport(config({ severity: 'error' }));
  await t.send(down, signal());
  const alert = pd.open(DEDUP);
  assert.equal(alert?.status, 'triggered');
  const payload = alert?.events[0]?.payload as Record<string, unknown>;
  assert.match(String(payload.summary), /^🔴 DOWN nightly backup/);
  assert.equal(payload.severity, 'error');
  assert.equal(payload.source, 'nightly backup');
  await t.send({ ...down, event: 'reminder', text: '🔴 STILL DOWN nightly backup' }, signal());
  assert.equal(pd.alerts.filter((a) => a.dedupKey === DEDUP).length, 1, 'no second alert');
  await t.send(up, signal());
  assert.equal(pd.open(DEDUP), undefined);
  assert.equal(pd.alerts.find((a) => a.dedupKey === DEDUP)?.status, 'resolved');
});

test('pagerduty: a summary over 1024 characters is cut; a test triggers an info alert and resolves it', async () => {
  await transport(config()).send(
    { ...down, check: { ...down.check, uuid: 'long' }, text: 'x'.repeat(5000) },
    signal(),
  );
  const summary =
    (pd.open('alertpath-long')?.events[0]?.payload as { summary: string } | undefined)?.summary ?? '';
  assert.equal(summary.length, 1024);
  await transport(config()).send({ ...down, check: { ...down.check, uuid: 'tt' }, test: true }, signal());
  const test = pd.alerts.find((a) => a.dedupKey === 'alertpath-test-tt');
  assert.equal(test?.status, 'resolved');
  assert.equal((test?.events[0]?.payload as { severity: string } | undefined)?.severity, 'info');
});

test("pagerduty: an unknown routing key is a permanent 400 with PagerDuty's errors; 429 and 5xx are transient", async () => {
  const other = await failure(transport(config({ routingKey: 'a'.repeat(32) })).send(down, signal()));
  assert.equal(other.kind, 'permanent');
  assert.match(other.message, /HTTP 400: Event object is invalid: 'routing_key' is invalid/);
  pd.limit.limit = 0;
  try {
    const throttled = await failure(transport(config()).send(down, signal()));
    assert.equal(throttled.kind, 'transient');
    assert.equal(throttled.retryAfterMs, 30_000, 'PagerDuty names no wait: back off 30 s');
  } finally {
    pd.limit.limit = 1000;
  }
  pd.failNext(1, { status: 500 });
  assert.equal((await failure(transport(config()).send(down, signal()))).kind, 'transient');
});

test('pagerduty config: a 32-character routing key, a known severity', () => {
  assert.equal(channelConfigSchema.safeParse(config()).success, true);
  assert.equal(channelConfigSchema.safeParse(config({ routingKey: 'abc' })).success, false);
  assert.equal(channelConfigSchema.safeParse(config({ severity: 'fatal' })).success, false);
});
