import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger, silentLogger } from '../../src/lib/log.js';
import { routingOf, UNROUTED_WARNING } from '../../src/watch/checks/routing.js';
import { buildWatch, watchService } from '../../src/watch/index.js';
import { Receiver } from '../helpers/receiver.js';
import { type AppRig, appRig } from './rig.js';

/**
 * A check that pages nobody is itself an alarm: it is shown as unrouted in the API
 * (`"channels": ""` and `warnings`), counted in /metrics, and named in a log line at start; a
 * check auto-provisioned by `?create=1` gets the defaults' channels, or every channel when there
 * are no defaults, as Healthchecks assigns every integration.
 */

const KEY = 'k'.repeat(32);
const PING_KEY = 'ping-key-0123';

async function rig(config: string, capture?: string[]): Promise<AppRig> {
  let logger: ReturnType<typeof createLogger> | undefined;
  if (capture) {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => capture.push(...chunk.toString().trim().split('\n')));
    logger = createLogger({ destination: stream });
  }
  return appRig({
    config: `pingKey: ${PING_KEY}\napiKeys: [{ name: t, key: ${KEY} }]\n${config}`,
    ...(logger ? { logger } : {}),
  });
}

async function close(r: AppRig) {
  await r.close();
  rmSync(r.dir, { recursive: true, force: true });
}

const api = async (r: AppRig, method: string, path: string, body?: unknown) => {
  const res = await r.request(`/api/v3${path}`, {
    method,
    headers: { 'X-Api-Key': KEY, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, read field by field
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};

const gauge = async (r: AppRig) => {
  const text = await (await r.app.request('http://watch.test/metrics')).text();
  const m = /^alertpath_watch_checks_unrouted (\d+)$/m.exec(text);
  assert.ok(m, 'the gauge is exported');
  return Number(m[1]);
};

test('routing: own channels, else the defaults; none (or none configured, or all failing) is unrouted', () => {
  const ctx = { defaultChannels: ['mail'], configured: new Set(['mail', 'phone']) };
  assert.deepEqual(routingOf({}, ctx), { channels: ['mail'], unrouted: false, warnings: [] });
  assert.deepEqual(routingOf({ channels: ['phone'] }, ctx).channels, ['phone']);
  assert.deepEqual(routingOf({ channels: [] }, ctx), {
    channels: [],
    unrouted: true,
    warnings: [UNROUTED_WARNING],
  });
  assert.equal(routingOf({}, { ...ctx, defaultChannels: [] }).unrouted, true);
  const gone = routingOf({ channels: ['pager'] }, ctx);
  assert.equal(gone.unrouted, true);
  assert.deepEqual(gone.warnings, [UNROUTED_WARNING, 'channel "pager" is not configured']);
  // Fed by the notifier: a channel whose every last attempt failed for good delivers nothing.
  const broken = new Set(['mail']);
  const failing = routingOf({}, { ...ctx, broken });
  assert.equal(failing.unrouted, true);
  assert.deepEqual(failing.warnings, [
    UNROUTED_WARNING,
    'channel "mail": its last notification failed permanently',
  ]);
  const partly = routingOf({ channels: ['mail', 'phone'] }, { ...ctx, broken });
  assert.equal(partly.unrouted, false);
  assert.deepEqual(partly.channels, ['phone']);
  assert.equal(partly.warnings.length, 1);
});

test('no channel anywhere: the API flags the check, /metrics counts it, the start names it', async () => {
  const lines: string[] = [];
  const r = await rig('checks:\n  - { name: lonely, period: 1m }\n', lines);
  try {
    const started = lines.map((l) => JSON.parse(l) as { msg: string; level: string; checks?: string[] });
    const line = started.find((l) => l.msg.includes('notify nobody'));
    assert.ok(line, lines.join('\n'));
    assert.equal(line.level, 'warn');
    assert.deepEqual(line.checks, ['lonely']);
    const [managed] = (await api(r, 'GET', '/checks/')).json.checks;
    assert.equal(managed.channels, '');
    assert.deepEqual(managed.warnings, [UNROUTED_WARNING]);
    const created = await api(r, 'POST', '/checks/', { name: 'api-made' });
    assert.equal(created.status, 201);
    assert.equal(created.json.channels, '');
    assert.deepEqual(created.json.warnings, [UNROUTED_WARNING]);
    assert.equal(await gauge(r), 2);
    // ?create=1 with no channel configured: created, and unrouted too.
    assert.equal((await r.request(`/ping/${PING_KEY}/auto?create=1`)).status, 201);
    assert.equal(await gauge(r), 3);
    assert.ok(lines.some((l) => l.includes('check \\"auto\\" created by ?create=1 notifies nobody')));
  } finally {
    await close(r);
  }
});

test('?create=1 gets every configured channel when there are no defaults, else follows the defaults', async () => {
  const all = await rig('channels:\n  mail: { type: fake }\n  phone: { type: fake }\n');
  try {
    assert.equal((await all.request(`/ping/${PING_KEY}/backup?create=1`)).status, 201);
    const [c] = (await api(all, 'GET', '/checks/?slug=backup')).json.checks;
    assert.equal(c.channels, 'mail,phone');
    assert.ok(!('warnings' in c));
    // An API-made check follows Healthchecks' `channels`: none given → the defaults (none here).
    const made = await api(all, 'POST', '/checks/', { name: 'x' });
    assert.equal(made.json.channels, '');
    assert.deepEqual(made.json.warnings, [UNROUTED_WARNING]);
    const star = await api(all, 'POST', '/checks/', { name: 'y', channels: '*' });
    assert.equal(star.json.channels, 'mail,phone');
    assert.equal(await gauge(all), 1);
  } finally {
    await close(all);
  }
  const defaults = await rig(
    'channels:\n  mail: { type: fake }\n  phone: { type: fake }\ndefaults: { channels: [phone] }\n',
  );
  try {
    assert.equal((await defaults.request(`/ping/${PING_KEY}/backup?create=1`)).status, 201);
    const [c] = (await api(defaults, 'GET', '/checks/?slug=backup')).json.checks;
    assert.equal(c.channels, 'phone');
    assert.equal((await api(defaults, 'POST', '/checks/', { name: 'x' })).json.channels, 'phone');
    // Explicitly none: Healthchecks' "" means no channel, so it pages nobody.
    const none = await api(defaults, 'POST', '/checks/', { name: 'z', channels: '' });
    assert.equal(none.json.channels, '');
    assert.deepEqual(none.json.warnings, [UNROUTED_WARNING]);
    assert.equal(await gauge(defaults), 1);
  } finally {
    await close(defaults);
  }
});

test('?create=1 validates the slug as the API does: at most 100 characters', async () => {
  const r = await rig('');
  try {
    const long = 'a'.repeat(101);
    const res = await r.request(`/ping/${PING_KEY}/${long}?create=1`);
    assert.equal(res.status, 400);
    assert.equal(await res.text(), 'invalid url format');
    assert.deepEqual((await api(r, 'GET', '/checks/')).json.checks, []);
    assert.equal((await r.request(`/ping/${PING_KEY}/${'a'.repeat(100)}?create=1`)).status, 201);
  } finally {
    await close(r);
  }
});

test('a channel whose last try failed for good makes its checks unrouted, until it delivers again', async () => {
  const receiver = await new Receiver().start();
  const dir = mkdtempSync(join(tmpdir(), 'watch-unrouted-'));
  const configFile = join(dir, 'watch.yaml');
  writeFileSync(
    configFile,
    `apiKeys: [{ name: t, key: ${KEY} }]
channels:
  hook: { type: webhook, down: { url: "${receiver.url}/down", method: POST, body: "$NAME" } }
checks:
  - { name: backup, period: 1m, channels: [hook] }
`,
  );
  const watch = await buildWatch(
    { dataDir: dir, configFile, env: {} },
    {
      logger: silentLogger(),
      processMetrics: false,
      announce: () => {},
      outbox: { retryBaseMs: 50, random: () => 0 },
    },
  );
  await watch.start();
  const app = watchService(watch);
  const call = async (method: string, path: string) => {
    const res = await app.request(`http://watch.test/api/v3${path}`, {
      method,
      headers: { 'X-Api-Key': KEY },
    });
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers, read field by field
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const unroutedGauge = async () =>
    /^alertpath_watch_checks_unrouted (\d+)$/m.exec(
      await (await app.request('http://watch.test/metrics')).text(),
    )?.[1];
  try {
    assert.equal((await call('GET', '/checks/')).json.checks[0].channels, 'hook');
    assert.equal(await unroutedGauge(), '0');
    // The webhook's token was revoked: a 401 is permanent.
    receiver.status = 401;
    const refused = await call('POST', '/channels/hook/test');
    assert.equal(refused.status, 502);
    assert.equal(refused.json.permanent, true);
    const [broken] = (await call('GET', '/checks/')).json.checks;
    assert.equal(broken.channels, '');
    assert.deepEqual(broken.warnings, [
      UNROUTED_WARNING,
      'channel "hook": its last notification failed permanently',
    ]);
    assert.equal(await unroutedGauge(), '1');
    // Fixed: the next try delivers, and the check is routed again.
    receiver.status = 200;
    assert.equal((await call('POST', '/channels/hook/test')).status, 200);
    const [fixed] = (await call('GET', '/checks/')).json.checks;
    assert.equal(fixed.channels, 'hook');
    assert.ok(!('warnings' in fixed));
    assert.equal(await unroutedGauge(), '0');
  } finally {
    await watch.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
