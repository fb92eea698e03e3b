import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { buildRelay, relayService, startRelay } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';

// Issue 16, relay: bodies that cost far more parsed than their size, a lone surrogate, titles of
// more than 999 parts, Markdown in titles. Each through POST /webhook, against the fake Discord
// that refuses what Discord refuses (titles over 256 among them).

let discord: FakeDiscord;
before(async () => {
  discord = await new FakeDiscord({ limit: 100_000 }).start();
});
after(() => discord.close());

function relay(extra: Record<string, unknown> = {}) {
  const webhookUrl = discord.webhook();
  const config = relayConfigSchema.parse({ routes: { default: { discord: { webhookUrl } } }, ...extra });
  const parts = buildRelay(config, { logger: silentLogger(), processMetrics: false });
  return { app: relayService(parts), webhookUrl };
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

/** A valid payload whose extra field (dropped by the schema) holds `junk` raw. */
function withJunk(junk: string): string {
  const body = JSON.stringify({ ...payload([alert({ alertname: 'A' })]), junk: 0 });
  return body.replace('"junk":0', `"junk":${junk}`);
}

test('a valid payload with a 1.9-million-deep array in an extra field is refused 400 before it is parsed', async () => {
  const depth = 1_900_000;
  const body = withJunk(`${'['.repeat(depth)}${']'.repeat(depth)}`);
  assert.ok(body.length < 4 * 1024 * 1024);
  const { app, webhookUrl } = relay();
  const res = await app.request('/webhook', { method: 'POST', body });
  assert.equal(res.status, 400);
  const error = await errorOf(res);
  assert.equal(error.code, 'AP_INVALID_PAYLOAD');
  assert.match(error.message, /nested deeper than 64 levels/);
  assert.equal(discord.list(webhookUrl).length, 0);
});

test('a payload of a million empty objects is refused 400; a legitimate 4 000-alert group is not', async () => {
  const { app, webhookUrl } = relay({ maxBodyBytes: 8 * 1024 * 1024 });
  const wide = withJunk(`[${new Array(1_000_000).fill('{}').join(',')}]`);
  const res = await app.request('/webhook', { method: 'POST', body: wide });
  assert.equal(res.status, 400);
  assert.match((await errorOf(res)).message, /more than 200000 objects and arrays/);

  const alerts = Array.from({ length: 4000 }, (_, i) =>
    alert({ alertname: 'KubePodCrashLooping', pod: `p-${i}`, namespace: 'apps', severity: 'warning' }),
  );
  const big = await app.request('/webhook', { method: 'POST', body: JSON.stringify(payload(alerts)) });
  assert.equal(big.status, 200);
  assert.ok(discord.list(webhookUrl).length > 1);
});

/** Opens a POST /webhook on a real socket and writes `first`; `finish(rest)` ends it. */
function openPost(url: string, headers: Record<string, string>, first: string) {
  const req = httpRequest(`${url}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
  });
  const answer = new Promise<{ status: number; retryAfter: string | undefined; body: string }>(
    (resolve, reject) => {
      req.once('response', (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
            body,
          }),
        );
      });
      req.once('error', reject);
    },
  );
  req.write(first);
  req.flushHeaders();
  return { answer, finish: (rest: string) => req.end(rest) };
}

for (const declared of [true, false]) {
  test(`bodies beyond maxBytesInFlight are answered 503 + Retry-After, and nothing is lost once room frees (${declared ? 'Content-Length' : 'chunked'})`, async () => {
    const discordUrl = discord.webhook();
    const config = relayConfigSchema.parse({
      listen: '127.0.0.1:0',
      maxBodyBytes: 64 * 1024,
      maxBytesInFlight: 64 * 1024,
      routes: { default: { discord: { webhookUrl: discordUrl } } },
      delivery: { drainGrace: '10ms' },
    });
    const service = await startRelay(config, { logger: silentLogger(), handleSignals: false });
    try {
      // The first body is 40 KiB, held open half-sent; the second (30 KiB) does not fit beside it.
      const pad = (name: string, size: number) => {
        const base = payload([alert({ alertname: name })], { groupKey: name });
        const body = JSON.stringify({ ...base, pad: '' });
        return body.replace('"pad":""', `"pad":"${'x'.repeat(size - body.length)}"`);
      };
      const slow = pad('Slow', 40 * 1024);
      const second = pad('Second', 30 * 1024);
      const headers = (b: string): Record<string, string> =>
        declared ? { 'content-length': String(Buffer.byteLength(b)) } : { 'transfer-encoding': 'chunked' };
      const first = openPost(service.url, headers(slow), slow.slice(0, 36 * 1024));
      // Wait until the relay holds the first body's bytes: its busy answer to a probe says so.
      let busy: Awaited<ReturnType<typeof openPost>['answer']>;
      for (let attempt = 0; ; attempt++) {
        assert.ok(attempt < 50, 'the second body was never refused');
        const probe = openPost(service.url, headers(second), second.slice(0, 1024));
        probe.finish(second.slice(1024));
        busy = await probe.answer;
        if (busy.status === 503) break;
        assert.equal(busy.status, 200, busy.body);
      }
      assert.equal(busy.retryAfter, '1');
      assert.equal((JSON.parse(busy.body) as { error: { code: string } }).error.code, 'AP_UNAVAILABLE');

      first.finish(slow.slice(36 * 1024));
      assert.equal((await first.answer).status, 200);
      const retried = openPost(service.url, headers(second), second);
      retried.finish('');
      assert.equal((await retried.answer).status, 200);
      const titles = discord.list(discordUrl).map((m) => m.embeds[0]?.title ?? '');
      assert.ok(titles.some((t) => t.includes('Slow')));
      assert.ok(titles.some((t) => t.includes('Second')));
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      assert.match(metrics, /alertpath_relay_notifications_total\{route="default",outcome="busy"\} [1-9]/);
    } finally {
      await service.drain();
    }
  });
}

test('maxBytesInFlight below maxBodyBytes is a config error', () => {
  const r = relayConfigSchema.safeParse({
    maxBodyBytes: 1000,
    maxBytesInFlight: 999,
    routes: { default: { discord: { webhookUrl: discord.webhook() } } },
  });
  assert.equal(r.success, false);
  assert.match(r.error?.issues[0]?.message ?? '', /at least maxBodyBytes/);
  assert.deepEqual(r.error?.issues[0]?.path, ['maxBytesInFlight']);
});

test('a lone UTF-16 surrogate in a label, with externalURL set, is delivered with U+FFFD (the group is not failed)', async () => {
  const { app, webhookUrl } = relay();
  const body = JSON.stringify({
    ...payload([
      alert({ alertname: 'Good', instance: 'a' }),
      alert({ alertname: 'Good', instance: 'b' }, { annotations: { summary: 'x' } }),
    ]),
    externalURL: 'http://alertmanager.example:9093',
  }).replace('"instance":"b"', '"instance":"b\\ud800"');
  const res = await app.request('/webhook', { method: 'POST', body });
  assert.equal(res.status, 200);
  const [message] = discord.list(webhookUrl);
  const description = message?.embeds.map((e) => e.description).join('\n') ?? '';
  assert.match(description, /b\uFFFD/);
  assert.match(description, /\[Silence\]\(http:\/\/alertmanager\.example:9093\/#\/silences\/new\?filter=/);
  assert.ok(description.isWellFormed());
});

test('more than 999 parts with a long alertname: every title fits 256 with its suffix, every alert is delivered', async () => {
  const { app, webhookUrl } = relay({ maxBodyBytes: 32 * 1024 * 1024, maxBytesInFlight: 32 * 1024 * 1024 });
  const alertname = `Alert${'N'.repeat(300)}`;
  // Bullets of ~1 000 characters: about 5 a message, so 5 500 alerts make some 1 100 messages.
  const alerts = Array.from({ length: 5500 }, (_, i) =>
    alert({ alertname, instance: `host-${i}` }, { annotations: { description: `${i} ${'d'.repeat(1000)}` } }),
  );
  const res = await app.request('/webhook', { method: 'POST', body: JSON.stringify(payload(alerts)) });
  assert.equal(res.status, 200);
  const { messages } = (await res.json()) as { messages: number };
  assert.ok(messages > 999, `expected more than 999 parts, got ${messages}`);
  const stored = discord.list(webhookUrl);
  assert.equal(stored.length, messages);
  for (const m of stored) {
    const title = m.embeds[0]?.title ?? '';
    assert.ok(title.length <= 256, `title of ${title.length}`);
    assert.match(title, /\(part \d+\/\d+\)$/);
  }
  assert.ok((stored.at(-1)?.embeds[0]?.title ?? '').endsWith(`(part ${messages}/${messages})`));
  const text = stored.flatMap((m) => m.embeds.map((e) => e.description ?? '')).join('\n');
  for (const i of [0, 999, 4321, 5499]) assert.ok(text.includes(`${i} ddd`), `alert ${i} delivered`);
});

test('Markdown and mentions in the alertname and severity are escaped in the title', async () => {
  const { app, webhookUrl } = relay();
  const body = JSON.stringify(
    payload([alert({ alertname: '**Disk**_full_ @everyone', severity: 'crit`ical' })], {
      commonLabels: { severity: 'crit`ical' },
    }),
  );
  const res = await app.request('/webhook', { method: 'POST', body });
  assert.equal(res.status, 200);
  const title = discord.list(webhookUrl)[0]?.embeds[0]?.title ?? '';
  assert.ok(title.includes('\\*\\*Disk\\*\\*\\_full\\_ @\u200beveryone'), title);
  assert.ok(title.includes('[crit\\`ical]'), title);
});
