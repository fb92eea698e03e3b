import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { buildRelay, relayService } from '../../src/relay/index.js';
import { alert, payload } from '../helpers/alerts.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

// The rule pack's AlertpathRelayHeartbeatFailing reads this counter. Only Watchdog is sent, so
// the route's Discord webhook is never contacted.

let deadman: Receiver;
before(async () => {
  deadman = await startReceiver();
});
after(() => deadman.close());

test('a failed heartbeat ping counts in alertpath_relay_heartbeat_failures_total{route}; a good one does not', async () => {
  const config = relayConfigSchema.parse({
    routes: { default: { discord: { webhookUrl: 'https://discord.com/api/webhooks/1/never-called' } } },
    heartbeat: { url: `${deadman.url}/ping/watchdog` },
    delivery: { deadline: '300ms' },
  });
  const app = relayService(buildRelay(config, { logger: silentLogger(), processMetrics: false }));
  const post = () =>
    app.request('/webhook', {
      method: 'POST',
      body: JSON.stringify(payload([alert({ alertname: 'Watchdog' })])),
    });
  const failures = async () => {
    const text = await (await app.request('/metrics')).text();
    const line = text.split('\n').find((l) => l.startsWith('alertpath_relay_heartbeat_failures_total{'));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };

  assert.equal((await post()).status, 200);
  assert.equal(await failures(), 0);

  deadman.status = 500;
  try {
    assert.equal((await post()).status, 503);
    assert.equal((await post()).status, 503);
  } finally {
    deadman.status = 200;
  }
  const text = await (await app.request('/metrics')).text();
  assert.match(text, /^alertpath_relay_heartbeat_failures_total\{route="default"\} 2$/m);
  assert.equal(await failures(), 2);
});
