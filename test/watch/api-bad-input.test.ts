import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { type AppRig, appRig } from './rig.js';

/**
 * Bad input, as a property: whatever a client sends to the ping and management APIs (any JSON,
 * any field, any path, any method, any bytes), the answer is a 2xx or a 4xx with Healthchecks'
 * error shape, never a 500; and a field the API accepts is stored and returned.
 */

const KEY = 'k'.repeat(32);
let r: AppRig;
let uuid: string;

before(async () => {
  r = await appRig({
    config: `pingKey: ping-key-0123\nchannels: { mail: { type: fake } }\napiKeys: [{ name: t, key: ${KEY} }]\n`,
    start: false,
  });
  const res = await r.request('/api/v3/checks/', {
    method: 'POST',
    headers: { 'X-Api-Key': KEY },
    body: '{"name": "target", "slug": "target"}',
  });
  uuid = ((await res.json()) as { uuid: string }).uuid;
});
after(async () => {
  await r.close();
  rmSync(r.dir, { recursive: true, force: true });
});

const FIELDS = [
  'name',
  'slug',
  'tags',
  'desc',
  'timeout',
  'grace',
  'schedule',
  'tz',
  'manual_resume',
  'methods',
  'channels',
  'unique',
  'success_kw',
  'failure_kw',
  'start_kw',
  'subject',
  'subject_fail',
  'filter_subject',
  'filter_body',
  'filter_http_body',
  'filter_default_fail',
  'api_key',
  'status',
];

const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    '',
    '*',
    ',',
    'mail',
    '12:34',
    '0 3 * * *',
    'Europe/Kiev',
    'POST',
    'nope',
    60,
    3600,
    1e20,
    -1,
    0.5,
    true,
    null,
  ),
);

async function expectSane(res: Response, what: string) {
  const text = await res.text();
  assert.ok(res.status < 500, `${what}: ${res.status} ${text}`);
  assert.equal(res.headers.get('access-control-allow-origin'), '*', what);
  if (res.status >= 400 && text !== '' && res.headers.get('content-type')?.includes('json')) {
    const body = JSON.parse(text) as { error?: unknown };
    assert.equal(typeof body.error, 'string', `${what}: ${text}`);
  }
  return { status: res.status, text };
}

test('property: any JSON object to create and update is a 200/201 or a 400 with a message', async () => {
  await fc.assert(
    fc.asyncProperty(fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 5 }), async (body) => {
      for (const path of ['/api/v3/checks/', `/api/v1/checks/${uuid}`]) {
        const res = await r.request(path, {
          method: 'POST',
          headers: { 'X-Api-Key': KEY, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        const { status, text } = await expectSane(res, `${path} ${JSON.stringify(body)}`);
        assert.ok([200, 201, 400].includes(status), `${status} ${text}`);
        if (status === 400) assert.match(JSON.parse(text).error, /./);
        // What was accepted is returned as given.
        else
          for (const k of ['name', 'desc', 'success_kw', 'failure_kw', 'start_kw', 'methods'] as const)
            if (typeof body[k] === 'string') assert.equal(JSON.parse(text)[k], body[k], k);
      }
    }),
    { numRuns: 150 },
  );
});

test('property: any bytes as a body, any method, any path under the APIs: never a 500', async () => {
  const segment = fc.oneof(
    fc.constantFrom(
      'checks',
      'pings',
      'flips',
      'body',
      'pause',
      'resume',
      'channels',
      'status',
      '1',
      uuid,
      '',
    ),
    // A dot segment ('..', '%2e.') is resolved by URL parsing and leaves the API: not a path under it.
    fc.stringMatching(/^[A-Za-z0-9%._~-]{0,12}$/).filter((s) => !/^(\.|%2e){1,2}$/i.test(s)),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'),
      fc.constantFrom('/api/v1/', '/api/v2/', '/api/v3/', '/ping/', `/ping/${uuid}/`, '/ping/ping-key-0123/'),
      fc.array(segment, { maxLength: 4 }),
      fc.uint8Array({ maxLength: 64 }),
      fc.boolean(),
      async (method, prefix, parts, bytes, withKey) => {
        const path = `${prefix}${parts.join('/')}`;
        const res = await r.request(path, {
          method,
          headers: withKey ? { 'X-Api-Key': KEY } : {},
          ...(method === 'GET' || method === 'HEAD' ? {} : { body: bytes }),
        });
        const { status } = await expectSane(res, `${method} ${path}`);
        if (status === 405) assert.ok(path.startsWith('/api/'));
      },
    ),
    { numRuns: 300 },
  );
});

test('an API body over 1 MiB answers 413 "too large", not a validation error', async () => {
  const res = await r.request('/api/v3/checks/', {
    method: 'POST',
    headers: { 'X-Api-Key': KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'big', desc: 'x'.repeat(1024 * 1024) }),
  });
  assert.equal(res.status, 413);
  assert.match(
    ((await res.json()) as { error: string }).error,
    /^request body too large: it is over the 1048576-byte limit$/,
  );
});

test('a field alertpath would not store is refused, never dropped', async () => {
  const res = await r.request('/api/v3/checks/', {
    method: 'POST',
    headers: { 'X-Api-Key': KEY },
    body: JSON.stringify({ name: 'typo', filter_http_bdy: true }),
  });
  assert.equal(res.status, 400);
  assert.match(
    ((await res.json()) as { error: string }).error,
    /^json validation error: filter_http_bdy is not a known field/,
  );
});
