import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createServer as createTlsServer } from 'node:tls';
import * as dnsPacket from 'dns-packet';
import { z } from 'zod';
import { systemClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/log.js';
import { configProbeDef, loadWatchConfig } from '../../src/watch/config.js';
import { startWatch } from '../../src/watch/index.js';
import { AttempterPool, runProbe } from '../../src/watch/probes/run.js';
import { makeTlsFixture } from '../helpers/certs.js';
import { findBinary, missingBinaryMessage } from '../helpers/cli.js';
import { eventually, freePort } from '../helpers/ports.js';
import { startReceiver } from '../helpers/receiver.js';

/**
 * Probes against real servers on loopback: HTTP (status, latency, body, JSON, a target that
 * hangs), TCP, a DNS server speaking dns-packet over UDP, TLS with a certificate made by openssl
 * that expires in 3 days; and the whole path from a flipping HTTP server to a real webhook channel.
 */

const dir = mkdtempSync(join(tmpdir(), 'watch-probes-'));
const attempters = new AttempterPool();
const servers: Array<{ close(): unknown }> = [];
let http = '';
let flipStatus = 200;

async function listen(server: Server | ReturnType<typeof createTlsServer>): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({
    close: () => {
      (server as Server).closeAllConnections?.();
      server.close();
    },
  });
  return (server.address() as AddressInfo).port;
}

before(async () => {
  const server = createHttpServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/flip') return res.writeHead(flipStatus).end(flipStatus === 200 ? 'ok' : 'unavailable');
    if (path === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 300);
    if (path === '/json')
      return res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'degraded', items: [{ name: 'db', healthy: true }] }));
    if (path === '/401') return res.writeHead(401).end('login first');
    if (path === '/hang') return; // never answers
    res.writeHead(404).end('no');
  });
  http = `http://127.0.0.1:${await listen(server)}`;
});

after(async () => {
  for (const s of servers) s.close();
  await attempters.close();
});

/** A probe item from YAML, through the config loader, as the prober will run it. */
function spec(item: string) {
  const file = join(dir, `p-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `probes:\n  - ${item}\n`);
  const cfg = loadWatchConfig(file, z.object({ type: z.string() }), {});
  return configProbeDef(cfg.probes[0] as never).spec;
}

const probe = (item: string) => runProbe(spec(item), { clock: systemClock, attempters });

test('http: accept set, latency over maxLatency, body and JSON conditions', async () => {
  assert.equal((await probe(`{ name: a, http: "${http}/flip" }`)).ok, true);
  flipStatus = 503;
  try {
    const r = await probe(`{ name: a, http: "${http}/flip" }`);
    assert.deepEqual([r.ok, r.message], [false, `HTTP 503 from ${http}/flip`]);
  } finally {
    flipStatus = 200;
  }
  assert.equal((await probe(`{ name: a, http: "${http}/401" }`)).message, `HTTP 401 from ${http}/401`);
  assert.equal((await probe(`{ name: a, http: "${http}/401", accept: [2xx, 401, 403] }`)).ok, true);

  const slow = await probe(`{ name: a, http: "${http}/slow", maxLatency: 100ms }`);
  assert.equal(slow.ok, false);
  assert.match(
    slow.message,
    new RegExp(`^slow answer from ${http}/slow: 0\\.\\d s \\(maxLatency 0\\.1 s\\)$`),
  );
  assert.ok(slow.latencyMs >= 250);

  assert.equal((await probe(`{ name: a, http: "${http}/json", bodyContains: degraded }`)).ok, true);
  assert.equal(
    (await probe(`{ name: a, http: "${http}/json", bodyContains: '"ok"' }`)).message,
    `the body from ${http}/json does not contain ""ok""`,
  );
  const json = await probe(`{ name: a, http: "${http}/json", json: { path: "$.status", equals: ok } }`);
  assert.deepEqual(
    [json.ok, json.message],
    [false, `$.status is "degraded" in the JSON from ${http}/json, expected "ok"`],
  );
  assert.equal(
    (await probe(`{ name: a, http: "${http}/json", json: { path: "$.items[0].healthy", equals: true } }`)).ok,
    true,
  );
  assert.equal(
    (await probe(`{ name: a, http: "${http}/json", json: { path: "$.items[1].name" } }`)).message,
    `$.items[1].name not found in the JSON from ${http}/json`,
  );
});

test('http: a target that accepts the connection and never answers hits the timeout', async () => {
  const r = await probe(`{ name: a, http: "${http}/hang", interval: 2s, timeout: 500ms }`);
  assert.deepEqual([r.ok, r.message], [false, `no answer from ${http}/hang: timed out after 0.5 s`]);
});

test('tcp: a closed port fails with the reason, an open one passes', async () => {
  const closed = await freePort();
  const r = await probe(`{ name: t, tcp: "127.0.0.1:${closed}" }`);
  assert.deepEqual([r.ok, r.message], [false, `no connection to 127.0.0.1:${closed}: connection refused`]);
  const open = createTcpServer((s) => s.destroy());
  const port = await listen(open as unknown as Server);
  const ok = await probe(`{ name: t, tcp: "127.0.0.1:${port}" }`);
  assert.equal(ok.ok, true);
  assert.match(ok.message, new RegExp(`^connected to 127.0.0.1:${port} in \\d+ ms$`));
});

test('dns: asks the named server over UDP; right answers pass, wrong answers and NXDOMAIN fail', async () => {
  const records: Record<string, string[]> = {
    'good.test': ['10.0.0.1', '10.0.0.2'],
    'bad.test': ['10.0.0.9'],
  };
  const socket: Socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    const answers = records[question.name] ?? [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (answers.length === 0 ? 3 : 0),
      questions: [question],
      answers: answers.map((ip) => ({ type: 'A' as const, name: question.name, ttl: 60, data: ip })),
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  servers.push({ close: () => socket.close() });
  const server = `127.0.0.1:${(socket.address() as AddressInfo).port}`;

  const good = await probe(
    `{ name: d, dns: { name: good.test, type: A, server: "${server}", expect: [10.0.0.2, 10.0.0.1] } }`,
  );
  assert.deepEqual([good.ok, good.message], [true, `DNS good.test A via ${server}: 10.0.0.1, 10.0.0.2`]);
  const bad = await probe(`{ name: d, dns: { name: bad.test, server: "${server}", expect: [10.0.0.1] } }`);
  assert.deepEqual(
    [bad.ok, bad.message],
    [false, `DNS bad.test A via ${server}: got 10.0.0.9, expected 10.0.0.1`],
  );
  const missing = await probe(`{ name: d, dns: { name: missing.test, server: "${server}" } }`);
  assert.deepEqual([missing.ok, missing.message], [false, `DNS missing.test A via ${server}: NXDOMAIN`]);
  const silent = await freePort();
  const none = await probe(
    `{ name: d, dns: { name: good.test, server: "127.0.0.1:${silent}" }, timeout: 300ms }`,
  );
  assert.equal(none.ok, false);
  assert.match(none.message, new RegExp(`^DNS good.test A via 127.0.0.1:${silent}: `));
});

test('tls and https: a certificate that expires in 3 days fails certExpiry 14d; untrusted fails too', async (t) => {
  if (!findBinary('openssl')) return t.skip(missingBinaryMessage('openssl', 'openssl'));
  const fixture = makeTlsFixture({ days: 3 });
  const ca = fixture.caFile;
  const tlsOptions = { key: fixture.key, cert: fixture.cert };
  const tlsPort = await listen(createTlsServer(tlsOptions, (s) => s.end()));
  const https = createHttpsServer(tlsOptions, (_req, res) => res.writeHead(200).end('ok'));
  const httpsPort = await listen(https as unknown as Server);

  const expiring = await probe(`{ name: c, tls: "localhost:${tlsPort}", caFile: ${ca}, certExpiry: 14d }`);
  assert.deepEqual([expiring.ok, expiring.message], [false, 'certificate for localhost expires in 3 days']);
  assert.equal(
    (await probe(`{ name: c, tls: "localhost:${tlsPort}", caFile: ${ca}, certExpiry: 2d }`)).ok,
    true,
  );
  assert.equal(
    (await probe(`{ name: c, tls: "localhost:${tlsPort}", certExpiry: 1d }`)).message,
    'certificate for localhost is not trusted: its issuer is not trusted',
  );
  assert.equal(
    (await probe(`{ name: c, tls: "localhost:${tlsPort}", insecure: true, certExpiry: 1d }`)).ok,
    true,
  );

  const site = `https://localhost:${httpsPort}/`;
  const viaHttp = await probe(`{ name: c, http: "${site}", caFile: ${ca}, certExpiry: 14d }`);
  assert.deepEqual([viaHttp.ok, viaHttp.message], [false, 'certificate for localhost expires in 3 days']);
  assert.equal((await probe(`{ name: c, http: "${site}", caFile: ${ca} }`)).ok, true);
  const untrusted = await probe(`{ name: c, http: "${site}" }`);
  assert.equal(untrusted.ok, false);
  assert.match(untrusted.message, new RegExp(`^no answer from ${site}: TLS: `));
});

test('an HTTP target that flips 503 ↔ 200 pages a real webhook once each way, after the thresholds', async () => {
  const receiver = await startReceiver();
  const data = mkdtempSync(join(tmpdir(), 'watch-probe-flip-'));
  const configFile = join(data, 'watch.yaml');
  const key = 'probe-flip-key-0123456789';
  writeFileSync(
    configFile,
    [
      `apiKeys: [{ name: t, key: ${key} }]`,
      'channels:',
      '  hook:',
      '    type: webhook',
      `    down: { url: "${receiver.url}/down", method: POST, body: "$JSON" }`,
      `    up: { url: "${receiver.url}/up", method: POST, body: "$JSON" }`,
      'defaults: { channels: [hook] }',
      'probes:',
      `  - { name: flappy, http: "${http}/flip", interval: 1s, timeout: 1s, failureThreshold: 2, successThreshold: 2 }`,
      '',
    ].join('\n'),
  );
  flipStatus = 200;
  const { service, watch } = await startWatch(
    { configFile, dataDir: data, listen: '127.0.0.1:0', env: {} },
    { logger: silentLogger(), handleSignals: false, processMetrics: false, announce: () => {} },
  );
  const api = async (path: string): Promise<unknown> =>
    (await fetch(`${service.url}/api/v3${path}`, { headers: { 'X-Api-Key': key } })).json();
  try {
    const uuid = (await watch.store.listChecks())[0]?.uuid as string;
    const status = async () => ((await api(`/checks/${uuid}`)) as { status: string }).status;
    await eventually(async () => (await status()) === 'up', 15_000, 'the probe to come up');

    flipStatus = 503;
    await receiver.waitFor(1, 15_000);
    const down = receiver.requests[0];
    assert.equal(down?.path, '/down');
    const downBody = JSON.parse(down?.body ?? '{}') as { status: string; text: string; name: string };
    assert.equal(downBody.status, 'down');
    assert.equal(
      downBody.text,
      `🔴 DOWN flappy: HTTP 503 from ${http}/flip (2 failures in a row, probed every 1s)`,
    );

    flipStatus = 200;
    await receiver.waitFor(2, 15_000);
    assert.equal(receiver.requests[1]?.path, '/up');
    assert.match(JSON.parse(receiver.requests[1]?.body ?? '{}').text, /^🟢 UP flappy again after \d+s$/);

    // Two more results while up change nothing: still one page each way.
    const count = async () =>
      ((await api(`/checks/${uuid}/results/`)) as { results: unknown[] }).results.length;
    const seen = await count();
    await eventually(async () => (await count()) >= seen + 2, 15_000, 'two more results');
    assert.equal(receiver.requests.length, 2);
    const flips = (await api(`/checks/${uuid}/flips/`)) as { flips: Array<{ to: string; reason: string }> };
    assert.deepEqual(
      flips.flips.map((f) => `${f.to}:${f.reason}`),
      ['up:probe', 'down:probe', 'up:probe'],
    );
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.match(metrics, /alertpath_watch_probe_duration_seconds\{check="flappy"\} \d/);
  } finally {
    flipStatus = 200;
    await service.drain();
    await receiver.close();
  }
});
