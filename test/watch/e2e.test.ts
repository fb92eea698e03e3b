import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { silentLogger } from '../../src/lib/log.js';
import type { ChannelModule } from '../../src/watch/channels.js';
import { startWatch } from '../../src/watch/index.js';
import { startReceiver } from '../helpers/receiver.js';

/**
 * End to end on real sockets: a check that stops being pinged pages an HTTP endpoint within a
 * second of its deadline. The channel here is a minimal HTTP POST transport injected through the
 * channel seam (the webhook channel type proper is tested with the notify module).
 */
function httpPostChannels(): ChannelModule {
  return {
    channelConfigSchema: z.object({ type: z.literal('post'), url: z.string() }).strict(),
    createTransport(name, config) {
      const url = (config as unknown as { url: string }).url;
      return {
        name,
        type: 'post',
        async send(n, signal) {
          const res = await fetch(url, {
            method: 'POST',
            body: JSON.stringify({ event: n.event, text: n.text }),
            signal,
          });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        },
      };
    },
  };
}

test('a check that stops being pinged pages the receiver within a second of its deadline', async () => {
  const receiver = await startReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'watch-e2e-'));
  const configFile = join(dir, 'watch.yaml');
  writeFileSync(
    configFile,
    [
      `channels: { hook: { type: post, url: "${receiver.url}/hook" } }`,
      'defaults: { channels: [hook] }',
      'apiKeys: [{ name: t, key: e2e-key-0123456789abcdef }]',
      'checks:',
      '  - { name: heartbeat, uuid: 3f0c2a9e-5b1d-4e7f-8a6c-9d2e1f4b7a30, period: 1s, grace: 1s }',
      '',
    ].join('\n'),
  );
  const { service, watch } = await startWatch(
    { configFile, dataDir: dir, listen: '127.0.0.1:0', env: {} },
    { logger: silentLogger(), channels: httpPostChannels(), handleSignals: false, processMetrics: false },
  );
  try {
    const sentAt = Date.now();
    const res = await fetch(`${service.url}/ping/3f0c2a9e-5b1d-4e7f-8a6c-9d2e1f4b7a30`);
    assert.equal(await res.text(), 'OK');
    await receiver.waitFor(1, 10_000);
    const arrived = Date.now();
    // The deadline is last ping + period + grace, and the last ping came after `sentAt`.
    const delay = arrived - (sentAt + 2000);
    assert.ok(delay < 1000, `paged ${delay} ms after the deadline`);
    const body = JSON.parse(receiver.requests[0]?.body ?? '{}') as { event: string; text: string };
    assert.equal(body.event, 'down');
    assert.match(body.text, /^🔴 DOWN heartbeat: no ping for 2s \(expected every 1s, grace 1s\); last ping /);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(metrics, /alertpath_watch_alert_delay_seconds_count 1/);
    assert.match(metrics, /alertpath_watch_notifications_total\{channel="hook",outcome="sent"\} 1/);
    assert.match(metrics, /alertpath_watch_check_status\{check="heartbeat",status="down"\} 1/);
  } finally {
    await service.drain();
    await receiver.close();
  }
  assert.equal(await watch.store.healthy(), false, 'the drain closed the store');
});
