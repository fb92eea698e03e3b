import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { buildRelay, relayService } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';
import { collect, runCli, startCli, waitForOutput } from '../helpers/cli.js';
import { startReceiver } from '../helpers/receiver.js';

// Issue 16, item 4: a token file with more than one trailing newline, or a trailing space, locked
// everyone out (every request with the right token got 401). Item 6: a failed heartbeat's 503
// body carried the full /ping/<uuid> URL, which Alertmanager logs.

const noDiscordEnv = { DISCORD_WEBHOOK_URL: '', DISCORD_WEBHOOK_URL_FILE: '' };
const TOKEN = 'relay-token-0123456789';

function relayConfig(dir: string, tokenFileContent: string, webhook: string): string {
  writeFileSync(join(dir, 'token'), tokenFileContent);
  const file = join(dir, 'relay.yaml');
  writeFileSync(
    file,
    [
      'auth:',
      '  bearerTokenFile: token',
      'routes:',
      '  default:',
      '    discord:',
      `      webhookUrl: ${webhook}`,
      'delivery:',
      '  drainGrace: 100ms',
      '',
    ].join('\n'),
  );
  return file;
}

for (const [what, content] of [
  ['two trailing newlines', `${TOKEN}\n\n`],
  ['a trailing space', `${TOKEN} `],
  ['CRLF and spaces', `${TOKEN}\r\n  \r\n`],
] as const) {
  test(`relay: a token file with ${what} accepts the right token and names the auth at start-up`, async () => {
    const discord = await new FakeDiscord({ limit: 100 }).start();
    const dir = mkdtempSync(join(tmpdir(), 'relay-token-'));
    const file = relayConfig(dir, content, discord.webhook());
    const child = startCli(['relay', '--config', file, '--listen', '127.0.0.1:0'], { env: noDiscordEnv });
    const done = collect(child);
    try {
      const line = await waitForOutput(child, /relay ready on (http:\/\/[^"\s]+)/);
      const base = /http:\/\/[^"\s]+/.exec(line)?.[0] ?? '';
      const post = (token: string) =>
        fetch(`${base}/webhook`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          body: JSON.stringify(payload([alert({ alertname: 'A' })])),
        });
      assert.equal((await post(TOKEN)).status, 200);
      assert.equal((await post(`${TOKEN}x`)).status, 401);
    } finally {
      child.kill('SIGTERM');
      const out = await done;
      assert.match(out.stdout, /"msg":"auth: bearer token from token"/);
      assert.ok(!out.stdout.includes(TOKEN) && !out.stderr.includes(TOKEN), 'the token is never logged');
      await discord.close();
    }
  });
}

test('relay: basic auth with a passwordFile ending in newlines accepts the right password', async () => {
  const discord = await new FakeDiscord({ limit: 100 }).start();
  const dir = mkdtempSync(join(tmpdir(), 'relay-basic-'));
  writeFileSync(join(dir, 'pw'), 's3cret-pass\r\n\n');
  const file = join(dir, 'relay.yaml');
  writeFileSync(
    file,
    [
      'auth:',
      '  basic: { username: am, passwordFile: pw }',
      'routes:',
      `  default: { discord: { webhookUrl: "${discord.webhook()}" } }`,
      'delivery: { drainGrace: 100ms }',
      '',
    ].join('\n'),
  );
  const child = startCli(['relay', '--config', file, '--listen', '127.0.0.1:0'], { env: noDiscordEnv });
  const done = collect(child);
  try {
    const line = await waitForOutput(child, /relay ready on (http:\/\/[^"\s]+)/);
    const base = /http:\/\/[^"\s]+/.exec(line)?.[0] ?? '';
    const post = (password: string) =>
      fetch(`${base}/webhook`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`am:${password}`).toString('base64')}` },
        body: JSON.stringify(payload([alert({ alertname: 'A' })])),
      });
    assert.equal((await post('s3cret-pass')).status, 200);
    assert.equal((await post('s3cret-pass\n')).status, 401);
  } finally {
    child.kill('SIGTERM');
    const out = await done;
    assert.match(out.stdout, /"msg":"auth: basic \(user am, password from pw\)"/);
    assert.ok(!out.stdout.includes('s3cret-pass'), 'the password is never logged');
    await discord.close();
  }
});

/** Starts the relay on a config whose token file holds `content`; it must exit 2 with one line. */
async function refusedTokenFile(content: string): Promise<{ file: string; line: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'relay-token-'));
  const file = relayConfig(dir, content, 'https://discord.com/api/webhooks/1/never-called');
  const r = await runCli(['relay', '--config', file, '--listen', '127.0.0.1:0'], { env: noDiscordEnv });
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  return { file, line: lines[0] ?? '', stderr: r.stderr };
}

test('relay: a token file that is empty after trimming exits 2 with one line naming the file', async () => {
  const { file, line } = await refusedTokenFile(' \n\n');
  assert.match(
    line,
    new RegExp(`^${file}:2:\\d+: bearerTokenFile "token" is empty \\(after trimming trailing whitespace\\)$`),
  );
});

test('relay: a token file with a line break inside the token exits 2 with one line (no header can carry it)', async () => {
  const { line, stderr } = await refusedTokenFile(`${TOKEN}\nsecond-line\n`);
  assert.match(line, /auth\.bearerToken: a secret sent in a header is one line with no control characters$/);
  assert.ok(!stderr.includes(TOKEN), 'the token is never printed');
});

test('relay: DISCORD_WEBHOOK_URL_FILE that is only whitespace exits 2 naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-hook-'));
  writeFileSync(join(dir, 'hook'), '\n\n');
  const r = await runCli(['relay'], {
    env: { ...noDiscordEnv, DISCORD_WEBHOOK_URL_FILE: join(dir, 'hook') },
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr.trim(),
    /DISCORD_WEBHOOK_URL_FILE ".*hook" is empty \(after trimming trailing whitespace\)$/,
  );
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('relay: the 503 of a failed heartbeat never carries the ping uuid or key', async () => {
  const deadman = await startReceiver();
  deadman.status = 500;
  const uuid = '5f0c9a3e-8d4b-4f6e-9a1c-2b3d4e5f6a7b';
  try {
    for (const path of [
      `/ping/${uuid}`,
      `/ping/${uuid}/fail`,
      '/ping/Ab3dEf9hIjKlMnOpQrStUv/relay-watchdog',
    ]) {
      const config = relayConfigSchema.parse({
        routes: { default: { discord: { webhookUrl: 'https://discord.com/api/webhooks/1/never-called' } } },
        heartbeat: { url: `${deadman.url}${path}` },
        delivery: { deadline: '300ms' },
      });
      const app = relayService(buildRelay(config, { logger: silentLogger(), processMetrics: false }));
      const res = await app.request('/webhook', {
        method: 'POST',
        body: JSON.stringify(payload([alert({ alertname: 'Watchdog' })])),
      });
      assert.equal(res.status, 503);
      const body = await res.text();
      assert.match(body, /\/ping\/\*\*\*/, body);
      assert.ok(!body.includes(uuid) && !body.includes('Ab3dEf9hIjKlMnOpQrStUv'), body);
    }
  } finally {
    await deadman.close();
  }
});

for (const bad of [
  'file:///etc/passwd',
  'https://discord.com/api/webhook/1/typo',
  'ftp://discord.com/api/webhooks/1/t',
]) {
  test(`relay: webhook URL ${bad} is refused at load: exit 2 with FILE:LINE:COL`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-hook-'));
    const file = join(dir, 'relay.yaml');
    writeFileSync(file, `routes:\n  default:\n    discord:\n      webhookUrl: ${bad}\n`);
    const r = await runCli(['relay', '--config', file, '--listen', '127.0.0.1:0'], { env: noDiscordEnv });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr.trim(),
      new RegExp(
        `^${file}:4:\\d+: routes\\.default\\.discord\\.webhookUrl: Discord webhook URL must look like https://discord\\.com/api/webhooks/<id>/<token>$`,
      ),
    );
  });
}
