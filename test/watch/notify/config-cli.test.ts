import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { CLEAN_ENV } from './live-rig.js';

/** Bad channel config stops `alertpath watch` at start: exit 2, one `FILE:LINE:COL: message` line. */

async function start(yaml: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'watch-channel-cfg-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const config = join(dir, 'watch.yaml');
  writeFileSync(config, yaml);
  const r = await runCli(['watch', '--config', config, '--data', dir, '--listen', '127.0.0.1:0'], {
    env: CLEAN_ENV,
  });
  return { ...r, config };
}

test('an unknown channel type: exit 2 at its line and column, naming the known types', async () => {
  const r = await start('channels:\n  phone:\n    type: pager\n');
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(r.stderr.startsWith(`${r.config}:3:11: channels.phone.type:`), r.stderr);
  assert.match(r.stderr, /telegram.*pushover.*gotify.*matrix.*pagerduty/);
});

test('a missing secret file: exit 2 at the ...File key', async () => {
  const r = await start(
    'channels:\n  chat:\n    type: telegram\n    botTokenFile: ./missing-token\n    chatId: 1\n',
  );
  assert.equal(r.code, 2);
  assert.ok(
    r.stderr.startsWith(`${r.config}:4:19: cannot read botTokenFile "./missing-token": ENOENT`),
    r.stderr,
  );
});

test('a secret file with only whitespace: exit 2; trailing newlines and spaces are trimmed otherwise', async () => {
  const r = await start(
    `channels:\n  push:\n    type: gotify\n    url: https://push.example.net\n    tokenFile: ./token\n`,
    { token: ' \n\n' },
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /:5:\d+: tokenFile "\.\/token" is empty \(after trimming trailing whitespace\)$/m);
});

test('a webhook to file:// or a mistyped scheme: exit 2 at the URL', async () => {
  const r = await start('channels:\n  hook: { type: webhook, down: { url: "file:///etc/passwd" } }\n');
  assert.equal(r.code, 2);
  assert.ok(
    r.stderr.startsWith(
      `${r.config}:2:39: channels.hook.down.url: expected an http:// or https:// URL, not file:`,
    ),
    r.stderr,
  );
  const typo = await start(
    'channels:\n  hook: { type: webhook, up: { url: "htps://hooks.example.net/x" } }\n',
  );
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /channels\.hook\.up\.url: expected an http/);
});

test('a channel URL carrying a token is never echoed in the error', async () => {
  const r = await start('channels:\n  team: { type: slack, webhookUrlFile: ./slack }\n', {
    slack: 'hooks.slack.com/services/T000/B000/SECRETTOKEN\n',
  });
  assert.equal(r.code, 2);
  assert.ok(!r.stderr.includes('SECRETTOKEN'), r.stderr);
});
