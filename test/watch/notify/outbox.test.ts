import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeGotify } from '../../fakes/gotify.js';
import { FakeMatrix } from '../../fakes/matrix.js';
import { FakeTelegram } from '../../fakes/telegram.js';
import { eventually } from '../../helpers/ports.js';
import { baseConfig, liveRig } from './live-rig.js';

/**
 * The outbox and the failure classification, through the public surface: a watch with real
 * channel types, pinged over HTTP, its notifications read back from the API.
 */

test('a permanent failure is not retried: one try, failed, and the fallback channel pages at once', async () => {
  const tg = await new FakeTelegram().start();
  const gotify = await new FakeGotify().start();
  const token = tg.addBot();
  const app = gotify.addApp();
  const rig = await liveRig({
    config: (secret) =>
      [
        'defaults: { fallback: [backup-phone] }',
        'channels:',
        `  chat: { type: telegram, botTokenFile: ${secret('tg', `${token}\n\n`)}, chatId: 404404, apiUrl: "${tg.url}" }`,
        `  backup-phone: { type: gotify, url: "${gotify.url}", tokenFile: ${secret('gotify', `${app} \n`)} }`,
        baseConfig(['chat']),
      ].join('\n'),
  });
  try {
    await rig.fail();
    await eventually(async () => gotify.messages.length === 1, 10_000, 'the fallback page');
    const list = await rig.notifications();
    const chat = list.find((n) => n.channel === 'chat');
    assert.equal(chat?.status, 'failed');
    assert.equal(chat?.tries, 1, 'not retried');
    assert.match(chat?.error ?? '', /HTTP 400: Bad Request: chat not found/);
    assert.equal(tg.calls.length, 1);
    assert.equal(list.find((n) => n.channel === 'backup-phone')?.fallback, true);
    const health = await rig.watch.channelHealth();
    assert.equal(health.get('chat')?.state, 'broken');
    assert.equal(health.get('backup-phone')?.state, 'ok');
  } finally {
    await rig.close();
    await tg.close();
    await gotify.close();
  }
});

test('a 429 is retried, never before the retry time the service asked for', async () => {
  const tg = await new FakeTelegram().start();
  const token = tg.addBot();
  tg.addChat(1);
  tg.failNext(1, {
    status: 429,
    body: {
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 1',
      parameters: { retry_after: 1 },
    },
  });
  const rig = await liveRig({
    config: (secret) =>
      [
        'channels:',
        `  chat: { type: telegram, botTokenFile: ${secret('tg', token)}, chatId: 1, apiUrl: "${tg.url}" }`,
        baseConfig(['chat']),
      ].join('\n'),
  });
  try {
    await rig.fail();
    await eventually(
      async () => (await rig.notifications())[0]?.status === 'sent',
      10_000,
      'the retried page',
    );
    const [first, second] = tg.calls;
    assert.equal(first?.status, 429);
    assert.equal(second?.status, 200);
    const gap = (second?.at ?? 0) - (first?.at ?? 0);
    assert.ok(gap >= 950, `retried after ${gap} ms, asked for 1 s (the backoff alone is 50 ms)`);
    const [n] = await rig.notifications();
    assert.equal(n?.status, 'sent');
    assert.equal(n?.tries, 2);
    assert.equal((await rig.watch.channelHealth()).get('chat')?.state, 'ok');
  } finally {
    await rig.close();
    await tg.close();
  }
});

test('matrix through the outbox: a retry after a lost answer reuses the transaction id and posts once', async () => {
  const mx = await new FakeMatrix().start();
  const token = mx.addUser('@bot:example.org', ['!ops:example.org']);
  mx.dropNextAnswers(1);
  const rig = await liveRig({
    config: (secret) =>
      [
        'channels:',
        `  room: { type: matrix, homeserver: "${mx.url}", accessTokenFile: ${secret('mx', token)}, roomId: "!ops:example.org" }`,
        baseConfig(['room']),
      ].join('\n'),
  });
  try {
    await rig.fail();
    await eventually(async () => (await rig.notifications())[0]?.status === 'sent', 10_000, 'the page');
    assert.equal(mx.calls.length, 2, 'two tries');
    assert.equal(mx.calls[0]?.path, mx.calls[1]?.path, 'the same txnId on both');
    assert.equal(mx.events.length, 1, 'one message in the room');
    assert.equal(mx.replays, 1);
  } finally {
    await rig.close();
    await mx.close();
  }
});

test('a channel is broken only while its config is the one that failed: a fixed config starts from unknown', async () => {
  const gotify = await new FakeGotify().start();
  const good = gotify.addApp();
  const config = (secret: (name: string, value: string) => string) =>
    [
      'channels:',
      `  push: { type: gotify, url: "${gotify.url}", tokenFile: ${secret('t', 'Awrong')} }`,
      baseConfig(['push']),
    ].join('\n');
  const rig = await liveRig({ config });
  try {
    await rig.fail();
    await eventually(async () => (await rig.notifications())[0]?.status === 'failed', 10_000, 'the failure');
    assert.equal((await rig.watch.channelHealth()).get('push')?.state, 'broken');
    writeFileSync(join(rig.dir, 't'), `${good}\n`);
    assert.equal(await rig.watch.reload(), true);
    assert.equal(
      (await rig.watch.channelHealth()).get('push')?.state,
      'unknown',
      'the fixed channel is not broken',
    );
  } finally {
    await rig.close();
    await gotify.close();
  }
});
