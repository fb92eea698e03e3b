import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';
import { collect, startCli, waitForOutput } from '../helpers/cli.js';
import { eventually } from '../helpers/ports.js';

test('on SIGTERM /readyz turns 503 at once, an in-flight delivery completes, and the process exits 0', async (t) => {
  const discord = await new FakeDiscord({ limit: 100, latencyMs: 1500 }).start();
  t.after(() => discord.close());
  const webhookUrl = discord.webhook();
  const dir = mkdtempSync(join(tmpdir(), 'relay-drain-'));
  const file = join(dir, 'relay.yaml');
  writeFileSync(
    file,
    `listen: 127.0.0.1:0\nroutes:\n  default:\n    discord:\n      webhookUrl: \${HOOK}\ndelivery:\n  drainGrace: 1s\n`,
  );
  const child = startCli(['relay', '--config', file], { env: { HOOK: webhookUrl } });
  const done = collect(child);
  const line = await waitForOutput(child, /relay ready on http:\/\/[^"\s]+/);
  const base = /http:\/\/[^"\s]+/.exec(line)?.[0] ?? '';
  assert.equal((await fetch(`${base}/readyz`)).status, 200);

  const inFlight = fetch(`${base}/webhook`, {
    method: 'POST',
    body: JSON.stringify(payload([alert({ alertname: 'Slow' })])),
  });
  await eventually(() => discord.received > 0, 5000, 'the delivery to be in flight');
  child.kill('SIGTERM');
  await eventually(async () => (await fetch(`${base}/readyz`)).status === 503, 2000, '/readyz to turn 503');

  const res = await inFlight;
  assert.equal(res.status, 200, 'the in-flight notification was delivered');
  assert.equal(discord.list(webhookUrl).length, 1);
  const exit = await done;
  assert.equal(exit.code, 0);
});
