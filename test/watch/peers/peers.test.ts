import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError } from '../../../src/lib/config.js';
import { loadWatchConfig } from '../../../src/watch/config.js';
import { startHungEndpoint } from '../../fakes/hung.js';
import { eventually } from '../../helpers/ports.js';
import { type Receiver, startReceiver } from '../../helpers/receiver.js';
import { API_KEY, liveRig } from '../notify/live-rig.js';

/** Peers in one process: the peer check, the ping route, a peer that never answers, config errors. */

const READ_ONLY = 'peer-read-only-key-0123456789';

interface CheckJson {
  name: string;
  status: string;
  tags: string;
  managed: boolean;
  uuid: string;
}

async function checks(rig: { request(p: string): Promise<Response> }): Promise<CheckJson[]> {
  return ((await (await rig.request('/api/v3/checks/')).json()) as { checks: CheckJson[] }).checks;
}

function peerConfig(receiver: Receiver, peerUrl: string, secret: (n: string, v: string) => string) {
  return [
    'name: site-a',
    `apiKeys: [{ name: test, key: ${API_KEY} }, { name: site-b, key: ${READ_ONLY}, readOnly: true }]`,
    'channels:',
    `  hook: { type: webhook, down: { url: "${receiver.url}/down/$NAME" }, up: { url: "${receiver.url}/up/$NAME" } }`,
    'defaults: { channels: [hook] }',
    'checks:',
    '  - { name: backup, period: 1h, grace: 1h }',
    'peers:',
    `  - { name: site-b, url: "${peerUrl}", apiKeyFile: ${secret('b-key', 'key-of-site-b\n')}, period: 1s, grace: 1s, timeout: 500ms }`,
  ].join('\n');
}

test('a peer that never answers: its check goes down and pages; pings, API and the rest keep working', async () => {
  const receiver = await startReceiver();
  const hole = await startHungEndpoint();
  const rig = await liveRig({ config: (secret) => peerConfig(receiver, hole.url, secret) });
  try {
    const peer = (await checks(rig)).find((c) => c.name === 'peer-site-b');
    assert.equal(peer?.managed, true);
    assert.equal(peer?.tags, 'peer');
    // Never pinged by the peer: down after period + grace from the start, paged once.
    await eventually(() => receiver.requests.some((r) => r.path === '/down/peer-site-b'), 10_000, 'the page');
    assert.equal((await checks(rig)).find((c) => c.name === 'peer-site-b')?.status, 'down');
    // This instance still pings its peer every period, each try bounded by the timeout.
    await eventually(() => hole.requests.length >= 3, 10_000, 'repeated pings to the peer');
    assert.ok(
      hole.openConnections() <= 3,
      `no pile-up of connections to the dead peer (${hole.openConnections()} open)`,
    );
    // Nothing else broke.
    const backup = (await checks(rig)).find((c) => c.name === 'backup');
    const ping = await rig.request(`/ping/${backup?.uuid}`);
    assert.equal(ping.status, 200);
    assert.equal((await rig.request('/healthz')).status, 200);
    assert.equal(receiver.requests.filter((r) => r.path === '/down/peer-site-b').length, 1, 'paged once');
  } finally {
    await rig.close();
    await hole.close();
    await receiver.close();
  }
});

test('the peer ping route: any key of this instance (read-only too) keeps the peer check up; it pages up', async () => {
  const receiver = await startReceiver();
  const hole = await startHungEndpoint();
  const rig = await liveRig({ config: (secret) => peerConfig(receiver, hole.url, secret) });
  const ping = (name: string, key: string | undefined) =>
    rig.request(`/api/v3/peers/${name}/ping`, {
      method: 'POST',
      headers: key === undefined ? {} : { 'x-api-key': key },
    });
  try {
    const res = await ping('site-b', READ_ONLY);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { peer: 'site-b', check: 'peer-site-b', status: 'up' });
    assert.equal((await ping('site-b', 'wrong-key-000000000000')).status, 401);
    const missing = await rig.request('/api/v3/peers/site-b/ping', {
      method: 'POST',
      headers: { 'x-api-key': '' },
    });
    assert.equal(missing.status, 401);
    assert.equal((await ping('site-c', API_KEY)).status, 404);
    assert.equal((await ping('backup', API_KEY)).status, 404, 'a check that is not a peer check');
    // Silent: down; pinged again: up, both paged.
    await eventually(
      () => receiver.requests.some((r) => r.path === '/down/peer-site-b'),
      10_000,
      'the down page',
    );
    assert.equal((await ping('site-b', READ_ONLY)).status, 200);
    await eventually(
      () => receiver.requests.some((r) => r.path === '/up/peer-site-b'),
      10_000,
      'the up page',
    );
  } finally {
    await rig.close();
    await hole.close();
    await receiver.close();
  }
});

test('peer config: needs a name, unique peers, no clash with checks, known channels, http(s) URLs', () => {
  const fake = z.object({ type: z.literal('fake') }).strict();
  const problems = (yaml: string) => {
    const file = `/tmp/watch-peers-${process.pid}-${Math.random().toString(36).slice(2)}.yaml`;
    writeFileSync(file, yaml);
    try {
      loadWatchConfig(file, fake, {});
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
    }
  };
  const peer = (extra = '') =>
    `  - { name: site-b, url: "https://b.example.net", apiKey: k, period: 1m, grace: 5m${extra} }`;
  assert.deepEqual(problems(['name: site-a', 'peers:', peer()].join('\n')), []);
  assert.match(problems(['peers:', peer()].join('\n'))[0] ?? '', /^2:3: peers: set name:/);
  assert.match(problems(['name: site-b', 'peers:', peer()].join('\n'))[0] ?? '', /own name/);
  assert.match(
    problems(['name: a', 'peers:', peer(), peer()].join('\n'))[0] ?? '',
    /^4:\d+: .*duplicate peer/,
  );
  assert.match(
    problems(['name: a', 'checks: [{ name: peer-site-b, period: 1m }]', 'peers:', peer()].join('\n'))[0] ??
      '',
    /has the name of a check/,
  );
  assert.match(
    problems(['name: a', 'peers:', peer(', channels: [nope]')].join('\n'))[0] ?? '',
    /no channel named "nope"/,
  );
  assert.match(
    problems(['name: a', 'peers:', '  - { name: b, url: "file:///x", apiKey: k }'].join('\n'))[0] ?? '',
    /^3:\d+: peers\.0\.url: expected an http/,
  );
  assert.match(problems(['name: Site A', 'peers: []'].join('\n'))[0] ?? '', /^1:\d+: name: use 1–60/);
  assert.match(problems(['name: a', 'peers:', peer(', timeout: 2m')].join('\n'))[0] ?? '', /timeout/);
});
