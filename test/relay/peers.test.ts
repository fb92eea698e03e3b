import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ConfigError, parseConfigText } from '../../src/lib/config.js';
import { silentLogger } from '../../src/lib/log.js';
import { relayConfigSchema } from '../../src/relay/config.js';
import { startRelay } from '../../src/relay/index.js';
import {
  discoverPeers,
  groupKeyOf,
  peersSchema,
  RelayState,
  type StateOp,
} from '../../src/relay/peers/index.js';
import { MAX_OPS, MAX_UPDATE_BYTES } from '../../src/relay/peers/protocol.js';
import { batchLength } from '../../src/relay/peers/replicator.js';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, payload } from '../helpers/alerts.js';
import { repoRoot } from '../helpers/cli.js';
import { ManualClock } from '../helpers/clock.js';
import { eventually } from '../helpers/ports.js';

const routes =
  'routes:\n  default:\n    discord:\n      webhookUrl: https://discord.com/api/webhooks/1/tok\n';

function load(peers: string, secrets: Record<string, string> = {}) {
  return parseConfigText(`${routes}peers:\n${peers}`, 'relay.yaml', relayConfigSchema, {
    readSecret: (p) => {
      const v = secrets[p];
      if (v === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return v;
    },
  });
}

test('peers: tokenFile is read and trimmed like every secret file', () => {
  const c = load('  dns: relay-peers.monitoring.svc.cluster.local\n  tokenFile: /t\n', {
    '/t': 'abcdefghijklmnopqrstuvwxyz\r\n\n',
  });
  assert.equal(c.peers?.token, 'abcdefghijklmnopqrstuvwxyz');
  assert.equal(c.peers?.refresh, 30_000);
});

test('peers: a missing token, both or neither of dns and urls, or a short token are config errors', () => {
  const problems = (peers: string, secrets: Record<string, string> = {}) => {
    try {
      load(peers, secrets);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
    assert.fail('expected a config error');
  };
  assert.match(problems('  dns: peers.local\n'), /relay\.yaml:\d+:\d+: peers: peers needs tokenFile/);
  assert.match(
    problems('  dns: a.local\n  urls: [http://x:1]\n  tokenFile: /t\n', { '/t': 'x'.repeat(20) }),
    /exactly one of dns/,
  );
  assert.match(problems('  tokenFile: /t\n', { '/t': 'x'.repeat(20) }), /exactly one of dns/);
  assert.match(problems('  dns: a.local\n  tokenFile: /t\n', { '/t': 'short' }), /at least 16 characters/);
  assert.match(problems('  dns: a.local\n  tokenFile: /t\n', { '/t': ' \n' }), /is empty/);
  assert.match(
    problems('  dns: "not a name!"\n  tokenFile: /t\n', { '/t': 'x'.repeat(20) }),
    /expected a DNS name/,
  );
});

test('discovery: A records become peer URLs, this host on its own port left out', async () => {
  const config = peersSchema.parse({ dns: 'peers.local', token: 'x'.repeat(16) });
  const found = await discoverPeers(
    config,
    9095,
    async () => ['10.0.0.7', '10.0.0.5', '10.0.0.5'],
    new Set(['10.0.0.7']),
  );
  assert.deepEqual(found, { urls: ['http://10.0.0.5:9095'] });
  const other = await discoverPeers(
    { ...config, port: 9100 },
    9095,
    async () => ['10.0.0.7'],
    new Set(['10.0.0.7']),
  );
  assert.deepEqual(other.urls, ['http://10.0.0.7:9100'], 'another port on this host is another replica');
  const gone = await discoverPeers(config, 9095, async () => {
    throw Object.assign(new Error('queryA ENOTFOUND'), { code: 'ENOTFOUND' });
  });
  assert.deepEqual(gone, { urls: [], error: 'no such name' });
  const listed = await discoverPeers(
    peersSchema.parse({ urls: ['http://127.0.0.1:9095/', 'http://127.0.0.1:9096'], token: 'x'.repeat(16) }),
    9095,
    async () => [],
    new Set(['127.0.0.1']),
  );
  assert.deepEqual(listed.urls, ['http://127.0.0.1:9096']);
});

test('state: local changes are handed on, peer changes applied without, TTLs kept across', () => {
  const clock = new ManualClock();
  const a = new RelayState(() => clock.now());
  const b = new RelayState(() => clock.now());
  const sent: StateOp[] = [];
  a.onChange = (op) => sent.push(op);
  b.onChange = () => assert.fail('applied changes are not handed on');
  const key = groupKeyOf('default', '{}:{alertname="X"}');
  assert.match(key, /^[A-Za-z0-9_-]{43}$/);
  a.setMessages(key, { ids: ['11', null], threadId: '99' });
  a.markChunk(`${key}:0`);
  b.apply(sent);
  assert.deepEqual(b.getMessages(key), { ids: ['11', null], threadId: '99' });
  assert.ok(b.hasChunk(`${key}:0`));

  clock.set(clock.now() + 9 * 60_000);
  const late = new RelayState(() => clock.now());
  late.load({ ...a.snapshot() });
  clock.set(clock.now() + 2 * 60_000);
  assert.ok(!late.hasChunk(`${key}:0`), 'a synced chunk keeps the time it had left, not a fresh 10 min');
  assert.ok(late.getMessages(key));

  a.forgetMessages(key);
  b.apply(sent.slice(2));
  assert.equal(b.getMessages(key), undefined);
});

test('the kustomize base: its relay.yaml is a valid config with peers over the headless Service', () => {
  const base = join(repoRoot, 'deploy/kubernetes/relay');
  const configMap = parse(readFileSync(join(base, 'configmap.yaml'), 'utf8')) as {
    data: { 'relay.yaml': string };
  };
  const config = parseConfigText(configMap.data['relay.yaml'], 'relay.yaml', relayConfigSchema, {
    readSecret: (p) =>
      p.endsWith('peer-token') ? `${p}-0123456789abcdef\n` : 'https://discord.com/api/webhooks/1/tok',
  });
  const headless = parse(readFileSync(join(base, 'service-peers.yaml'), 'utf8')) as {
    metadata: { name: string; namespace: string };
    spec: { clusterIP: string; publishNotReadyAddresses: boolean };
  };
  assert.equal(
    config.peers?.dns,
    `${headless.metadata.name}.${headless.metadata.namespace}.svc.cluster.local`,
  );
  assert.equal(headless.spec.clusterIP, 'None');
  assert.equal(config.peers?.token, '/run/secrets/alertpath/peer-token-0123456789abcdef');
  const deployment = readFileSync(join(base, 'deployment.yaml'), 'utf8');
  assert.match(
    deployment,
    /name: alertpath-relay-peer-token\n\s+items:\n\s+- key: peer-token\n\s+path: peer-token/,
  );
  assert.match(readFileSync(join(base, 'kustomization.yaml'), 'utf8'), /- service-peers\.yaml/);
});

test('dns: a replica that asks for a sync is replicated to at once, before the name lists it', async (t) => {
  const discord = await new FakeDiscord({ limit: 100 }).start();
  t.after(() => discord.close());
  const webhookUrl = discord.webhook();
  const token = 'dns-peer-token-0123456789';
  const base = { routes: { default: { discord: { webhookUrl } } }, delivery: { drainGrace: 0 } };
  const lookups: string[] = [];
  const a = await startRelay(
    relayConfigSchema.parse({ ...base, listen: '127.0.0.1:0', peers: { dns: 'relay-peers.test', token } }),
    {
      logger: silentLogger(),
      handleSignals: false,
      resolveA: async (name) => {
        lookups.push(name);
        return []; // the DNS name does not list the new replica yet
      },
    },
  );
  t.after(() => a.drain());
  await eventually(async () => (await fetch(`${a.url}/readyz`)).status === 200, 5000, 'A ready');
  const b = await startRelay(
    relayConfigSchema.parse({ ...base, listen: '127.0.0.1:0', peers: { urls: [a.url], token } }),
    { logger: silentLogger(), handleSignals: false },
  );
  t.after(() => b.drain());
  await eventually(async () => (await fetch(`${b.url}/readyz`)).status === 200, 5000, 'B ready (synced)');
  assert.deepEqual(lookups, ['relay-peers.test']);

  const res = await fetch(`${a.url}/webhook`, {
    method: 'POST',
    body: JSON.stringify(payload([alert({ alertname: 'Early' })], { groupKey: 'early' })),
  });
  assert.equal(res.status, 200);
  const held = async () =>
    (await (
      await fetch(`${b.url}/peer/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ from: '0'.repeat(24) }),
      })
    ).json()) as { messages: unknown[] };
  await eventually(async () => (await held()).messages.length === 1, 5000, 'B to hold the group A posted');
});

test('a batch of changes stays inside MAX_OPS and the peer body limit, however big the groups', () => {
  const key = groupKeyOf('default', 'g');
  const small: StateOp[] = Array.from({ length: 25_000 }, (_, i) => ({
    t: 'c',
    k: `${key}:${i % 9999}`,
    ttl: 1,
  }));
  assert.equal(batchLength(small), 1000, 'a tenth of MAX_OPS');
  assert.ok(1000 < MAX_OPS);
  const ids = Array.from({ length: 1000 }, () => '13000000000000000000');
  const big: StateOp[] = Array.from({ length: 500 }, () => ({ t: 'm', k: key, ids, ttl: 1 }));
  const n = batchLength(big);
  assert.ok(n > 10 && n < 500);
  const body = JSON.stringify({ from: 'f'.repeat(24), ops: big.slice(0, n) });
  assert.ok(body.length < MAX_UPDATE_BYTES, `${body.length} bytes`);
  assert.equal(batchLength([]), 0);
});
