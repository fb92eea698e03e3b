import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { FakeDiscord } from '../../fakes/discord.js';
import { FakeGotify } from '../../fakes/gotify.js';
import { FakeMatrix } from '../../fakes/matrix.js';
import { FakePagerDuty } from '../../fakes/pagerduty.js';
import { FakePushover } from '../../fakes/pushover.js';
import { FakeTelegram } from '../../fakes/telegram.js';
import { type Receiver, startReceiver } from '../../helpers/receiver.js';
import { hostile, signal, transport, up } from './sample.js';

/**
 * Issue 16, item 7: a check name with CR/LF, markup, quotes and a lone UTF-16 surrogate (the API
 * accepts such names) is delivered by every channel type, down and up, and never fails the page.
 */

test('every channel type delivers a check whose name carries CR/LF, markup and a lone surrogate', async () => {
  const tg = await new FakeTelegram().start();
  const po = await new FakePushover().start();
  const gotify = await new FakeGotify().start();
  const mx = await new FakeMatrix().start();
  const pd = await new FakePagerDuty().start();
  const discord = await new FakeDiscord().start();
  const receiver: Receiver = await startReceiver();
  const mails: string[] = [];
  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, _s, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => {
        raw += c.toString();
      });
      stream.on('end', () => {
        mails.push(raw);
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  tg.addChat(1);
  const configs: Record<string, unknown> = {
    telegram: { type: 'telegram', botToken: tg.addBot(), chatId: 1, apiUrl: tg.url },
    pushover: { type: 'pushover', token: po.addApp(), userKey: po.addUser(), apiUrl: po.url },
    gotify: { type: 'gotify', url: gotify.url, token: gotify.addApp() },
    matrix: { type: 'matrix', homeserver: mx.url, accessToken: mx.addUser('@b:x', ['!r:x']), roomId: '!r:x' },
    pagerduty: { type: 'pagerduty', routingKey: pd.addRoutingKey(), apiUrl: pd.url },
    discord: { type: 'discord', webhookUrl: discord.webhook() },
    ntfy: { type: 'ntfy', url: receiver.url, topic: 'alerts' },
    slack: { type: 'slack', webhookUrl: `${receiver.url}/services/T/B/X` },
    webhook: {
      type: 'webhook',
      down: {
        url: `${receiver.url}/d/$NAME`,
        method: 'POST',
        headers: { 'X-Name': '$NAME' },
        body: '{"n": $NAME_JSON}',
      },
      up: { url: `${receiver.url}/u?n=$NAME`, headers: { 'X-Name': '$NAME' } },
    },
    email: {
      type: 'email',
      to: ['oncall@example.net'],
      smtp: { host: '127.0.0.1', port: smtpPort, secure: 'none', from: 'watch@example.net' },
    },
  };
  try {
    let delivered = 0;
    for (const [type, config] of Object.entries(configs)) {
      const t = transport(config, type);
      for (const n of [hostile(), hostile(up)]) {
        await t.send(n, signal(), { key: `${type}-${n.event}` });
        delivered++;
      }
    }
    assert.equal(delivered, 20, 'ten channel types, down and up');
    assert.equal(tg.messages.length, 2);
    assert.equal(po.messages.length, 2);
    assert.equal(gotify.messages.length, 2);
    assert.equal(mx.events.length, 2);
    assert.equal(pd.alerts.length, 1);
    assert.equal(pd.alerts[0]?.status, 'resolved');
    assert.equal(discord.list().length, 2);
    assert.equal(mails.length, 2);
    assert.ok(
      !/\r\nInjected: 1/.test(mails[0]?.split('\r\n\r\n')[0] ?? ''),
      'no header injected into the mail',
    );
    for (const r of receiver.requests)
      for (const v of Object.values(r.headers))
        assert.ok(!/[\r\n]/.test(String(v)), 'no line break in a header');
  } finally {
    for (const f of [tg, po, gotify, mx, pd, discord]) await f.close();
    await receiver.close();
    await new Promise<void>((r) => smtp.close(() => r()));
  }
});
