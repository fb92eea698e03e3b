import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FakeDiscord } from '../fakes/discord.js';
import { alert, manyAlerts, payload } from '../helpers/alerts.js';
import { type CliResult, collect, startCli, waitForOutput } from '../helpers/cli.js';
import { eventually, freePort } from '../helpers/ports.js';

/**
 * Two real relay processes (`alertpath relay`) that list each other in `peers.urls`, in front of
 * one fake Discord: what one replica posted, the other edits; what one delivered, the other does
 * not post again; a killed peer changes nothing for the one that is left.
 */

const TOKEN = 'peer-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'relay-peers-'));
const tokenFile = join(dir, 'peer-token');
writeFileSync(tokenFile, `${TOKEN}\r\n\n`); // trimmed like every secret file

let discord: FakeDiscord;
const running = new Set<ChildProcess>();

before(async () => {
  discord = await new FakeDiscord({ limit: 1000 }).start();
});
after(async () => {
  for (const child of running) child.kill('SIGKILL');
  await discord.close();
});

interface Replica {
  base: string;
  child: ChildProcess;
  done: Promise<CliResult>;
  output: () => string;
}

async function startReplica(
  port: number,
  peerPorts: number[],
  webhookUrl: string,
  peersYaml?: string,
  discordYaml = '',
) {
  const file = join(dir, `relay-${port}.yaml`);
  const peers =
    peersYaml ??
    [
      'peers:',
      `  urls: [${peerPorts.map((p) => `http://127.0.0.1:${p}`).join(', ')}]`,
      `  tokenFile: ${tokenFile}`,
      '  timeout: 1s',
    ].join('\n');
  writeFileSync(
    file,
    [
      `listen: 127.0.0.1:${port}`,
      'routes:',
      '  default:',
      '    discord:',
      '      webhookUrl: ${HOOK}',
      ...(discordYaml ? [discordYaml] : []),
      'delivery:',
      '  deadline: 2s',
      '  drainGrace: 0s',
      peers,
      '',
    ].join('\n'),
  );
  const child = startCli(['relay', '--config', file], { env: { HOOK: webhookUrl } });
  running.add(child);
  let seen = '';
  child.stdout?.on('data', (d: Buffer) => {
    seen += d.toString();
  });
  const done = collect(child);
  const line = await waitForOutput(child, /relay ready on http:\/\/[^"\s]+/);
  const base = /http:\/\/[^"\s]+/.exec(line)?.[0] ?? '';
  await eventually(
    async () => (await fetch(`${base}/readyz`)).status === 200,
    10_000,
    'the replica to be ready',
  );
  return { base, child, done, output: () => seen } satisfies Replica;
}

async function pair(webhookUrl: string, discordYaml = ''): Promise<[Replica, Replica, number[]]> {
  const ports = [await freePort(), await freePort()];
  const a = await startReplica(ports[0] ?? 0, ports, webhookUrl, undefined, discordYaml);
  const b = await startReplica(ports[1] ?? 0, ports, webhookUrl, undefined, discordYaml);
  return [a, b, ports];
}

async function stop(...replicas: Replica[]): Promise<void> {
  for (const r of replicas) {
    r.child.kill('SIGKILL');
    await r.done;
    running.delete(r.child);
  }
}

const post = (r: Replica, body: unknown) =>
  fetch(`${r.base}/webhook`, { method: 'POST', body: JSON.stringify(body) });

/** What a replica holds, as a starting peer would get it. */
async function held(r: Replica): Promise<{ messages: unknown[]; chunks: unknown[] }> {
  const res = await fetch(`${r.base}/peer/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ from: '0'.repeat(24) }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { messages: unknown[]; chunks: unknown[] };
}

test('firing to one replica, resolved to the other: one message, edited green', async () => {
  const hook = discord.webhook();
  const [a, b] = await pair(hook);
  try {
    const firing = payload([alert({ alertname: 'DiskFull', instance: 'n1' })], { groupKey: 'g-edit' });
    assert.equal((await post(a, firing)).status, 200);
    await eventually(async () => (await held(b)).messages.length === 1, 10_000, 'B to learn the message id');

    const resolved = payload([alert({ alertname: 'DiskFull', instance: 'n1' }, { status: 'resolved' })], {
      groupKey: 'g-edit',
    });
    assert.equal((await post(b, resolved)).status, 200);
    const messages = discord.list(hook);
    assert.equal(messages.length, 1, 'one message, not a second one');
    assert.equal(messages[0]?.edits, 1);
    assert.match(messages[0]?.embeds[0]?.title ?? '', /RESOLVED/);
    // The resolved group is forgotten on both replicas.
    await eventually(async () => (await held(a)).messages.length === 0, 10_000, 'A to forget the group');
  } finally {
    await stop(a, b);
  }
});

test('forum: posted by one replica, resolved on the other: the edit goes into the same post', async () => {
  const hook = discord.webhook({ forum: { tags: ['7'] } });
  const [a, b] = await pair(
    hook,
    '      threadName: "{{ alertname }}"\n      appliedTags: { critical: ["7"] }',
  );
  try {
    const firing = payload([alert({ alertname: 'ForumAlert' })], { groupKey: 'g-forum' });
    assert.equal((await post(a, firing)).status, 200);
    await eventually(async () => (await held(b)).messages.length === 1, 10_000, 'B to learn the post');
    const resolved = payload([alert({ alertname: 'ForumAlert' }, { status: 'resolved' })], {
      groupKey: 'g-forum',
    });
    assert.equal((await post(b, resolved)).status, 200);
    const messages = discord.list(hook);
    assert.equal(messages.length, 1);
    assert.equal(messages[0]?.edits, 1);
    assert.deepEqual(discord.posts.get(messages[0]?.threadId ?? '')?.appliedTags, ['7']);
  } finally {
    await stop(a, b);
  }
});

test('a flush retried on the other replica posts no chunk twice', async () => {
  const hook = discord.webhook();
  const [a, b] = await pair(hook);
  try {
    // A group of two messages; the second one fails on A until A's deadline (503 to Alertmanager).
    const group = payload(manyAlerts(20, 'x'.repeat(150)), { groupKey: 'g-retry' });
    discord.failMatching(({ body }) => (JSON.stringify(body).includes('(part 2/2)') ? 500 : undefined));
    const first = await post(a, group);
    assert.equal(first.status, 503);
    assert.equal(discord.list(hook).length, 1, 'part 1 was posted by A');
    discord.failMatching(undefined);
    await eventually(
      async () => (await held(b)).chunks.length === 1,
      10_000,
      'B to learn the delivered chunk',
    );

    // Alertmanager retries the flush; this time it lands on B.
    const retry = await post(b, group);
    assert.equal(retry.status, 200);
    const titles = discord.list(hook).map((m) => m.embeds[0]?.title ?? '');
    assert.equal(titles.length, 2);
    assert.equal(titles.filter((t) => t.includes('(part 1/2)')).length, 1, 'part 1 posted once');
    assert.equal(titles.filter((t) => t.includes('(part 2/2)')).length, 1, 'part 2 posted once');
    const metrics = await (await fetch(`${b.base}/metrics`)).text();
    assert.match(metrics, /alertpath_relay_deduplicated_chunks_total\{route="default"\} 1/);
  } finally {
    discord.failMatching(undefined);
    await stop(a, b);
  }
});

test('a peer killed (SIGKILL): delivery on the other is unaffected; restarted, it syncs and edits', async () => {
  const hook = discord.webhook();
  const [a, b, ports] = await pair(hook);
  let b2: Replica | undefined;
  try {
    await stop(b);
    const firing = payload([alert({ alertname: 'NodeDown', instance: 'n2' })], { groupKey: 'g-kill' });
    const res = await post(a, firing);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'delivered', messages: 1 });
    // More traffic while the peer is gone: still delivered, and A is still healthy.
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await post(a, payload([alert({ alertname: `More${i}` })], { groupKey: `more-${i}` }))).status,
        200,
      );
    assert.equal(discord.list(hook).length, 6);
    assert.equal((await fetch(`${a.base}/healthz`)).status, 200);

    // B comes back: it asks A for its map at start, so it edits the message A posted meanwhile.
    b2 = await startReplica(ports[1] ?? 0, ports, hook);
    assert.match(b2.output(), /synced from peer/);
    const resolved = payload([alert({ alertname: 'NodeDown', instance: 'n2' }, { status: 'resolved' })], {
      groupKey: 'g-kill',
    });
    assert.equal((await post(b2, resolved)).status, 200);
    const mine = discord.list(hook).filter((m) => (m.embeds[0]?.title ?? '').includes('NodeDown'));
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.edits, 1);
  } finally {
    await stop(a, ...(b2 ? [b2] : []));
  }
});

test('peer requests: a wrong token is 401, a malformed or oversized body 400, and nothing is applied', async () => {
  const hook = discord.webhook();
  const port = await freePort();
  const a = await startReplica(port, [port], hook);
  try {
    const send = (body: string, token = TOKEN) =>
      fetch(`${a.base}/peer/updates`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
    const op = { t: 'c', k: `${'A'.repeat(43)}:0`, ttl: 60_000 };
    const good = JSON.stringify({ from: 'f'.repeat(24), ops: [op] });

    const wrong = await send(good, 'not-the-peer-token-at-all');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'AP_UNAUTHORIZED');
    assert.equal(
      (await fetch(`${a.base}/peer/sync`, { method: 'POST', body: '{}' })).status,
      401,
      'no token at all',
    );
    for (const bad of [
      '{"from":',
      '[]',
      JSON.stringify({ from: 'f'.repeat(24), ops: [{ ...op, k: '../../etc' }] }),
      JSON.stringify({ from: 'f'.repeat(24), ops: [{ t: 'm', k: 'A'.repeat(43), ids: ['1'], ttl: -5 }] }),
      JSON.stringify({ from: 'f'.repeat(24), ops: Array.from({ length: 10_001 }, () => op) }),
      `{"from":"${'f'.repeat(24)}","ops":[],"pad":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`,
    ]) {
      const res = await send(bad);
      assert.equal(res.status, 400, bad.slice(0, 80));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'AP_INVALID_PAYLOAD');
    }
    const huge = await send(
      JSON.stringify({ from: 'f'.repeat(24), ops: [], pad: 'x'.repeat(5 * 1024 * 1024) }),
    );
    assert.equal(huge.status, 413);
    assert.equal((await held(a)).chunks.length, 0, 'nothing of a refused body was applied');

    assert.equal((await send(good)).status, 200);
    assert.equal((await held(a)).chunks.length, 1, 'a valid body is applied');
    for (let i = 0; i < 3; i++)
      assert.equal((await fetch(`${a.base}/peer/x${i}`, { method: 'POST' })).status, 401);
    const metrics = await (await fetch(`${a.base}/metrics`)).text();
    assert.match(metrics, /alertpath_relay_peer_received_total\{kind="updates",code="401"\} 1/);
    assert.match(metrics, /alertpath_relay_peer_received_total\{kind="other",code="401"\} 3/);
    assert.doesNotMatch(metrics, /kind="x0"/, "no label from a caller's path");
    assert.equal((await fetch(`${a.base}/healthz`)).status, 200, 'still alive');
    assert.equal((await post(a, payload([alert({ alertname: 'StillFine' })]))).status, 200);
  } finally {
    await stop(a);
  }
});

test('a replica with another token: its changes are refused 401, it says so once, and delivers anyway', async () => {
  const hook = discord.webhook();
  const ports = [await freePort(), await freePort()];
  const otherToken = join(dir, 'other-token');
  writeFileSync(otherToken, 'a-different-token-0123456789\n');
  const urls = `  urls: [${ports.map((p) => `http://127.0.0.1:${p}`).join(', ')}]`;
  const a = await startReplica(ports[0] ?? 0, ports, hook);
  const b = await startReplica(
    ports[1] ?? 0,
    ports,
    hook,
    ['peers:', urls, `  tokenFile: ${otherToken}`].join('\n'),
  );
  try {
    for (let i = 0; i < 3; i++)
      assert.equal(
        (await post(b, payload([alert({ alertname: `Tok${i}` })], { groupKey: `tok-${i}` }))).status,
        200,
      );
    assert.equal(discord.list(hook).length, 3);
    await eventually(() => /refuses our token/.test(b.output()), 10_000, 'the refusal line');
    assert.equal(
      b
        .output()
        .split('\n')
        .filter((l) => l.includes('refuses our token')).length,
      1,
    );
    assert.equal((await held(a)).messages.length, 0, 'A applied nothing');
  } finally {
    await stop(a, b);
  }
});

test('a peer DNS name that does not resolve: one warning line, and delivery as without peers', async () => {
  const hook = discord.webhook();
  const port = await freePort();
  const a = await startReplica(
    port,
    [],
    hook,
    ['peers:', '  dns: alertpath-relay-peers.invalid', `  tokenFile: ${tokenFile}`, '  refresh: 1s'].join(
      '\n',
    ),
  );
  try {
    assert.equal(
      (await post(a, payload([alert({ alertname: 'NoPeers' })], { groupKey: 'g-dns' }))).status,
      200,
    );
    assert.equal(discord.list(hook).length, 1);
    // Re-resolved every second: still one line after three failed lookups.
    await eventually(
      async () => {
        const m = /alertpath_relay_peer_dns_lookups_total\{outcome="failed"\} (\d+)/.exec(
          await (await fetch(`${a.base}/metrics`)).text(),
        );
        return Number(m?.[1] ?? 0) >= 3;
      },
      10_000,
      'three failed lookups',
    );
    const warnings = a
      .output()
      .split('\n')
      .filter((l) => l.includes('cannot resolve alertpath-relay-peers.invalid'));
    assert.equal(warnings.length, 1, a.output());
    assert.match(warnings[0] ?? '', /"level":"warn"/);
  } finally {
    await stop(a);
  }
});
