import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, startCli, waitForOutput } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { startReceiver } from '../helpers/receiver.js';

/**
 * As a new user would try it: `alertpath watch` with one http probe against a local server. The
 * server is stopped: after failureThreshold failed probes the webhook channel is paged. The
 * server comes back: it is paged again.
 */
test('CLI: a stopped server pages the channel after failureThreshold probes, and again when it is back', async () => {
  const receiver = await startReceiver();
  const port = await freePort();
  const startSite = async (): Promise<Server> => {
    const s = createServer((_req, res) => res.writeHead(200).end('ok'));
    await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
    return s;
  };
  let site = await startSite();

  const dir = mkdtempSync(join(tmpdir(), 'watch-probe-cli-'));
  const config = join(dir, 'watch.yaml');
  writeFileSync(
    config,
    [
      'channels:',
      `  hook: { type: webhook, down: { url: "${receiver.url}/page", method: POST, body: "$STATUS $NAME" }, up: { url: "${receiver.url}/page", method: POST, body: "$STATUS $NAME" } }`,
      'defaults: { channels: [hook] }',
      'probes:',
      `  - { name: site, http: "http://127.0.0.1:${port}/", interval: 1s, timeout: 1s, failureThreshold: 2 }`,
      '',
    ].join('\n'),
  );
  const child = startCli(['watch', '--config', config, '--data', dir, '--listen', '127.0.0.1:0'], {
    env: { ALERTPATH_CONFIG: '', ALERTPATH_DATA: '', ALERTPATH_LISTEN: '', ALERTPATH_BASE_URL: '' },
  });
  const done = collect(child);
  try {
    await waitForOutput(child, /serving http/);
    // Up first (new → up pages nobody), then the server stops.
    await waitForOutput(child, /probe check is up/, 15_000);
    site.closeAllConnections();
    await new Promise<void>((r) => site.close(() => r()));
    const logged = waitForOutput(child, /probe check is down/, 15_000);
    await receiver.waitFor(1, 15_000);
    assert.equal(receiver.requests[0]?.body, 'down site');
    assert.match(await logged, /probe check is down/);

    site = await startSite();
    await receiver.waitFor(2, 15_000);
    assert.equal(receiver.requests[1]?.body, 'up site');
    assert.equal(receiver.requests.length, 2);
  } finally {
    child.kill('SIGTERM');
    const r = await done;
    site.closeAllConnections();
    site.close();
    await receiver.close();
    assert.equal(r.code, 0, r.stderr);
  }
});
