import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiscordWebhook, RateLimits, rateLimitsFor } from '../../src/discord/index.js';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { buildRelay, relayService } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';
import { ManualClock } from '../helpers/clock.js';

/**
 * Runs `work` to completion against a fake Discord on the same manual clock: time moves (100 ms
 * at a time) only while no request is on its way to or from the fake, so every rate-limit wait
 * is taken on the injected clock and nothing sleeps for real.
 */
async function onManualTime<T>(clock: ManualClock, discord: FakeDiscord, work: Promise<T>): Promise<T> {
  let done = false;
  const result = work.finally(() => {
    done = true;
  });
  let idlePolls = 0;
  while (!done) {
    await new Promise((r) => setTimeout(r, 5));
    idlePolls = discord.received === discord.requests.length ? idlePolls + 1 : 0;
    if (idlePolls >= 3) {
      idlePolls = 0;
      await clock.advance(100);
    }
  }
  return result;
}

test('two routes on one webhook share one bucket: a burst under 5 req / 2 s meets no 429', async (t) => {
  const clock = new ManualClock();
  const discord = await new FakeDiscord({ limit: 5, windowMs: 2000, now: () => clock.now() }).start();
  t.after(() => discord.close());
  const url = discord.webhook();
  // The same webhook, spelt two ways (Discord's own and a versioned one), on two routes.
  const config = relayConfigSchema.parse({
    routes: {
      default: { discord: { webhookUrl: url } },
      oncall: { discord: { webhookUrl: url.replace('/api/webhooks/', '/api/v10/webhooks/') } },
    },
    delivery: { deadline: '10m' },
  });
  const parts = buildRelay(config, { logger: silentLogger(), processMetrics: false, clock });
  const app = relayService(parts);
  const post = (route: string, i: number) =>
    app.request(`/webhook/${route}`, {
      method: 'POST',
      body: JSON.stringify(payload([alert({ alertname: `Burst${i}` })], { groupKey: `${route}-${i}` })),
    });

  const answers = await onManualTime(
    clock,
    discord,
    Promise.all(Array.from({ length: 16 }, (_, i) => post(i % 2 === 0 ? 'default' : 'oncall', i))),
  );
  for (const a of answers) assert.equal(a.status, 200);
  assert.equal(discord.list(url).length, 16);
  assert.equal(discord.rateLimitViolations, 0, 'no 429: both routes waited on one bucket');
  assert.equal(discord.sendsInsideWait, 0);
  assert.ok(clock.now() - Date.UTC(2026, 10, 25) >= 6000, '16 requests at 5 per 2 s take three waits');
});

test('clients of one webhook share a bucket per clock, whatever the spelling or thread', () => {
  const clock = new ManualClock();
  const a = new DiscordWebhook('https://discord.com/api/webhooks/1/tok', { clock });
  const b = new DiscordWebhook('https://discord.com/api/v10/webhooks/1/tok/', { clock, threadId: '9' });
  const c = new DiscordWebhook('https://discord.com/api/webhooks/2/tok', { clock });
  const bucketOf = (h: DiscordWebhook) => (h as unknown as { bucket: unknown }).bucket;
  assert.equal(bucketOf(a), bucketOf(b));
  assert.notEqual(bucketOf(a), bucketOf(c));
  assert.equal(rateLimitsFor(clock).size, 2);
  const own = new RateLimits(clock);
  const d = new DiscordWebhook('https://discord.com/api/webhooks/1/tok', { clock, rateLimits: own });
  assert.notEqual(bucketOf(d), bucketOf(a), 'a registry handed in is used instead');
});

test('a failure report to a Discord webhook goes through the shared client, as a message', async (t) => {
  const discord = await new FakeDiscord({ limit: 50 }).start();
  t.after(() => discord.close());
  const url = discord.webhook();
  const config = relayConfigSchema.parse({
    routes: {
      default: { discord: { webhookUrl: url } },
      broken: { discord: { webhookUrl: discord.unknownWebhook() } },
    },
    failureReport: { url },
  });
  const parts = buildRelay(config, { logger: silentLogger(), processMetrics: false });
  const res = await relayService(parts).request('/webhook/broken', {
    method: 'POST',
    body: JSON.stringify(payload([alert({ alertname: 'Lost' })])),
  });
  assert.equal(res.status, 502);
  await parts.delivery.idle();
  const [report] = discord.list(url);
  assert.match(report?.embeds[0]?.title ?? '', /delivery refused/);
  assert.match(report?.embeds[0]?.description ?? '', /HTTP 404 code 10015.*route broken/);
});
