import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { channelConfigSchema } from '../../../src/watch/notify/index.js';
import { substitute } from '../../../src/watch/notify/webhook.js';
import { FakeDiscord } from '../../fakes/discord.js';
import { type Receiver, startReceiver } from '../../helpers/receiver.js';
import { down, failure, hostile, signal, transport, up } from './sample.js';

let receiver: Receiver;
before(async () => {
  receiver = await startReceiver();
});
after(() => receiver.close());

test('webhook placeholders are substituted in one pass, URL-encoded in URLs', () => {
  const tricky = { ...down, check: { ...down.check, name: 'a $SLUG & b' } };
  const now = Date.UTC(2026, 10, 25, 4, 10, 5);
  assert.equal(
    substitute('$NAME|$SLUG|$STATUS|$CODE|$TAGS|$NOW', tricky, now, false),
    `a $SLUG & b|nightly-backup|down|${down.check.uuid}|prod db|2026-11-25T04:10:05+00:00`,
  );
  assert.equal(substitute('http://x/?n=$NAME', tricky, now, true), 'http://x/?n=a%20%24SLUG%20%26%20b');
  assert.equal(
    substitute('{"n":$NAME_JSON}', { ...down, check: { ...down.check, name: 'say "hi"' } }, now, false),
    '{"n":"say \\"hi\\""}',
  );
  const json = JSON.parse(substitute('$JSON', down, now, false)) as Record<string, unknown>;
  assert.equal(json.uuid, down.check.uuid);
  assert.equal(json.status, 'down');
});

test('webhook: separate down and up requests, each with its own method, headers and body', async () => {
  const t = transport({
    type: 'webhook',
    down: {
      url: `${receiver.url}/down?check=$NAME`,
      method: 'POST',
      headers: { 'X-Check': '$SLUG' },
      body: '{"text":"$NAME is $STATUS"}',
    },
    up: { url: `${receiver.url}/up/$CODE` },
  });
  const before = receiver.requests.length;
  await t.send(down, signal());
  await t.send(up, signal());
  const [d, u] = receiver.requests.slice(before);
  assert.equal(d?.method, 'POST');
  assert.equal(d?.path, '/down?check=nightly%20backup');
  assert.equal(d?.headers['x-check'], 'nightly-backup');
  assert.equal(d?.body, '{"text":"nightly backup is down"}');
  assert.equal(u?.method, 'GET');
  assert.equal(u?.path, `/up/${down.check.uuid}`);
});

test('webhook: a non-2xx answer fails the try with a reason; an unreachable host too', async () => {
  receiver.status = 500;
  const t = transport({ type: 'webhook', down: { url: `${receiver.url}/x` } });
  await assert.rejects(t.send(down, signal()), /HTTP 500/);
  receiver.status = 200;
  const closed = transport({ type: 'webhook', down: { url: 'http://127.0.0.1:1/x' } });
  await assert.rejects(closed.send(down, signal()), /connection refused/);
});

test('discord: posts through the shared client, within limits, mentioning nobody', async () => {
  const discord = await new FakeDiscord().start();
  try {
    const url = discord.webhook();
    await transport({ type: 'discord', webhookUrl: url }).send(down, signal());
    const [m] = discord.list(url);
    assert.match(m?.embeds[0]?.description ?? '', /^🔴 DOWN nightly backup/);
    assert.match(m?.embeds[0]?.description ?? '', /Last ping body:\nERROR: disk full/);
    assert.deepEqual(m?.allowed_mentions?.parse, []);
    await assert.rejects(
      transport({ type: 'discord', webhookUrl: discord.unknownWebhook() }).send(down, signal()),
      /HTTP 404/,
    );
  } finally {
    await discord.close();
  }
});

/** A stand-in for ntfy and Slack that answers the way they do. */
function fakeService(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const requests: Array<{ headers: IncomingMessage['headers']; body: string; path: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      requests.push({ headers: req.headers, body, path: req.url ?? '' });
      handler(req, body, res);
    });
  });
  return {
    requests,
    async start() {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test('ntfy: title, priority, tags and bearer token; a 429 fails the try with its Retry-After', async () => {
  let limited = false;
  const ntfy = fakeService((req, body, res) => {
    if (req.headers.authorization !== 'Bearer tk_secret')
      return res.writeHead(401).end('{"code":40101,"http":401,"error":"unauthorized"}');
    if (Buffer.byteLength(body) > 4096)
      return res.writeHead(413).end('{"code":41301,"http":413,"error":"message too large"}');
    if (limited)
      return res
        .writeHead(429, { 'retry-after': '30' })
        .end('{"code":42901,"http":429,"error":"limit reached: too many requests"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x"}');
  });
  const base = await ntfy.start();
  try {
    const t = transport({
      type: 'ntfy',
      url: base,
      topic: 'lab-alerts',
      token: 'tk_secret',
      priority: { down: 5, up: 3 },
    });
    await t.send(down, signal());
    await t.send(up, signal());
    const [d, u] = ntfy.requests;
    assert.equal(d?.path, '/lab-alerts');
    assert.equal(d?.headers.priority, '5');
    assert.equal(d?.headers.title, 'DOWN nightly backup');
    assert.equal(u?.headers.priority, '3');
    assert.ok(Buffer.byteLength(d?.body ?? '') <= 4096, 'stays under ntfy message limit');
    limited = true;
    await assert.rejects(t.send(down, signal()), /HTTP 429 \(retry after 30 s\)/);
    await assert.rejects(
      transport({ type: 'ntfy', url: base, topic: 'lab-alerts', token: 'wrong' }).send(down, signal()),
      /HTTP 401/,
    );
  } finally {
    await ntfy.close();
  }
});

test('slack: JSON text within Slack limits; invalid_payload fails the try', async () => {
  const slack = fakeService((_req, body, res) => {
    let parsed: { text?: string };
    try {
      parsed = JSON.parse(body) as { text?: string };
    } catch {
      return res.writeHead(400).end('invalid_payload');
    }
    if (!parsed.text) return res.writeHead(400).end('no_text');
    res.writeHead(200).end('ok');
  });
  const base = await slack.start();
  try {
    await transport({ type: 'slack', webhookUrl: `${base}/services/T/B/X` }).send(down, signal());
    const text = (JSON.parse(slack.requests[0]?.body ?? '{}') as { text: string }).text;
    assert.ok(text.length <= 4000);
    assert.match(text, /^🔴 DOWN nightly backup/);
  } finally {
    await slack.close();
  }
});

test('email: through a real SMTP server with STARTTLS and auth', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const received: Array<{
    from: string;
    to: string[];
    raw: string;
    secure: boolean;
    user: string | undefined;
  }> = [];
  const server = new SMTPServer({
    key: readFileSync(join(dir, 'key.pem')),
    cert: readFileSync(join(dir, 'cert.pem')),
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'me' && auth.password === 'smtp-pass') cb(null, { user: 'me' });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => {
        raw += c.toString();
      });
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          secure: session.secure,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  try {
    const config = {
      type: 'email',
      to: ['oncall@example.net'],
      smtp: {
        host: '127.0.0.1',
        port,
        secure: 'starttls',
        username: 'me',
        password: 'smtp-pass',
        from: 'alertpath <watch@example.net>',
        insecure: true,
      },
    };
    await transport(config).send(down, signal());
    const [mail] = received;
    assert.equal(mail?.secure, true, 'STARTTLS was used');
    assert.equal(mail?.user, 'me');
    assert.deepEqual(mail?.to, ['oncall@example.net']);
    assert.match(mail?.raw ?? '', /^Subject: DOWN nightly backup/m);
    assert.match(mail?.raw ?? '', /Last ping body:/);
    const refused = await failure(
      transport({ ...config, smtp: { ...config.smtp, password: 'wrong' } }).send(down, signal()),
    );
    assert.match(refused.message, /SMTP 127\.0\.0\.1/);
    assert.equal(refused.kind, 'permanent', 'a refused login repeats on every try');
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('channel config: unknown types and bad fields are refused', () => {
  assert.equal(channelConfigSchema.safeParse({ type: 'pager' }).success, false);
  assert.equal(channelConfigSchema.safeParse({ type: 'ntfy', topic: 'bad topic!' }).success, false);
  assert.equal(
    channelConfigSchema.safeParse({ type: 'email', to: ['not-an-address'], smtp: { host: 'h', from: 'a@b' } })
      .success,
    false,
  );
  assert.equal(
    channelConfigSchema.safeParse({ type: 'discord', webhookUrl: 'https://example.net/nope' }).success,
    false,
  );
});

test('discord: a deleted webhook (404) is permanent; a rejected token (401) too; a 5xx past the deadline is not', async () => {
  const discord = await new FakeDiscord().start();
  try {
    const gone = await failure(
      transport({ type: 'discord', webhookUrl: discord.unknownWebhook() }).send(down, signal()),
    );
    assert.equal(gone.kind, 'permanent');
    const url = discord.webhook();
    const wrong = await failure(
      transport({ type: 'discord', webhookUrl: url.replace(/\/[^/]+$/, '/wrongtoken') }).send(down, signal()),
    );
    assert.equal(wrong.kind, 'permanent');
    discord.setHang(true);
    const hung = await failure(
      transport({ type: 'discord', webhookUrl: url }).send(down, AbortSignal.timeout(300)),
    );
    assert.equal(hung.kind, 'transient');
  } finally {
    await discord.close();
  }
});

test('webhook: a CR/LF or a lone surrogate in a check name never fails the page (headers, URL, JSON body)', async () => {
  const t = transport({
    type: 'webhook',
    down: {
      url: `${receiver.url}/hook?check=$NAME`,
      method: 'POST',
      headers: { 'X-Check': '$NAME', 'Content-Type': 'application/json' },
      body: '{"check": $NAME_JSON, "text": $TEXT_JSON, "status": "$STATUS"}',
    },
  });
  const count = receiver.requests.length;
  await t.send(hostile(), signal());
  const r = receiver.requests[count];
  assert.ok(r, 'delivered');
  assert.ok(!/[\r\n]/.test(String(r?.headers['x-check'])), 'no line break in a header');
  const body = JSON.parse(r?.body ?? '') as { check: string; text: string; status: string };
  assert.match(body.check, /^a <b>&amp; "x"\r\nInjected: 1 \ufffd/);
  assert.equal(body.status, 'down');
  assert.match(body.text, /<script>/);
  assert.match(r?.path ?? '', /check=a%20%3Cb%3E/);
});

test('webhook config: URLs are checked at load (file://, typos, spaces); header names too', () => {
  const ok = (url: string, headers: Record<string, string> = {}) =>
    channelConfigSchema.safeParse({ type: 'webhook', down: { url, headers } }).success;
  assert.equal(ok('https://hooks.example.net/x?check=$NAME'), true);
  assert.equal(ok('http://10.0.0.5:8080/$CODE'), true, 'private addresses are fine in the config');
  assert.equal(ok('file:///etc/passwd'), false);
  assert.equal(ok('htps://hooks.example.net/x'), false);
  assert.equal(ok('https:/hooks.example.net/x'), false);
  assert.equal(ok('https://hooks.example .net/x'), false);
  assert.equal(ok('$NAME'), false);
  assert.equal(ok('https://x/', { 'Bad Header': 'v' }), false);
  assert.equal(ok('https://x/', { 'X-Ok': 'v' }), true);
});

test('ntfy and slack URLs are checked at load', () => {
  assert.equal(channelConfigSchema.safeParse({ type: 'ntfy', url: 'ntfy.sh', topic: 'x' }).success, false);
  assert.equal(channelConfigSchema.safeParse({ type: 'slack', webhookUrl: 'file:///x' }).success, false);
});
