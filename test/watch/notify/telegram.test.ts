import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { channelConfigSchema } from '../../../src/watch/notify/index.js';
import { FakeTelegram, parseHtml } from '../../fakes/telegram.js';
import { down, failure, hostile, signal, transport, up } from './sample.js';

let tg: FakeTelegram;
let token: string;
before(async () => {
  tg = await new FakeTelegram().start();
  token = tg.addBot();
  tg.addChat(-1001234, { threads: [42] });
  tg.addChat(777, { blocked: true });
  tg.addChat(-555, { migratedTo: -1009999 });
});
after(() => tg.close());

const config = (over: Record<string, unknown> = {}) => ({
  type: 'telegram',
  botToken: token,
  chatId: -1001234,
  apiUrl: tg.url,
  ...over,
});

test('telegram: sendMessage in HTML parse mode to a chat and topic, first line bold, with a link', async () => {
  await transport(config({ threadId: 42 })).send(down, signal());
  const m = tg.messages.at(-1);
  assert.equal(m?.chatId, '-1001234');
  assert.equal(m?.threadId, 42);
  assert.equal(m?.parseMode, 'HTML');
  assert.match(m?.html ?? '', /^<b>🔴 DOWN nightly backup: failure reported/);
  assert.match(m?.html ?? '', /<a href="https:\/\/watch\.example\.net\/checks\/[^"]+">Open check<\/a>$/);
  assert.match(m?.text ?? '', /Last ping body:\nERROR: disk full/);
  await transport(config()).send(up, signal());
  assert.match(tg.messages.at(-1)?.text ?? '', /^🟢 UP nightly backup again/);
});

test('telegram: every character of a hostile name is escaped and parses; the text stays within 4096', async () => {
  const n = hostile();
  await transport(config()).send({ ...n, lastPing: { at: n.at, body: '<&>'.repeat(5000) } }, signal());
  const m = tg.messages.at(-1);
  assert.ok(m, 'accepted by the fake, which parses HTML as Telegram does');
  assert.ok((m?.text.length ?? 0) <= 4096, `visible length ${m?.text.length}`);
  assert.match(m?.text ?? '', /a <b>&amp; "x"/, 'shown literally, not as markup');
  assert.match(m?.text ?? '', /<script>alert\(1\)<\/script>/);
  // A long body with only plain text is cut to the limit too.
  await transport(config()).send({ ...down, lastPing: { at: 0, body: 'x'.repeat(10_000) } }, signal());
  assert.ok((tg.messages.at(-1)?.text.length ?? 0) <= 4096);
});

test('telegram fake: parses HTML as Telegram does (so the test above can fail)', () => {
  assert.deepEqual(parseHtml('<b>a &lt; b</b>'), { text: 'a < b' });
  assert.ok('error' in parseHtml('a < b'));
  assert.ok('error' in parseHtml('<script>x</script>'));
  assert.ok('error' in parseHtml('<b>x'));
  assert.ok('error' in parseHtml('Tom & Jerry'));
});

test('telegram: wrong token, unknown chat or topic, blocked bot are permanent; a migrated group names its new id', async () => {
  const wrong = await failure(
    transport(config({ botToken: `${token.split(':')[0]}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA` })).send(
      down,
      signal(),
    ),
  );
  assert.equal(wrong.kind, 'permanent');
  assert.match(wrong.message, /HTTP 401: Unauthorized/);
  assert.ok(!wrong.message.includes(token), 'the token never appears in an error');
  const chat = await failure(transport(config({ chatId: 12345 })).send(down, signal()));
  assert.equal(chat.kind, 'permanent');
  assert.match(chat.message, /chat not found/);
  assert.equal((await failure(transport(config({ threadId: 9 })).send(down, signal()))).kind, 'permanent');
  const blocked = await failure(transport(config({ chatId: 777 })).send(down, signal()));
  assert.equal(blocked.kind, 'permanent');
  assert.match(blocked.message, /HTTP 403: Forbidden: bot was blocked/);
  const moved = await failure(transport(config({ chatId: -555 })).send(down, signal()));
  assert.equal(moved.kind, 'permanent');
  assert.match(moved.message, /set chatId to -1009999/);
});

test('telegram: a 429 is transient and carries parameters.retry_after; a 5xx is transient', async () => {
  tg.failNext(1, {
    status: 429,
    body: {
      ok: false,
      error_code: 429,
      description: 'Too Many Requests: retry after 17',
      parameters: { retry_after: 17 },
    },
  });
  const limited = await failure(transport(config()).send(down, signal()));
  assert.equal(limited.kind, 'transient');
  assert.equal(limited.retryAfterMs, 17_000);
  tg.failNext(1, { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } });
  assert.equal((await failure(transport(config()).send(down, signal()))).kind, 'transient');
  // The fake's own per-chat limit answers the same way.
  tg.limit.limit = 1;
  tg.limit.windowMs = 60_000;
  try {
    tg.addChat(31337);
    await transport(config({ chatId: 31337 })).send(down, signal());
    const own = await failure(transport(config({ chatId: 31337 })).send(down, signal()));
    assert.equal(own.kind, 'transient');
    assert.ok((own.retryAfterMs ?? 0) > 0);
  } finally {
    tg.limit.limit = 1000;
    tg.limit.windowMs = 1000;
  }
});

test('telegram config: a malformed token, chat id or API URL is refused', () => {
  const bad = (over: Record<string, unknown>) => channelConfigSchema.safeParse(config(over)).success;
  assert.equal(bad({}), true);
  assert.equal(bad({ botToken: 'not-a-token' }), false);
  assert.equal(bad({ chatId: 'my group' }), false);
  assert.equal(bad({ apiUrl: 'file:///etc/passwd' }), false);
  assert.equal(bad({ threadId: -1 }), false);
  assert.equal(bad({ botToken: `${token}\n\n  ` }), true, 'trailing whitespace of a token file is trimmed');
});
