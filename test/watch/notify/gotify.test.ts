import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { channelConfigSchema } from '../../../src/watch/notify/index.js';
import { FakeGotify } from '../../fakes/gotify.js';
import { down, failure, hostile, signal, transport, up } from './sample.js';

let gotify: FakeGotify;
let app: string;
before(async () => {
  gotify = await new FakeGotify('/gotify').start();
  app = gotify.addApp();
});
after(() => gotify.close());

const config = (over: Record<string, unknown> = {}) => ({
  type: 'gotify',
  url: `${gotify.base}/`,
  token: app,
  ...over,
});

test('gotify: POST <url>/message with X-Gotify-Key (a path prefix kept), a priority per state', async () => {
  await transport(config()).send(down, signal());
  await transport(config({ priority: { down: 10, up: 2 } })).send(up, signal());
  const [d, u] = gotify.messages.slice(-2);
  assert.equal(gotify.calls.at(-1)?.path, '/gotify/message');
  assert.equal(gotify.calls.at(-1)?.headers['x-gotify-key'], app);
  assert.equal(gotify.calls.at(-1)?.query.get('token'), null, 'the token is not in the URL');
  assert.equal(d?.title, 'DOWN nightly backup');
  assert.equal(d?.priority, 8);
  assert.match(d?.message ?? '', /Last ping body:/);
  assert.deepEqual(d?.extras?.['client::notification'], { click: { url: down.check.url } });
  assert.equal(u?.priority, 2);
  await transport(config()).send(hostile(), signal());
  assert.match(gotify.messages.at(-1)?.title ?? '', /^DOWN a <b>/);
});

test('gotify: a client or unknown token is permanent (401); a 5xx is transient', async () => {
  const client = await failure(transport(config({ token: gotify.addClient() })).send(down, signal()));
  assert.equal(client.kind, 'permanent');
  assert.match(client.message, /HTTP 401: you need to provide a valid access token/);
  const wrongPath = await failure(transport(config({ url: gotify.url })).send(down, signal()));
  assert.equal(wrongPath.kind, 'permanent', 'a 404 (wrong server path) never works');
  gotify.failNext(1, {
    status: 503,
    body: { error: 'Service Unavailable', errorCode: 503, errorDescription: 'db' },
  });
  assert.equal((await failure(transport(config()).send(down, signal()))).kind, 'transient');
});

test('gotify config: the server URL is required and must be http(s)', () => {
  assert.equal(channelConfigSchema.safeParse(config()).success, true);
  assert.equal(channelConfigSchema.safeParse({ type: 'gotify', token: app }).success, false);
  assert.equal(channelConfigSchema.safeParse(config({ url: 'gotify.example.net' })).success, false);
  assert.equal(channelConfigSchema.safeParse(config({ priority: { down: 11 } })).success, false);
});
