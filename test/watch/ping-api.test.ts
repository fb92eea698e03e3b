import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type AppRig, appRig } from './rig.js';

/**
 * The ping API against Healthchecks.io's documented behaviour (https://healthchecks.io/docs/http_api/):
 * status codes, bodies and headers, case by case.
 */

let rig: AppRig;
let uuid: string;
let key: string;

before(async () => {
  rig = await appRig({
    config: 'pingKey: test-ping-key-1\napiKeys: [{ name: t, key: "0123456789abcdef0123" }]\n',
  });
  key = '0123456789abcdef0123';
  uuid = await create({ name: 'backup', slug: 'backup', timeout: 3600, grace: 600 });
});
after(() => rig.close());

async function create(spec: Record<string, unknown>): Promise<string> {
  const res = await rig.request('/api/v3/checks/', {
    method: 'POST',
    headers: { 'X-Api-Key': key },
    body: JSON.stringify(spec),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { uuid: string }).uuid;
}

async function check(id = uuid): Promise<Record<string, unknown>> {
  const res = await rig.request(`/api/v3/checks/${id}`, { headers: { 'X-Api-Key': key } });
  return (await res.json()) as Record<string, unknown>;
}

async function pings(id = uuid): Promise<Array<Record<string, unknown>>> {
  const res = await rig.request(`/api/v3/checks/${id}/pings/`, { headers: { 'X-Api-Key': key } });
  return ((await res.json()) as { pings: Array<Record<string, unknown>> }).pings;
}

async function expect(path: string, status: number, body: string, init?: RequestInit): Promise<Response> {
  const res = await rig.request(path, init);
  const text = await res.text();
  assert.equal(res.status, status, `${init?.method ?? 'GET'} ${path}: ${text}`);
  assert.equal(text, body, `${init?.method ?? 'GET'} ${path}`);
  return res;
}

test('success ping: 200 "OK" with Ping-Body-Limit and Access-Control-Allow-Origin', async () => {
  const res = await expect(`/ping/${uuid}`, 200, 'OK');
  assert.equal(res.headers.get('ping-body-limit'), '10000');
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const c = await check();
  assert.equal(c.status, 'up');
  assert.ok(typeof c.last_ping === 'string');
});

test('every method counts: HEAD, GET, POST, PUT', async () => {
  const before = (await check()).n_pings as number;
  for (const method of ['HEAD', 'GET', 'POST', 'PUT']) {
    const res = await rig.request(`/ping/${uuid}`, { method });
    assert.equal(res.status, 200, method);
  }
  assert.equal((await check()).n_pings, before + 4);
});

test('suffixes /start, /fail, /log and /<exit status> record their kinds', async () => {
  const id = await create({ name: 'kinds', timeout: 3600 });
  await expect(`/ping/${id}/start`, 200, 'OK');
  await expect(`/ping/${id}`, 200, 'OK');
  await expect(`/ping/${id}/fail`, 200, 'OK');
  await expect(`/ping/${id}/log`, 200, 'OK', { method: 'POST', body: 'just a note' });
  await expect(`/ping/${id}/0`, 200, 'OK');
  await expect(`/ping/${id}/255`, 200, 'OK');
  const list = await pings(id);
  assert.deepEqual(
    list.map((p) => p.type),
    ['fail', 'success', 'log', 'fail', 'success', 'start'],
  );
  assert.equal(list[0]?.exitstatus, 255);
  assert.equal(list[1]?.exitstatus, 0);
  assert.equal(typeof list[4]?.duration, 'number', 'the success after a start has a duration');
  assert.equal((await check(id)).status, 'down', 'exit status 255 is a failure');
});

test('400 "invalid url format": exit status over 255, uppercase in a slug; a URL no route matches is 404 (as Healthchecks)', async () => {
  await expect(`/ping/${uuid}/256`, 400, 'invalid url format');
  await expect('/ping/test-ping-key-1/Backup', 400, 'invalid url format');
  await expect(`/ping/${uuid}/restart`, 404, 'not found');
  await expect(`/ping/${uuid}/start/extra`, 404, 'not found');
  await expect('/ping/not-a-uuid', 404, 'not found');
  await expect('/ping/not-uuid/', 404, 'not found');
  await expect('/ping/07c2f54898504b27af5d6c9dc157ec02/', 404, 'not found');
});

test('404 "not found": unknown uuid (even with a bad suffix), unknown slug, wrong ping key', async () => {
  await expect('/ping/00000000-0000-4000-8000-000000000000', 404, 'not found');
  await expect('/ping/00000000-0000-4000-8000-000000000000/256', 404, 'not found');
  await expect('/ping/test-ping-key-1/no-such-check', 404, 'not found');
  await expect('/ping/wrong-ping-key/backup', 404, 'not found');
  await expect('/ping/wrong-ping-key/brand-new?create=1', 404, 'not found');
});

test('rid: a valid uuid pairs start and end; anything else is 400 "invalid uuid format"', async () => {
  await expect(`/ping/${uuid}?rid=abc`, 400, 'invalid uuid format');
  const id = await create({ name: 'rid', timeout: 3600 });
  const rid = '2f1c6a3e-7f5b-4b1e-9d3a-2b4c6d8e0f11';
  await expect(`/ping/${id}/start?rid=${rid}`, 200, 'OK');
  assert.equal((await check(id)).started, true);
  await expect(`/ping/${id}?rid=${rid}`, 200, 'OK');
  const c = await check(id);
  assert.equal(c.started, false);
  assert.equal(typeof c.last_duration, 'number');
  const list = await pings(id);
  assert.equal(list[0]?.rid, rid);
});

test('slug URLs: /ping/<pingKey>/<slug> with suffixes; create=1 answers 201 "Created" once', async () => {
  await expect('/ping/test-ping-key-1/backup', 200, 'OK');
  await expect('/ping/test-ping-key-1/backup/fail', 200, 'OK');
  await expect('/ping/test-ping-key-1/backup/0', 200, 'OK');
  await expect('/ping/test-ping-key-1/auto-made?create=1', 201, 'Created');
  await expect('/ping/test-ping-key-1/auto-made?create=1', 200, 'OK');
  const res = await rig.request('/api/v3/checks/?slug=auto-made', { headers: { 'X-Api-Key': key } });
  const { checks } = (await res.json()) as { checks: Array<Record<string, unknown>> };
  assert.equal(checks.length, 1);
  assert.equal(checks[0]?.name, 'auto-made');
  assert.equal(checks[0]?.n_pings, 2);
});

test('concurrent first pings with create=1 make one check', async () => {
  const results = await Promise.all(
    Array.from({ length: 8 }, () => rig.request('/ping/test-ping-key-1/racer?create=1')),
  );
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201]);
  const res = await rig.request('/api/v3/checks/?slug=racer', { headers: { 'X-Api-Key': key } });
  assert.equal(((await res.json()) as { checks: unknown[] }).checks.length, 1);
});

test('409 "ambiguous slug" when two checks share the slug', async () => {
  await create({ name: 'twin 1', slug: 'twin', timeout: 3600 });
  await create({ name: 'twin 2', slug: 'twin', timeout: 3600 });
  await expect('/ping/test-ping-key-1/twin', 409, 'ambiguous slug');
});

test('the body is stored up to Ping-Body-Limit bytes and readable through the API', async () => {
  const id = await create({ name: 'bodies', timeout: 3600 });
  const body = `${'a'.repeat(9_990)}${'b'.repeat(5_000)}`;
  await expect(`/ping/${id}`, 200, 'OK', { method: 'POST', body });
  const [p] = await pings(id);
  assert.equal(p?.body_url, `https://watch.example.net/api/v3/checks/${id}/pings/1/body`);
  const res = await rig.request(`/api/v3/checks/${id}/pings/1/body`, { headers: { 'X-Api-Key': key } });
  const stored = await res.text();
  assert.equal(stored.length, 10_000);
  assert.equal(stored, body.slice(0, 10_000));
});

test('a resolved Alertmanager payload is ign and does not keep the check up; firing is a success', async () => {
  const id = await create({ name: 'watchdog', timeout: 60 });
  const payload = (status: string) =>
    JSON.stringify({ version: '4', status, alerts: [{ status, labels: { alertname: 'Watchdog' } }] });
  await expect(`/ping/${id}`, 200, 'OK', { method: 'POST', body: payload('resolved') });
  assert.equal((await check(id)).status, 'new');
  await expect(`/ping/${id}`, 200, 'OK', { method: 'POST', body: payload('firing') });
  assert.equal((await check(id)).status, 'up');
  const list = await pings(id);
  assert.deepEqual(
    list.map((p) => p.type),
    ['success', 'ign'],
  );
});

test('manual resume: a paused check ignores pings until resumed through the API', async () => {
  const id = await create({ name: 'manual', timeout: 3600, manual_resume: true });
  await expect(`/ping/${id}`, 200, 'OK');
  const paused = await rig.request(`/api/v3/checks/${id}/pause`, {
    method: 'POST',
    headers: { 'X-Api-Key': key },
  });
  assert.equal(((await paused.json()) as { status: string }).status, 'paused');
  await expect(`/ping/${id}`, 200, 'OK');
  assert.equal((await check(id)).status, 'paused');
  assert.equal((await pings(id))[0]?.type, 'ign');
  const resumed = await rig.request(`/api/v3/checks/${id}/resume`, {
    method: 'POST',
    headers: { 'X-Api-Key': key },
  });
  assert.equal(resumed.status, 200);
  assert.equal(((await resumed.json()) as { status: string }).status, 'new');
  await expect(`/ping/${id}`, 200, 'OK');
  assert.equal((await check(id)).status, 'up');
});
