import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type AppRig, appRig } from './rig.js';

const RW = 'rw-key-0123456789abcdef';
const RO = 'ro-key-0123456789abcdef';

let rig: AppRig;

before(async () => {
  rig = await appRig({
    config: [
      'channels:',
      '  mail: { type: fake }',
      '  phone: { type: fake }',
      'defaults: { channels: [mail] }',
      'checks:',
      '  - { name: from-config, period: 1m, grace: 1m, tags: [k8s] }',
      'apiKeys:',
      `  - { name: ci, key: ${RW} }`,
      `  - { name: dashboard, key: ${RO}, readOnly: true }`,
      '',
    ].join('\n'),
  });
});
after(() => rig.close());

const call = async (path: string, init: RequestInit & { key?: string | null } = {}) => {
  const headers: Record<string, string> = {};
  if (init.key !== null) headers['X-Api-Key'] = init.key ?? RW;
  const res = await rig.request(`/api/v3${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};

test('auth: 401 missing api key, 401 wrong api key; no key is generated when the config has keys', async () => {
  assert.deepEqual(await call('/checks/', { key: null }), {
    status: 401,
    body: { error: 'missing api key' },
  });
  assert.deepEqual(await call('/checks/', { key: 'nope' }), {
    status: 401,
    body: { error: 'wrong api key' },
  });
  assert.equal(rig.announced.filter((l) => l.includes('API key')).length, 0);
  const keys = await rig.watch.store.listApiKeys();
  assert.equal(keys.length, 0, 'config keys are hashed in memory, not copied into the database');
});

test('create, upsert with unique, update, list by tag and slug, delete', async () => {
  const created = await call('/checks/', {
    method: 'POST',
    body: JSON.stringify({
      name: 'Backups',
      slug: 'backups',
      tags: 'prod db',
      timeout: 3600,
      grace: 900,
      unique: ['name'],
    }),
  });
  assert.equal(created.status, 201);
  const c = created.body;
  assert.equal(c.name, 'Backups');
  assert.equal(c.tags, 'prod db');
  assert.equal(c.timeout, 3600);
  assert.equal(c.grace, 900);
  assert.equal(c.status, 'new');
  assert.equal(c.channels, 'mail', 'no channels named: the defaults');
  assert.equal(c.ping_url, `https://watch.example.net/ping/${c.uuid}`);
  assert.equal(c.update_url, `https://watch.example.net/api/v3/checks/${c.uuid}`);
  assert.equal(c.pause_url, `${c.update_url}/pause`);
  for (const field of [
    'desc',
    'n_pings',
    'started',
    'last_ping',
    'next_ping',
    'last_duration',
    'manual_resume',
    'methods',
  ])
    assert.ok(field in c, field);

  const again = await call('/checks/', {
    method: 'POST',
    body: JSON.stringify({ name: 'Backups', timeout: 7200, unique: ['name'] }),
  });
  assert.equal(again.status, 200, 'unique match updates');
  assert.equal(again.body.uuid, c.uuid);
  assert.equal(again.body.timeout, 7200);

  const cron = await call(`/checks/${c.uuid}`, {
    method: 'POST',
    body: JSON.stringify({ schedule: '0 3 * * *', tz: 'Europe/Berlin', channels: 'phone,mail' }),
  });
  assert.equal(cron.status, 200);
  assert.equal(cron.body.schedule, '0 3 * * *');
  assert.equal(cron.body.tz, 'Europe/Berlin');
  assert.equal(cron.body.channels, 'phone,mail');
  assert.ok(!('timeout' in cron.body));

  const byTag = await call('/checks/?tag=prod&tag=db');
  assert.deepEqual(
    (byTag.body.checks as Array<{ name: string }>).map((x) => x.name),
    ['Backups'],
  );
  const bySlug = await call('/checks/?slug=backups');
  assert.equal((bySlug.body.checks as unknown[]).length, 1);

  const del = await call(`/checks/${c.uuid}`, { method: 'DELETE' });
  assert.equal(del.status, 200);
  assert.equal((await call(`/checks/${c.uuid}`)).status, 404);
});

test("validation keeps Healthchecks' limits: timeout and grace from 60 s to 365 days", async () => {
  const post = (body: unknown) => call('/checks/', { method: 'POST', body: JSON.stringify(body) });
  assert.deepEqual(await post({ timeout: 59 }), {
    status: 400,
    body: { error: 'json validation error: timeout is too small' },
  });
  assert.deepEqual(await post({ grace: 31_536_001 }), {
    status: 400,
    body: { error: 'json validation error: grace is too large' },
  });
  assert.equal((await post({ timeout: '60' })).body.error, 'json validation error: timeout is not a number');
  assert.equal((await post({ schedule: '61 * * * *' })).status, 400);
  assert.equal(
    (await post({ tz: 'Mars/Olympus' })).body.error,
    'json validation error: tz is not a valid timezone',
  );
  assert.equal(
    (await post({ slug: 'Has Caps' })).body.error,
    'json validation error: slug does not match pattern',
  );
  assert.equal((await post({ channels: 'nope' })).body.error, 'invalid channel identifier: nope');
  const raw = await rig.request('/api/v3/checks/', {
    method: 'POST',
    headers: { 'X-Api-Key': RW },
    body: '{not json',
  });
  assert.equal(raw.status, 400);
});

test('read-only keys: may GET, see unique_key instead of uuid and URLs, get 401 "wrong api key" on writes (as Healthchecks)', async () => {
  const list = await call('/checks/', { key: RO });
  assert.equal(list.status, 200);
  const item = (list.body.checks as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  assert.equal(typeof item.unique_key, 'string');
  for (const hidden of ['uuid', 'ping_url', 'update_url', 'pause_url', 'resume_url', 'channels'])
    assert.ok(!(hidden in item), `${hidden} hidden from read-only keys`);
  const one = await call(`/checks/${item.unique_key}`, { key: RO });
  assert.equal(one.status, 200);
  assert.equal(one.body.name, item.name);
  const flips = await call(`/checks/${item.unique_key}/flips/`, { key: RO });
  assert.equal(flips.status, 200);
  const write = await call('/checks/', { key: RO, method: 'POST', body: '{"name":"x"}' });
  assert.deepEqual(write, { status: 401, body: { error: 'wrong api key' } });
  assert.equal((await call('/channels/', { key: RO })).status, 401);
});

test('config-defined checks can be paused and resumed, not redefined or deleted', async () => {
  const list = await call('/checks/?tag=k8s');
  const c = (list.body.checks as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  assert.equal(c.name, 'from-config');
  assert.equal(c.managed, true);
  assert.equal((await call(`/checks/${c.uuid}`, { method: 'POST', body: '{"timeout": 120}' })).status, 403);
  assert.equal((await call(`/checks/${c.uuid}`, { method: 'DELETE' })).status, 403);
  assert.equal((await call(`/checks/${c.uuid}/resume`, { method: 'POST' })).status, 409, 'not paused');
  const paused = await call(`/checks/${c.uuid}/pause`, { method: 'POST' });
  assert.equal(paused.body.status, 'paused');
  const resumed = await call(`/checks/${c.uuid}/resume`, { method: 'POST' });
  assert.equal(resumed.body.status, 'new');
  const flips = await call(`/checks/${c.uuid}/flips/`);
  assert.deepEqual(
    (flips.body.flips as Array<{ to: string; reason: string }>).map((f) => `${f.to}:${f.reason}`),
    ['new:resume', 'paused:pause'],
  );
  assert.equal((await call(`/checks/${c.uuid}/flips/?seconds=abc`)).status, 400);
});

test('channels list and status', async () => {
  const ch = await call('/channels/');
  assert.deepEqual(ch.body, {
    channels: [
      { id: 'mail', name: 'mail', kind: 'fake' },
      { id: 'phone', name: 'phone', kind: 'fake' },
    ],
  });
  const status = await rig.request('/api/v3/status/');
  assert.equal(status.status, 200);
  assert.equal(await status.text(), 'OK');
});

test('/healthz, /readyz and /metrics with the contract metric names', async () => {
  assert.equal((await rig.request('/healthz')).status, 200);
  assert.equal((await rig.request('/readyz')).status, 200);
  const list = await call('/checks/?tag=k8s');
  const c = (list.body.checks as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
  await rig.request(`/ping/${c.uuid}`);
  const text = await (await rig.request('/metrics')).text();
  assert.match(text, /alertpath_watch_check_status\{check="from-config",status="up"\} 1/);
  assert.match(text, /alertpath_watch_check_status\{check="from-config",status="down"\} 0/);
  assert.match(text, /alertpath_watch_check_last_ping_timestamp_seconds\{check="from-config"\} \d+/);
  assert.match(text, /alertpath_watch_pings_total\{kind="success"\} \d+/);
  assert.match(text, /# TYPE alertpath_watch_alert_delay_seconds histogram/);
  assert.match(text, /# TYPE alertpath_watch_notifications_total counter/);
});

test('with no config, an API key is generated once, shown once and stored hashed', async () => {
  const bare = await appRig();
  try {
    assert.ok(bare.apiKey, bare.announced.join('\n'));
    const res = await bare.request('/api/v3/checks/', { headers: { 'X-Api-Key': bare.apiKey as string } });
    assert.equal(res.status, 200);
    const keys = await bare.watch.store.listApiKeys();
    assert.equal(keys.length, 1);
    assert.notEqual(keys[0]?.hash, bare.apiKey);
    assert.match(keys[0]?.hash ?? '', /^[0-9a-f]{64}$/);
  } finally {
    await bare.close();
  }
  const again = await appRig({ dir: bare.dir });
  try {
    assert.equal(again.apiKey, undefined, 'not generated a second time');
    const res = await again.request('/api/v3/checks/', { headers: { 'X-Api-Key': bare.apiKey as string } });
    assert.equal(res.status, 200);
  } finally {
    await again.close();
  }
});
