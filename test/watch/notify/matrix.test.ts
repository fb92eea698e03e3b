import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { channelConfigSchema } from '../../../src/watch/notify/index.js';
import { FakeMatrix } from '../../fakes/matrix.js';
import { down, failure, hostile, signal, transport, up } from './sample.js';

const ROOM = '!ops:example.org';
let mx: FakeMatrix;
let token: string;
before(async () => {
  mx = await new FakeMatrix().start();
  token = mx.addUser('@alertpath:example.org', [ROOM]);
});
after(() => mx.close());

const config = (over: Record<string, unknown> = {}) => ({
  type: 'matrix',
  homeserver: mx.url,
  accessToken: token,
  roomId: ROOM,
  ...over,
});

test('matrix: PUT …/v3/rooms/<room>/send/m.room.message/<txnId> with a bearer token, text and HTML', async () => {
  await transport(config()).send(down, signal(), { key: 'job-1' });
  const call = mx.calls.at(-1);
  assert.equal(call?.method, 'PUT');
  assert.equal(
    call?.path,
    `/_matrix/client/v3/rooms/${encodeURIComponent(ROOM)}/send/m.room.message/alertpath.job-1`,
  );
  assert.equal(call?.headers.authorization, `Bearer ${token}`);
  const e = mx.events.at(-1);
  assert.equal(e?.content.msgtype, 'm.text');
  assert.match(String(e?.content.body), /^🔴 DOWN nightly backup/);
  assert.equal(e?.content.format, 'org.matrix.custom.html');
  assert.match(String(e?.content.formatted_body), /^<strong>🔴 DOWN nightly backup/);
  await transport(config()).send(hostile(up), signal(), { key: 'job-2' });
  assert.ok(!String(mx.events.at(-1)?.content.formatted_body).includes('<b>&amp;'), 'the name is escaped');
});

test('matrix: the same transaction id on a retry after a lost answer posts once', async () => {
  const t = transport(config());
  const before = mx.events.length;
  mx.dropNextAnswers(1);
  const lost = await failure(t.send(down, signal(), { key: 'job-lost' }));
  assert.equal(lost.kind, 'transient');
  assert.equal(mx.events.length, before + 1, 'the homeserver stored the event');
  await t.send(down, signal(), { key: 'job-lost' });
  assert.equal(mx.events.length, before + 1, 'the retry posted nothing new');
  assert.equal(mx.replays, 1);
  // Without a job key, the key is derived from the notification: still stable across tries.
  await t.send(up, signal());
  await t.send(up, signal());
  assert.equal(mx.events.length, before + 2);
});

test('matrix: unknown token (401), a room not joined (403) are permanent; M_LIMIT_EXCEEDED carries its wait', async () => {
  const wrong = await failure(
    transport(config({ accessToken: 'syt_nope' })).send(down, signal(), { key: 'a' }),
  );
  assert.equal(wrong.kind, 'permanent');
  assert.match(wrong.message, /HTTP 401: M_UNKNOWN_TOKEN/);
  const room = await failure(
    transport(config({ roomId: '!other:example.org' })).send(down, signal(), { key: 'b' }),
  );
  assert.equal(room.kind, 'permanent');
  assert.match(room.message, /M_FORBIDDEN/);
  mx.failNext(1, {
    status: 429,
    body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 2500 },
  });
  const limited = await failure(transport(config()).send(down, signal(), { key: 'c' }));
  assert.equal(limited.kind, 'transient');
  assert.equal(limited.retryAfterMs, 2500);
  mx.failNext(1, { status: 429, body: { errcode: 'M_LIMIT_EXCEEDED' }, headers: { 'retry-after': '7' } });
  assert.equal((await failure(transport(config()).send(down, signal(), { key: 'd' }))).retryAfterMs, 7000);
});

test('matrix config: a room id, not an alias; the homeserver an http(s) URL', () => {
  assert.equal(channelConfigSchema.safeParse(config()).success, true);
  assert.equal(channelConfigSchema.safeParse(config({ roomId: '#ops:example.org' })).success, false);
  assert.equal(channelConfigSchema.safeParse(config({ roomId: '!opaqueRoomIdV12' })).success, true);
  assert.equal(channelConfigSchema.safeParse(config({ homeserver: 'matrix.example.org' })).success, false);
});
