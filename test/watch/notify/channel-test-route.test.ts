import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeGotify } from '../../fakes/gotify.js';
import { FakePagerDuty } from '../../fakes/pagerduty.js';
import { FakeTelegram } from '../../fakes/telegram.js';
import { API_KEY, baseConfig, type LiveRig, liveRig } from './live-rig.js';

/** `POST /api/v3/channels/<name>/test`: a test notification, its outcome in the answer. */

const READ_ONLY = 'read-only-key-0123456789abc';
let tg: FakeTelegram;
let gotify: FakeGotify;
let pd: FakePagerDuty;
let rig: LiveRig;

before(async () => {
  tg = await new FakeTelegram().start();
  gotify = await new FakeGotify().start();
  pd = await new FakePagerDuty().start();
  const token = tg.addBot();
  tg.addChat(42);
  const app = gotify.addApp();
  const key = pd.addRoutingKey();
  rig = await liveRig({
    config: (secret) =>
      [
        'channels:',
        `  chat: { type: telegram, botTokenFile: ${secret('tg', token)}, chatId: 42, apiUrl: "${tg.url}" }`,
        `  wrong: { type: gotify, url: "${gotify.url}", tokenFile: ${secret('g1', 'Anottheapp')} }`,
        `  push: { type: gotify, url: "${gotify.url}", tokenFile: ${secret('g2', app)} }`,
        `  pager: { type: pagerduty, routingKeyFile: ${secret('pd', key)}, apiUrl: "${pd.url}" }`,
        `  down: { type: webhook, down: { url: "http://127.0.0.1:1/x" } }`,
        baseConfig(['chat']).replace(
          `apiKeys: [{ name: test, key: ${API_KEY} }]`,
          `apiKeys: [{ name: test, key: ${API_KEY} }, { name: ro, key: ${READ_ONLY}, readOnly: true }]`,
        ),
      ].join('\n'),
  });
});

after(async () => {
  await rig.close();
  await tg.close();
  await gotify.close();
  await pd.close();
});

const post = (name: string, key = API_KEY) =>
  rig.request(`/api/v3/channels/${name}/test`, { method: 'POST', headers: { 'x-api-key': key } });

test('a test notification is delivered and the answer says so', async () => {
  const res = await post('chat');
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { channel: 'chat', kind: 'telegram', ok: true });
  assert.match(tg.messages.at(-1)?.text ?? '', /TEST notification from alertpath watch .* channel "chat"/);
  assert.equal((await rig.watch.channelHealth()).get('chat')?.state, 'ok');
});

test('a refused test answers 502 with the error, and marks the channel broken; an unreachable one 503', async () => {
  const res = await post('wrong');
  assert.equal(res.status, 502);
  const body = (await res.json()) as { error: string; ok: boolean; permanent: boolean; kind: string };
  assert.equal(body.ok, false);
  assert.equal(body.permanent, true);
  assert.equal(body.kind, 'gotify');
  assert.match(body.error, /HTTP 401/);
  assert.equal((await rig.watch.channelHealth()).get('wrong')?.state, 'broken');
  const down = await post('down');
  assert.equal(down.status, 503);
  assert.equal(((await down.json()) as { permanent: boolean }).permanent, false);
  // A working channel's test does not open an incident that stays open.
  assert.equal((await post('pager')).status, 200);
  assert.equal(pd.alerts.at(-1)?.status, 'resolved');
  assert.equal((await post('push')).status, 200);
  assert.equal(gotify.messages.at(-1)?.title, 'TEST alertpath watch');
});

test('unknown channels answer 404; read-only keys may not send tests; no key is 401', async () => {
  const unknown = await post('nope');
  assert.equal(unknown.status, 404);
  assert.match(((await unknown.json()) as { error: string }).error, /no channel named "nope"/);
  assert.ok([401, 403].includes((await post('chat', READ_ONLY)).status));
  const none = await rig.request('/api/v3/channels/chat/test', {
    method: 'POST',
    headers: { 'x-api-key': '' },
  });
  assert.equal(none.status, 401);
});
