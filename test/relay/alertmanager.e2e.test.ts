import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { startRelay } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { findBinary, missingBinaryMessage } from '../helpers/cli.js';
import { eventually, freePort } from '../helpers/ports.js';
import { startReceiver } from '../helpers/receiver.js';

const alertmanager = findBinary('prometheus-alertmanager', 'alertmanager');

test('real Alertmanager → relay → fake Discord; Watchdog reaches the heartbeat URL and never the channel', {
  skip: alertmanager ? false : missingBinaryMessage('Alertmanager', 'prometheus-alertmanager'),
}, async (t) => {
  const discord = await new FakeDiscord().start();
  const deadman = await startReceiver();
  const webhookUrl = discord.webhook();
  const relay = await startRelay(
    relayConfigSchema.parse({
      listen: '127.0.0.1:0',
      routes: { default: { discord: { webhookUrl } } },
      heartbeat: { url: `${deadman.url}/ping/watchdog` },
      delivery: { drainGrace: 0 },
    }),
    { logger: silentLogger(), handleSignals: false },
  );
  const dir = mkdtempSync(join(tmpdir(), 'am-'));
  const amPort = await freePort();
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: relay
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: relay
      group_wait: 0s
      repeat_interval: 1m
receivers:
  - name: relay
    webhook_configs:
      - url: ${relay.url}/webhook
        send_resolved: true
`,
  );
  const am: ChildProcess = spawn(
    alertmanager as string,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
      `--web.external-url=http://127.0.0.1:${amPort}`,
    ],
    { stdio: 'ignore' },
  );
  t.after(async () => {
    am.kill('SIGKILL');
    await relay.drain();
    await discord.close();
    await deadman.close();
  });
  const amUrl = `http://127.0.0.1:${amPort}`;
  await eventually(async () => (await fetch(`${amUrl}/-/ready`)).ok, 20_000, 'Alertmanager to be ready');

  const post = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { labels: { alertname: 'Watchdog', severity: 'none' }, annotations: { summary: 'deadman' } },
      {
        labels: {
          alertname: 'KubePodCrashLooping',
          namespace: 'monitoring',
          pod: 'relay-0',
          severity: 'critical',
        },
        annotations: { description: 'Pod monitoring/relay-0 is crash looping' },
        generatorURL: 'http://prometheus:9090/graph',
      },
    ]),
  });
  assert.equal(post.status, 200);

  await eventually(
    () => discord.list(webhookUrl).length >= 1 && deadman.requests.length >= 1,
    20_000,
    'delivery',
  );
  const [message] = discord.list(webhookUrl);
  assert.equal(message?.embeds[0]?.title, '🔴 FIRING (1) KubePodCrashLooping [critical]');
  assert.match(message?.embeds[0]?.description ?? '', /Pod monitoring\/relay-0 is crash looping/);
  assert.match(
    message?.embeds[0]?.description ?? '',
    new RegExp(`\\[Silence\\]\\(http://127\\.0\\.0\\.1:${amPort}/#/silences/new`),
  );
  assert.equal(deadman.requests[0]?.path, '/ping/watchdog');
  assert.doesNotMatch(JSON.stringify(discord.list(webhookUrl)), /Watchdog/);
});
