import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { DrillDeliveries } from '../../src/relay/deliveries.js';
import { buildRelay, relayService } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';

/** `GET /deliveries?drill_id=`: which drill alerts this replica delivered to Discord. */

let discord: FakeDiscord;
before(async () => {
  discord = await new FakeDiscord({ limit: 100 }).start();
});
after(() => discord.close());

function relay(extra: Record<string, unknown> = {}, webhookUrl = discord.webhook()) {
  const config = relayConfigSchema.parse({ routes: { default: { discord: { webhookUrl } } }, ...extra });
  return relayService(buildRelay(config, { logger: silentLogger(), processMetrics: false }));
}

const drillAlert = (id: string, status: 'firing' | 'resolved' = 'firing') =>
  alert({ alertname: 'AlertpathDrill', drill_id: id, severity: 'info' }, { status, fingerprint: `fp-${id}` });

const post = (app: ReturnType<typeof relay>, body: unknown, headers: Record<string, string> = {}) =>
  app.request('/webhook', { method: 'POST', body: JSON.stringify(body), headers });

test('a delivered drill alert is listed with route, receiver, status and time; others are not', async () => {
  const app = relay();
  assert.equal(
    (await post(app, payload([drillAlert('run-1'), alert({ alertname: 'Other' })], { receiver: 'discord' })))
      .status,
    200,
  );
  const res = await app.request('/deliveries?drill_id=run-1');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { drill_id: string; deliveries: Array<Record<string, string>> };
  assert.equal(body.drill_id, 'run-1');
  assert.equal(body.deliveries.length, 1);
  const [d] = body.deliveries;
  assert.deepEqual(
    { ...d, at: undefined },
    {
      route: 'default',
      receiver: 'discord',
      alertname: 'AlertpathDrill',
      status: 'firing',
      at: undefined,
    },
  );
  assert.ok(Math.abs(Date.parse(d?.at ?? '') - Date.now()) < 10_000);

  await post(app, payload([drillAlert('run-1', 'resolved')], { status: 'resolved' }));
  const both = (await (await app.request('/deliveries?drill_id=run-1')).json()) as {
    deliveries: Array<{ status: string }>;
  };
  assert.deepEqual(
    both.deliveries.map((x) => x.status),
    ['firing', 'resolved'],
  );
  const none = (await (await app.request('/deliveries?drill_id=run-2')).json()) as { deliveries: unknown[] };
  assert.deepEqual(none.deliveries, []);
});

test('a delivery Discord refused is not listed', async () => {
  const app = relay({}, discord.unknownWebhook());
  const res = await post(app, payload([drillAlert('run-3')]));
  assert.equal(res.status, 502);
  const body = (await (await app.request('/deliveries?drill_id=run-3')).json()) as { deliveries: unknown[] };
  assert.deepEqual(body.deliveries, []);
});

test('authenticated like the webhook; drill_id is required', async () => {
  const app = relay({ auth: { bearerToken: 's3cret' } });
  const missing = await app.request('/deliveries?drill_id=x');
  assert.equal(missing.status, 401);
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'AP_UNAUTHORIZED');
  const ok = await app.request('/deliveries?drill_id=x', { headers: { authorization: 'Bearer s3cret' } });
  assert.equal(ok.status, 200);
  for (const query of ['', '?drill_id=', '?drill_id=has%20space']) {
    const bad = await app.request(`/deliveries${query}`, { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(bad.status, 400, query);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'AP_USAGE');
  }
});

test('the record is a bounded ring: the oldest deliveries go first', () => {
  const ring = new DrillDeliveries(3);
  for (let i = 0; i < 5; i++) ring.record('default', 'discord', [drillAlert(`r${i}`)], i);
  assert.deepEqual(ring.find('r0'), []);
  assert.deepEqual(ring.find('r1'), []);
  assert.equal(ring.find('r4').length, 1);
  assert.equal(ring.find('r2').length, 1);
});
