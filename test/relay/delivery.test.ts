import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { buildRelay, relayService } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, manyAlerts, payload } from '../helpers/alerts.js';
import { ManualClock } from '../helpers/clock.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

let discord: FakeDiscord;
let deadman: Receiver;

before(async () => {
  discord = await new FakeDiscord({ limit: 5, windowMs: 2000 }).start();
  deadman = await startReceiver();
});
after(async () => {
  await discord.close();
  await deadman.close();
});

function relay(
  extra: Record<string, unknown> = {},
  options: { clock?: ManualClock; webhookUrl?: string } = {},
) {
  const webhookUrl = options.webhookUrl ?? discord.webhook();
  const config = relayConfigSchema.parse({ routes: { default: { discord: { webhookUrl } } }, ...extra });
  const parts = buildRelay(config, {
    logger: silentLogger(),
    processMetrics: false,
    random: () => 0.5,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = relayService(parts);
  const post = (body: unknown, path = '/webhook') =>
    app.request(path, { method: 'POST', body: JSON.stringify(body) });
  return { webhookUrl, post, app, parts };
}

test('a 429 is waited out, never hammered: a burst beyond the limit is delivered with no violation', async () => {
  const { webhookUrl, post } = relay();
  const violationsBefore = discord.rateLimitViolations;
  const insideBefore = discord.sendsInsideWait;
  // 12 groups at once into a webhook allowing 5 requests per 2 s.
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      post(payload([alert({ alertname: `A${i}` })], { groupKey: `g${i}` })),
    ),
  );
  for (const a of answers) assert.equal(a.status, 200);
  assert.equal(discord.list(webhookUrl).length, 12);
  assert.equal(discord.rateLimitViolations - violationsBefore, 0, 'the relay honoured X-RateLimit-Remaining');
  assert.equal(discord.sendsInsideWait - insideBefore, 0);
});

test('an unexpected 429 is waited out for retry_after, then sent once more', async () => {
  const { webhookUrl, post } = relay();
  // Another client used up the webhook's budget, so the relay's first request meets a 429.
  for (let i = 0; i < 5; i++)
    await fetch(`${webhookUrl}?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"content":"x"}',
    });
  const insideBefore = discord.sendsInsideWait;
  const res = await post(payload([alert({ alertname: 'Late' })]));
  assert.equal(res.status, 200);
  const id = /webhooks\/(\d+)/.exec(webhookUrl)?.[1];
  const mine = discord.requests.filter((r) => r.path.includes(`/${id}/`) && r.method === 'POST');
  assert.equal(mine.filter((r) => r.status === 429).length, 1, 'exactly one 429');
  assert.equal(discord.sendsInsideWait - insideBefore, 0, 'nothing was sent inside the retry_after wait');
});

test('a deadline miss gives 503 with Retry-After, and Discord is not hammered meanwhile', async () => {
  const { post } = relay({ delivery: { deadline: '600ms' } });
  discord.failNext(1000, 502);
  const started = Date.now();
  const res = await post(payload([alert({ alertname: 'Down' })]));
  discord.failNext(0);
  const sent = discord.requests.filter((r) => r.at >= started && r.status === 502).length;
  (discord as unknown as { failures: unknown[] }).failures.length = 0;
  assert.equal(res.status, 503);
  assert.ok(Number(res.headers.get('retry-after')) >= 1);
  const body = (await res.json()) as { error: { code: string } };
  assert.equal(body.error.code, 'AP_UNAVAILABLE');
  assert.ok(sent >= 1 && sent <= 4, `backoff keeps attempts few (${sent})`);
});

test('a permanent refusal gives 502 and reports the failure to the deadman once a minute, without secrets', async () => {
  const clock = new ManualClock(Date.now());
  const webhookUrl = discord.unknownWebhook();
  const { post } = relay({ failureReport: { url: `${deadman.url}/ping/abc/fail` } }, { clock, webhookUrl });
  const before = deadman.requests.length;
  const res = await post(payload([alert({ alertname: 'X' })]));
  assert.equal(res.status, 502);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'AP_DISCORD_REJECTED');
  await deadman.waitFor(before + 1);
  const report = deadman.requests[before];
  assert.equal(report?.path, '/ping/abc/fail');
  const token = webhookUrl.split('/').pop() ?? '';
  assert.ok(!report?.body.includes(token), 'the webhook token is not in the report');
  assert.match(report?.body ?? '', /"route":"default".*"discordStatus":404.*"discordCode":10015/);

  assert.equal((await post(payload([alert({ alertname: 'Y' })]))).status, 502);
  await clock.advance(61_000);
  assert.equal((await post(payload([alert({ alertname: 'Z' })]))).status, 502);
  await deadman.waitFor(before + 2);
  assert.equal(deadman.requests.length, before + 2, 'one report per minute per route');
});

test('a retried notification does not post the same chunk twice', async (t) => {
  const roomy = await new FakeDiscord({ limit: 1000 }).start();
  t.after(() => roomy.close());
  const discord = roomy;
  const { webhookUrl, post } = relay({ delivery: { deadline: '400ms' } }, { webhookUrl: roomy.webhook() });
  // 120 long alerts render to several messages; make the third request fail until the deadline.
  const p = payload(manyAlerts(120, 'x'.repeat(150)), { groupKey: 'retry-group' });
  const fail = discord as unknown as { failures: Array<{ status: number; body: unknown }> };
  let posted = 0;
  const origin = discord.requests.length;
  const first = post(p);
  while (posted < 2) {
    await new Promise((r) => setTimeout(r, 5));
    posted = discord.requests.slice(origin).filter((r) => r.status === 200).length;
  }
  discord.failNext(1000, 500);
  assert.equal((await first).status, 503);
  fail.failures.length = 0;
  const delivered = discord.list(webhookUrl).length;
  assert.ok(delivered >= 2);
  const retry = await post(p);
  assert.equal(retry.status, 200);
  const { messages } = (await retry.json()) as { messages: number };
  assert.equal(discord.list(webhookUrl).length, messages, 'each chunk exactly once');
  const titles = discord.list(webhookUrl).map((m) => m.embeds[0]?.title);
  assert.equal(new Set(titles).size, titles.length);
});

test('a resolved group edits its message in place and turns it green', async () => {
  const { webhookUrl, post } = relay();
  const firing = alert({ alertname: 'Disk', instance: 'n1' });
  assert.equal((await post(payload([firing], { groupKey: 'edit' }))).status, 200);
  assert.equal(
    (await post(payload([{ ...firing, status: 'resolved' }], { groupKey: 'edit', status: 'resolved' })))
      .status,
    200,
  );
  const [m, ...rest] = discord.list(webhookUrl);
  assert.equal(rest.length, 0, 'no second message');
  assert.equal(m?.edits, 1);
  assert.equal(m?.embeds[0]?.color, 0x00ff00);
  // The group was forgotten: when it fires again, a new message is posted.
  const again = { ...firing, startsAt: '2026-11-25T04:00:00Z' };
  assert.equal((await post(payload([again], { groupKey: 'edit' }))).status, 200);
  assert.equal(discord.list(webhookUrl).length, 2);
});

test('an edit of a message deleted in Discord posts a new one', async () => {
  const { webhookUrl, post } = relay();
  assert.equal(
    (await post(payload([alert({ alertname: 'Gone', instance: 'a' })], { groupKey: 'gone' }))).status,
    200,
  );
  const [m] = discord.list(webhookUrl);
  discord.messages.delete(m?.id ?? '');
  assert.equal(
    (await post(payload([alert({ alertname: 'Gone', instance: 'b' })], { groupKey: 'gone' }))).status,
    200,
  );
  assert.equal(discord.list(webhookUrl).length, 1);
  assert.notEqual(discord.list(webhookUrl)[0]?.id, m?.id);
});

test('an @everyone in a label pings nobody', async () => {
  const { webhookUrl, post } = relay();
  assert.equal(
    (
      await post(
        payload([
          alert({ alertname: 'X', pod: '@everyone' }, { annotations: { summary: '@everyone look' } }),
        ]),
      )
    ).status,
    200,
  );
  const [m] = discord.list(webhookUrl);
  assert.deepEqual(m?.allowed_mentions?.parse, []);
  assert.doesNotMatch(JSON.stringify(m?.embeds), /@everyone/);
});

test('Watchdog goes to the heartbeat URL and never to the channel', async () => {
  const { webhookUrl, post } = relay({ heartbeat: { url: `${deadman.url}/ping/watchdog` } });
  const before = deadman.requests.length;
  const res = await post(payload([alert({ alertname: 'Watchdog', severity: 'none' })], { groupKey: 'wd' }));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'delivered', messages: 0 });
  assert.equal(deadman.requests.length, before + 1);
  assert.equal(deadman.requests[before]?.path, '/ping/watchdog');
  assert.equal(discord.list(webhookUrl).length, 0);

  // Mixed group: the other alert goes to Discord, without Watchdog.
  const mixed = await post(
    payload([alert({ alertname: 'Watchdog' }), alert({ alertname: 'Real', instance: 'db' })], {
      groupKey: 'mixed',
    }),
  );
  assert.equal(mixed.status, 200);
  assert.doesNotMatch(JSON.stringify(discord.list(webhookUrl)), /Watchdog/);
  assert.equal(deadman.requests.length, before + 2);

  // A resolved Watchdog is not a sign of life: no ping.
  await post(
    payload([alert({ alertname: 'Watchdog' }, { status: 'resolved' })], {
      groupKey: 'wd',
      status: 'resolved',
    }),
  );
  assert.equal(deadman.requests.length, before + 2);

  // A failed ping makes the answer 503 so Alertmanager retries.
  deadman.status = 500;
  const failed = await relay({
    heartbeat: { url: `${deadman.url}/ping/watchdog` },
    delivery: { deadline: '300ms' },
  }).post(payload([alert({ alertname: 'Watchdog' })]));
  deadman.status = 200;
  assert.equal(failed.status, 503);
});

test('Discord not answering at all gives 503 once the deadline passes', async () => {
  const { post } = relay({ delivery: { deadline: '1500ms' } });
  discord.setHang(true);
  const started = Date.now();
  const res = await post(payload([alert({ alertname: 'Hang' })]));
  discord.setHang(false);
  assert.equal(res.status, 503);
  assert.match(((await res.json()) as { error: { message: string } }).error.message, /no answer within/);
  assert.ok(Date.now() - started < 4000, 'bounded by the deadline, not by a socket timeout');
});
