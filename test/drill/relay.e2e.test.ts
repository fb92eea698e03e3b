import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { startRelay } from '../../src/relay/index.js';
import { FakeDiscord } from '../fakes/discord.js';
import { missingBinaryMessage, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/ports.js';
import {
  alertmanagerBinary,
  CHECK_UUID,
  drillArgs,
  fireWatchdog,
  startAlertmanagers,
  startWatchRig,
  waitUntilUp,
} from './rig.js';

/**
 * The `--test-alert` leg end to end: the drill posts AlertpathDrill to a real Alertmanager,
 * which routes it to a real relay (bearer auth), which posts it to (fake) Discord; the drill
 * confirms it through the relay's `GET /deliveries?drill_id=`, then resolves it.
 */

const skip = alertmanagerBinary ? false : missingBinaryMessage('Alertmanager', 'prometheus-alertmanager');

test('--test-alert --relay: delivered to Discord, confirmed by the relay, resolved', { skip }, async (t) => {
  const discord = await new FakeDiscord().start();
  const webhookUrl = discord.webhook();
  const relay = await startRelay(
    relayConfigSchema.parse({
      listen: '127.0.0.1:0',
      auth: { bearerToken: 'relay-token' },
      routes: { default: { discord: { webhookUrl } } },
      delivery: { drainGrace: 0 },
    }),
    { logger: silentLogger(), handleSignals: false },
  );
  const rig = await startWatchRig();
  const nodes = await startAlertmanagers(`${rig.url}/ping/${CHECK_UUID}`, {
    relayUrl: relay.url,
    relayToken: 'relay-token',
  });
  t.after(async () => {
    for (const n of nodes) await n.stop();
    await rig.close();
    await relay.drain();
    await discord.close();
  });
  await fireWatchdog(nodes);
  await waitUntilUp(rig);
  const tokenFile = join(rig.dir, 'relay-token');
  writeFileSync(tokenFile, 'relay-token\n');
  const base = [...drillArgs(rig, nodes), '--preflight-only', '--test-alert', '--relay', relay.url];

  const result = await runCli([...base, '--relay-bearer-file', tokenFile, '--format', 'json'], {
    timeoutMs: 60_000,
  });
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  const report = JSON.parse(result.stdout) as {
    runId: string;
    verdict: string;
    steps: Array<{ name: string; ok: boolean; detail: string }>;
  };
  assert.deepEqual(report.steps.map((s) => s.name).slice(-3), [
    'test-alert',
    'relay-delivery',
    'resolve-test-alert',
  ]);
  assert.ok(report.steps.every((s) => s.ok));
  assert.match(
    report.steps.find((s) => s.name === 'relay-delivery')?.detail ?? '',
    /delivered it to Discord \(route default, receiver relay\)/,
  );
  assert.match(report.verdict, /^preflight passed: .*; test alert delivered to Discord after \d+(ms|s)$/);

  const messages = discord.list(webhookUrl);
  assert.ok(
    messages.some((m) => /AlertpathDrill/.test(JSON.stringify(m))),
    'the test alert reached Discord',
  );
  // Resolved: Alertmanager sends the resolution (send_resolved), the relay delivers and records it.
  await eventually(
    async () => {
      const res = await fetch(`${relay.url}/deliveries?drill_id=${report.runId}`, {
        headers: { authorization: 'Bearer relay-token' },
      });
      const body = (await res.json()) as { deliveries: Array<{ status: string }> };
      return body.deliveries.some((d) => d.status === 'resolved');
    },
    20_000,
    'the resolved test alert to be delivered',
  );
  const alerts = (await (
    await fetch(`${nodes[0]?.url}/api/v2/alerts?filter=drill_id%3D%22${report.runId}%22`)
  ).json()) as unknown[];
  assert.deepEqual(alerts, [], 'Alertmanager no longer has the test alert active');

  const noToken = await runCli(base, { timeoutMs: 60_000 });
  assert.equal(noToken.code, 1, noToken.stdout);
  assert.match(
    noToken.stderr,
    /^alertpath: the relay http:\/\/127\.0\.0\.1:\d+ refused the credentials \(HTTP 401: authorization required\)/,
  );
  assert.match(noToken.stdout, /ok {4}resolve-test-alert/);
});
