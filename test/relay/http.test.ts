import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { buildRelay, relayService } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';

let discord: FakeDiscord;
before(async () => {
  discord = await new FakeDiscord({ limit: 100 }).start();
});
after(() => discord.close());

function app(extra: Record<string, unknown> = {}, webhookUrl = discord.webhook()) {
  const config = relayConfigSchema.parse({
    routes: { default: { discord: { webhookUrl } }, oncall: { discord: { webhookUrl: discord.webhook() } } },
    ...extra,
  });
  return relayService(buildRelay(config, { logger: silentLogger(), processMetrics: false }));
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(typeof body.error.code, 'string');
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

const firing = JSON.stringify(payload([alert({ alertname: 'A' })]));

test('200 delivered with the message count, on /webhook and /webhook/:route', async () => {
  const a = app();
  const res = await a.request('/webhook', { method: 'POST', body: firing });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'delivered', messages: 1 });
  const routed = await a.request('/webhook/oncall', { method: 'POST', body: firing });
  assert.equal(routed.status, 200);
  const named = await a.request('/webhook/default', { method: 'POST', body: firing });
  assert.equal(named.status, 200);
});

test('200 empty when the payload has no alerts', async () => {
  const res = await app().request('/webhook', {
    method: 'POST',
    body: JSON.stringify({ ...payload([]), alerts: [] }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'empty' });
});

test('400 for invalid JSON and for a schema violation, naming the field', async () => {
  const bad = await app().request('/webhook', { method: 'POST', body: '{"status":' });
  assert.equal(bad.status, 400);
  assert.equal((await errorOf(bad)).code, 'AP_INVALID_PAYLOAD');
  const schema = await app().request('/webhook', {
    method: 'POST',
    body: JSON.stringify({ status: 'firing', alerts: [{ status: 'firing', labels: 'x' }] }),
  });
  assert.equal(schema.status, 400);
  assert.deepEqual(await errorOf(schema), {
    code: 'AP_INVALID_PAYLOAD',
    message: 'alerts[0].labels: expected object',
  });
});

test('401 when auth is required and missing or wrong; bearer and basic both work', async () => {
  const a = app({ auth: { bearerToken: 's3cret', basic: { username: 'am', password: 'pw' } } });
  const missing = await a.request('/webhook', { method: 'POST', body: firing });
  assert.equal(missing.status, 401);
  assert.equal((await errorOf(missing)).code, 'AP_UNAUTHORIZED');
  const wrong = await a.request('/webhook', {
    method: 'POST',
    body: firing,
    headers: { authorization: 'Bearer nope' },
  });
  assert.equal(wrong.status, 401);
  const bearer = await a.request('/webhook', {
    method: 'POST',
    body: firing,
    headers: { authorization: 'Bearer s3cret' },
  });
  assert.equal(bearer.status, 200);
  const basic = await a.request('/webhook', {
    method: 'POST',
    body: firing,
    headers: { authorization: `Basic ${Buffer.from('am:pw').toString('base64')}` },
  });
  assert.equal(basic.status, 200);
});

test('404 for an unknown route', async () => {
  const res = await app().request('/webhook/nope', { method: 'POST', body: firing });
  assert.equal(res.status, 404);
  assert.equal((await errorOf(res)).code, 'AP_NOT_FOUND');
});

test('413 for a body over maxBodyBytes', async () => {
  const res = await app({ maxBodyBytes: 1024 }).request('/webhook', {
    method: 'POST',
    body: JSON.stringify(payload([alert({ alertname: 'A', big: 'x'.repeat(4000) })])),
  });
  assert.equal(res.status, 413);
  assert.equal((await errorOf(res)).code, 'AP_PAYLOAD_TOO_LARGE');
});

test('502 when Discord refuses permanently', async () => {
  const res = await app({}, discord.unknownWebhook()).request('/webhook', { method: 'POST', body: firing });
  assert.equal(res.status, 502);
  const e = await errorOf(res);
  assert.equal(e.code, 'AP_DISCORD_REJECTED');
  assert.match(e.message, /HTTP 404 code 10015/);
});

test('503 with Retry-After when the deadline passes while Discord answers 5xx', async () => {
  const a = app({ delivery: { deadline: '300ms' } });
  discord.failNext(100, 503);
  const res = await a.request('/webhook', { method: 'POST', body: firing });
  (discord as unknown as { failures: unknown[] }).failures.length = 0;
  assert.equal(res.status, 503);
  assert.ok(res.headers.get('retry-after'));
  assert.equal((await errorOf(res)).code, 'AP_UNAVAILABLE');
});

test('operational endpoints: /healthz, /health, /readyz and /metrics', async () => {
  const a = app();
  assert.equal((await a.request('/healthz')).status, 200);
  assert.equal((await a.request('/health')).status, 200);
  assert.equal((await a.request('/readyz')).status, 200);
  await a.request('/webhook', { method: 'POST', body: firing });
  const metrics = await (await a.request('/metrics')).text();
  assert.match(metrics, /alertpath_relay_notifications_total\{route="default",outcome="delivered"\} 1/);
  assert.match(metrics, /alertpath_relay_discord_requests_total\{route="default",code="200"\} 1/);
  assert.match(metrics, /alertpath_relay_delivery_duration_seconds_count\{route="default"\} 1/);
});
