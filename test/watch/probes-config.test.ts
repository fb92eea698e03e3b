import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError } from '../../src/lib/config.js';
import { configProbeDef, loadWatchConfig } from '../../src/watch/config.js';
import { parseJsonPath, valueAt } from '../../src/watch/probes/config.js';
import { evaluateCertificate, evaluateHttp } from '../../src/watch/probes/evaluate.js';
import { runCli } from '../helpers/cli.js';

const fakeSchema = z.object({ type: z.literal('fake') }).strict();
const DAY = 86_400_000;

function load(text: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'watch-probe-cfg-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const file = join(dir, 'watch.yaml');
  writeFileSync(file, text);
  return { file, load: () => loadWatchConfig(file, fakeSchema, {}) };
}

function problems(text: string): string[] {
  try {
    load(text).load();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
  }
  return [];
}

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test("the spec's probe examples load, with defaults filled in", () => {
  const cfg = load(
    [
      'channels: { mail: { type: fake } }',
      'probes:',
      '  - name: storage-api',
      '    http: https://10.10.12.2/api/v2.0/system/info',
      '    accept: [2xx, 401, 403]',
      '    method: GET',
      '    headers: { Authorization: "Bearer x" }',
      '    caFile: ca.pem',
      '    interval: 30s',
      '    timeout: 5s',
      '    failureThreshold: 3',
      '    successThreshold: 1',
      '    maxLatency: 2s',
      '    bodyContains: "ok"',
      '    json: { path: "$.status", equals: "ok" }',
      '    certExpiry: 14d',
      '    channels: [mail]',
      '  - { name: k8s-api, tcp: 192.168.1.10:6443, interval: 30s }',
      '  - { name: resolver, dns: { name: example.net, type: A, server: 1.1.1.1, expect: [93.184.216.34] } }',
      '  - { name: site-cert, tls: example.net:443, certExpiry: 21d, interval: 1h }',
      '',
    ].join('\n'),
    { 'ca.pem': PEM },
  ).load();
  const [storage, k8s, resolver, site] = cfg.probes.map(configProbeDef);
  assert.ok(storage && k8s && resolver && site);
  assert.equal(storage.spec.target.type, 'http');
  if (storage.spec.target.type === 'http') {
    assert.equal(storage.spec.target.accept.text, '2xx,401,403');
    assert.equal(storage.spec.target.accept.has(401), true);
    assert.equal(storage.spec.target.accept.has(500), false);
    assert.equal(
      storage.spec.target.trust.ca,
      PEM.replace(/\n$/, ''),
      'caFile is read relative to the config',
    );
    assert.equal(storage.spec.target.certExpiryMs, 14 * DAY);
  }
  assert.deepEqual(storage.def.schedule, { kind: 'probe', intervalMs: 30_000 });
  assert.deepEqual(storage.def.probe, {
    type: 'http',
    target: 'https://10.10.12.2/api/v2.0/system/info',
    timeoutMs: 5000,
    failureThreshold: 3,
    successThreshold: 1,
  });
  assert.ok(!JSON.stringify(storage.def).includes('Bearer'), 'headers never reach the stored definition');
  assert.deepEqual(k8s.spec.target, { type: 'tcp', host: '192.168.1.10', port: 6443 });
  assert.equal(k8s.spec.timeoutMs, 10_000, 'default timeout');
  assert.equal(k8s.def.probe?.failureThreshold, 3, 'default failureThreshold');
  assert.deepEqual(resolver.spec.target, {
    type: 'dns',
    name: 'example.net',
    recordType: 'A',
    server: { host: '1.1.1.1', port: 53 },
    expect: ['93.184.216.34'],
  });
  assert.equal(resolver.spec.intervalMs, 60_000, 'default interval');
  assert.deepEqual(site.spec.target, {
    type: 'tls',
    host: 'example.net',
    port: 443,
    trust: {},
    certExpiryMs: 21 * DAY,
  });
});

test('probe config errors name FILE:LINE:COL and what was expected', () => {
  assert.deepEqual(
    problems(
      [
        'probes:',
        '  - { name: a, http: "http://x/", accept: [2xx, 99x] }',
        '  - { name: b, http: "http://x/", tcp: "x:1" }',
        '  - { name: c }',
        '  - { name: d, tcp: "x:1", bodyContains: ok }',
        '  - { name: e, tcp: "no-port" }',
        '  - { name: f, http: "ftp://x/" }',
        '  - { name: g, tcp: "x:1", interval: 5s, timeout: 10s }',
        '  - { name: h, dns: { name: x, server: "1.1.1.1:99999" } }',
        '  - { name: i, http: "http://x/", json: { path: "status" } }',
        '  - { name: j, http: "http://x/", certExpiry: 14d }',
        '  - { name: k, dns: { name: x, type: AXFR } }',
        '  - { name: l, tcp: "x:1", interval: 500ms }',
        '',
      ].join('\n'),
    ),
    [
      '2:43: probes.0.accept: invalid accept list "2xx,99x": "99x" is not a status code (401), class (2xx) or range (200-299)',
      '3:40: probes.1.tcp: a probe has exactly one of http, tcp, dns or tls (this one has http and tcp)',
      '4:5: probes.2: a probe needs one of http, tcp, dns or tls',
      '5:42: probes.3.bodyContains: bodyContains applies to http probes only',
      '6:21: probes.4.tcp: invalid tcp target "no-port": expected HOST:PORT, e.g. 192.168.1.10:6443',
      '7:22: probes.5.http: invalid target "ftp://x/": unsupported scheme "ftp" (use http, https or tcp)',
      '8:51: probes.6.timeout: must not be longer than the interval',
      '9:40: probes.7.dns.server: expected HOST, HOST:PORT or [IPv6]:PORT (port 53 by default)',
      '10:49: probes.8.json.path: expected a path such as $.status or $.items[0].name',
      '11:47: probes.9.certExpiry: certExpiry needs an https:// URL',
      '12:38: probes.10.dns.type: expected one of A, AAAA, CNAME, MX, NS, PTR, SRV, TXT, CAA, SOA',
      '13:38: probes.11.interval: must be at least 1s',
    ],
  );
  assert.match(
    problems(
      'channels: { mail: { type: fake } }\nprobes:\n  - { name: a, tcp: "x:1", channels: [pager] }\n',
    )[0] ?? '',
    /^3:39: probes.0.channels.0: no channel named "pager"/,
  );
  assert.match(
    problems('probes:\n  - { name: a, tls: "x", caFile: missing.pem }\n')[0] ?? '',
    /^2:34: cannot read caFile "missing.pem": ENOENT/,
  );
});

test('the CLI refuses an invalid probe at start: exit 2 and FILE:LINE:COL', async () => {
  const { file } = load('probes:\n  - name: both\n    http: http://127.0.0.1:1/\n    tcp: 127.0.0.1:1\n');
  const r = await runCli(['watch', '--config', file, '--data', join(file, '..'), '--listen', '127.0.0.1:0'], {
    env: { ALERTPATH_CONFIG: '', ALERTPATH_DATA: '', ALERTPATH_LISTEN: '' },
  });
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    `${file}:4:10: probes.0.tcp: a probe has exactly one of http, tcp, dns or tls (this one has http and tcp)`,
  );
});

test('JSON paths: dotted and indexed steps, quoted keys; a wrong path leads nowhere', () => {
  const doc = { status: 'ok', items: [{ name: 'a' }, { name: 'b' }], 'odd key': 1, n: 0 };
  assert.equal(valueAt(doc, parseJsonPath('$.status') ?? []), 'ok');
  assert.equal(valueAt(doc, parseJsonPath('$.items[1].name') ?? []), 'b');
  assert.equal(valueAt(doc, parseJsonPath(`$['odd key']`) ?? []), 1);
  assert.equal(valueAt(doc, parseJsonPath('$.n') ?? []), 0);
  assert.equal(valueAt(doc, parseJsonPath('$.items[5].name') ?? []), undefined);
  assert.equal(valueAt(doc, parseJsonPath('$.status.deeper') ?? []), undefined);
  assert.equal(valueAt(doc, parseJsonPath('$.toString') ?? []), undefined, 'only own keys');
  assert.deepEqual(valueAt(doc, parseJsonPath('$') ?? []), doc);
  assert.equal(parseJsonPath('status'), undefined);
  assert.equal(parseJsonPath('$.items[x]'), undefined);
});

test('verdicts: the failing condition is the message operators read', () => {
  const now = Date.UTC(2026, 10, 25);
  const cert = (validTo: number, over: object = {}) => ({
    kind: 'certificate' as const,
    latencyMs: 3,
    validFrom: now - 80 * DAY,
    validTo,
    subject: 'example.net',
    issuer: 'R3',
    authorized: true,
    ...over,
  });
  const opts = { certExpiryMs: 14 * DAY, insecure: false };
  assert.deepEqual(evaluateCertificate('example.net', cert(now + 6 * DAY), opts, now), {
    ok: false,
    message: 'certificate for example.net expires in 6 days',
  });
  assert.equal(evaluateCertificate('example.net', cert(now + 30 * DAY), opts, now).ok, true);
  assert.equal(
    evaluateCertificate('example.net', cert(now + 10 * 3_600_000), opts, now).message,
    'certificate for example.net expires in 10h',
  );
  assert.equal(
    evaluateCertificate('example.net', cert(now - 2 * DAY, { authorized: false }), opts, now).message,
    'certificate for example.net expired 2 days ago',
  );
  assert.equal(
    evaluateCertificate(
      'example.net',
      cert(now + 90 * DAY, { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      opts,
      now,
    ).message,
    'certificate for example.net is not trusted: it is self-signed',
  );
  assert.equal(
    evaluateCertificate(
      'example.net',
      cert(now + 90 * DAY, { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      { ...opts, insecure: true },
      now,
    ).ok,
    true,
    'insecure skips trust, not expiry',
  );

  const { load: loadCfg } = load(
    'probes:\n  - { name: s, http: "https://example.net/health", accept: "2xx,401", json: { path: "$.db", equals: true } }\n',
  );
  const spec = configProbeDef(loadCfg().probes[0] as never).spec;
  assert.equal(spec.target.type, 'http');
  if (spec.target.type !== 'http') return;
  const t = spec.target;
  const http = (status: number, body = '{"db": true}') => ({
    kind: 'http' as const,
    status,
    latencyMs: 40,
    body,
  });
  assert.deepEqual(evaluateHttp(t, http(503), undefined, now), {
    ok: false,
    message: 'HTTP 503 from https://example.net/health',
  });
  assert.equal(evaluateHttp(t, http(401), undefined, now).ok, true, '401 is in the accept set');
  assert.equal(
    evaluateHttp(t, http(200, '{"db": false}'), undefined, now).message,
    '$.db is false in the JSON from https://example.net/health, expected true',
  );
  assert.equal(
    evaluateHttp(t, http(200, '<html>'), undefined, now).message,
    'the body from https://example.net/health is not JSON',
  );
  assert.equal(
    evaluateHttp(t, { kind: 'error', reason: 'connection refused', latencyMs: 1 }, undefined, now).message,
    'no answer from https://example.net/health: connection refused',
  );
});
