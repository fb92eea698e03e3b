import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli, waitForOutput } from '../../helpers/cli.js';
import { eventually, freePort } from '../../helpers/ports.js';
import { CLEAN_ENV } from './live-rig.js';

/**
 * Issue 16, item 7: `kill -9` while a notification is being sent. The restarted watch sends it
 * again within seconds; it does not wait out a 60 s lease (nor send it twice later).
 */

const CHECK = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

test('kill -9 mid-send: the restarted watch sends the page again at once', async () => {
  const arrivals: number[] = [];
  let holdFirst = true;
  const server = createServer((req, res) => {
    req.resume();
    arrivals.push(Date.now());
    if (holdFirst) {
      holdFirst = false;
      return; // the first try hangs: watch is killed while it waits
    }
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const dir = mkdtempSync(join(tmpdir(), 'watch-kill-'));
  const port = await freePort();
  const config = join(dir, 'watch.yaml');
  writeFileSync(
    config,
    [
      'apiKeys: [{ name: t, key: kill-test-key-0123456789 }]',
      `channels: { hook: { type: webhook, down: { url: "${hook}", method: POST, body: down } } }`,
      `checks: [{ name: job, uuid: ${CHECK}, period: 1h, grace: 1h, channels: [hook] }]`,
    ].join('\n'),
  );
  const args = ['watch', '--config', config, '--data', dir, '--listen', `127.0.0.1:${port}`];
  const children: ChildProcess[] = [];
  try {
    const first = startCli(args, { env: CLEAN_ENV });
    children.push(first);
    await waitForOutput(first, /serving/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/ping/${CHECK}/fail`)).status, 200);
    await eventually(() => arrivals.length === 1, 10_000, 'the first try');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = startCli(args, { env: CLEAN_ENV });
    children.push(second);
    await waitForOutput(second, /serving/);
    const restartedAt = Date.now();
    await eventually(() => arrivals.length >= 2, 15_000, 'the page sent again');
    const late = (arrivals[1] ?? 0) - restartedAt;
    assert.ok(late < 5000, `sent again ${late} ms after the restart (a 60 s lease before)`);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(arrivals.length, 2, 'and only once');
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
