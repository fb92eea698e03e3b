import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';
import { collect, runCli, startCli, waitForOutput } from '../helpers/cli.js';

const noDiscordEnv = { DISCORD_WEBHOOK_URL: '', DISCORD_WEBHOOK_URL_FILE: '' };

test('with no Discord URL at all the relay exits 2 and names the missing setting', async () => {
  const r = await runCli(['relay'], { env: noDiscordEnv });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /DISCORD_WEBHOOK_URL/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('an invalid config exits 2 with FILE:LINE:COL for each problem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'relay-cfg-'));
  const file = join(dir, 'relay.yaml');
  writeFileSync(
    file,
    [
      'routes:',
      '  default:',
      '    discord:',
      '      webhookUrl: https://discord.com/api/webhooks/1/tok',
      '      username: My Discord Bot',
      'delivery:',
      '  deadline: soon',
      '',
    ].join('\n'),
  );
  const r = await runCli(['relay', '--config', file], { env: noDiscordEnv });
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', new RegExp(`^${file}:5:17: routes\\.default\\.discord\\.username: .*discord`));
  assert.match(lines[1] ?? '', new RegExp(`^${file}:7:13: delivery\\.deadline: expected a duration`));
});

test('zero-config: DISCORD_WEBHOOK_URL_FILE alone serves, delivers, and logs the URL redacted', async () => {
  const discord = await new FakeDiscord({ limit: 100 }).start();
  const dir = mkdtempSync(join(tmpdir(), 'relay-secret-'));
  const url = discord.webhook();
  writeFileSync(join(dir, 'hook'), `${url}\n`);
  const child = startCli(['relay', '--listen', '127.0.0.1:0'], {
    env: { ...noDiscordEnv, DISCORD_WEBHOOK_URL_FILE: join(dir, 'hook') },
  });
  const done = collect(child);
  try {
    const line = await waitForOutput(child, /relay ready on (http:\/\/[^"\s]+)/);
    const base = /http:\/\/[^"\s]+/.exec(line)?.[0] ?? '';
    const res = await fetch(`${base}/webhook`, {
      method: 'POST',
      body: JSON.stringify(payload([alert({ alertname: 'A' })])),
    });
    assert.equal(res.status, 200);
    assert.equal(discord.list(url).length, 1);
  } finally {
    child.kill('SIGTERM');
    const out = await done;
    const token = url.split('/').pop() ?? '';
    assert.ok(!out.stdout.includes(token), 'the webhook token never reaches the log');
    await discord.close();
  }
});
