import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startCli, waitForOutput } from '../../helpers/cli.js';
import { eventually, freePort } from '../../helpers/ports.js';
import { startReceiver } from '../../helpers/receiver.js';
import { CLEAN_ENV } from '../notify/live-rig.js';

/**
 * Two real `alertpath watch` processes, each with its own SQLite store, watching each other.
 * One is killed with SIGKILL: the other pages through its own channel. It is started again on
 * the same data: the other pages it up, and the restarted one does not page its (healthy) peer.
 */

interface Site {
  name: string;
  port: number;
  dir: string;
  key: string;
}

function writeConfig(me: Site, peer: Site, hooks: string): string {
  const keyFile = join(me.dir, 'peer.key');
  writeFileSync(keyFile, `${peer.key}\n`);
  const file = join(me.dir, 'watch.yaml');
  writeFileSync(
    file,
    [
      `name: ${me.name}`,
      `baseUrl: http://127.0.0.1:${me.port}`,
      `apiKeys: [{ name: admin, key: admin-${me.key} }, { name: ${peer.name}, key: ${me.key}, readOnly: true }]`,
      'channels:',
      `  hook: { type: webhook, down: { url: "${hooks}/${me.name}/down/$NAME" }, up: { url: "${hooks}/${me.name}/up/$NAME" } }`,
      'defaults: { channels: [hook] }',
      'peers:',
      `  - { name: ${peer.name}, url: "http://127.0.0.1:${peer.port}", apiKeyFile: ${keyFile}, period: 1s, grace: 6s }`,
      '',
    ].join('\n'),
  );
  return file;
}

function start(site: Site, config: string): ChildProcess {
  return startCli(['watch', '--config', config, '--data', site.dir, '--listen', `127.0.0.1:${site.port}`], {
    env: CLEAN_ENV,
  });
}

async function peerStatus(site: Site, peer: string): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${site.port}/api/v3/checks/?slug=peer-${peer}`, {
    headers: { 'x-api-key': `admin-${site.key}` },
  });
  const body = (await res.json()) as { checks: Array<{ status: string }> };
  return body.checks[0]?.status;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
  );
}

test('two sites watch each other: kill -9 one, the other pages; restart it, the other pages up', async () => {
  const hooks = await startReceiver();
  const a: Site = {
    name: 'site-a',
    port: await freePort(),
    dir: mkdtempSync(join(tmpdir(), 'site-a-')),
    key: 'key-a-0123456789abcdef',
  };
  const b: Site = {
    name: 'site-b',
    port: await freePort(),
    dir: mkdtempSync(join(tmpdir(), 'site-b-')),
    key: 'key-b-0123456789abcdef',
  };
  const configA = writeConfig(a, b, hooks.url);
  const configB = writeConfig(b, a, hooks.url);
  const children: ChildProcess[] = [];
  const paths = () => hooks.requests.map((r) => r.path);
  try {
    const procA = start(a, configA);
    children.push(procA);
    let procB = start(b, configB);
    children.push(procB);
    await Promise.all([waitForOutput(procA, /serving/), waitForOutput(procB, /serving/)]);
    await eventually(
      async () => (await peerStatus(a, 'site-b')) === 'up' && (await peerStatus(b, 'site-a')) === 'up',
      20_000,
      'both peer checks up',
    );
    const before = hooks.requests.length;

    assert.ok(procB.pid, 'site-b has a pid');
    process.kill(procB.pid as number, 'SIGKILL');
    await exited(procB);
    await eventually(
      () => paths().slice(before).includes('/site-a/down/peer-site-b'),
      20_000,
      'site-a pages site-b down',
    );
    assert.equal(await peerStatus(a, 'site-b'), 'down');

    const restartAt = hooks.requests.length;
    procB = start(b, configB);
    children.push(procB);
    let restartedLog = '';
    procB.stdout?.on('data', (d: Buffer) => {
      restartedLog += d.toString('utf8');
    });
    await waitForOutput(procB, /serving/);
    await eventually(
      () => paths().slice(restartAt).includes('/site-a/up/peer-site-b'),
      20_000,
      'site-a pages site-b up',
    );
    // The restarted site had missed site-a's pings while it was dead: it gives its peer a fresh
    // period + grace instead of paging it down at start. Watch it for longer than that window
    // (grace 6 s: pings a loaded machine delays by seconds are late, not missing). Late is
    // 'grace', which pages nobody; only 'down' would.
    await new Promise((r) => setTimeout(r, 8000));
    assert.notEqual(await peerStatus(b, 'site-a'), 'down');
    assert.ok(
      !paths().includes('/site-b/down/peer-site-a'),
      `site-b never paged site-a: ${paths().join(', ')}\nthe restarted site-b logged:\n${restartedLog}`,
    );
    assert.equal(paths().filter((p) => p === '/site-a/down/peer-site-b').length, 1, 'paged down once');
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(children.map(exited));
    await hooks.close();
  }
});
