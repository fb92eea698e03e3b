import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { ManualClock } from '../helpers/clock.js';
import { type AppRig, appRig } from './rig.js';

/**
 * Healthchecks' own API test cases (hc/api/tests/ in healthchecks/healthchecks), replayed over
 * HTTP against a real `alertpath watch` (buildWatch, its Hono app, a SQLite store in a temporary
 * directory, a manual clock). Each case is named `<file> › <test>` after the Healthchecks test it
 * replays, and sets up the same situation through the ping and management APIs (where the
 * original writes database rows), then asserts what the original asserts: statuses, bodies,
 * headers, field names and values.
 *
 * - `replay`: a case alertpath must pass as Healthchecks does.
 * - `differs`: a deliberate difference (docs/watch.md lists each with its reason); the case
 *   asserts alertpath's behaviour instead, and counts as applicable but not passed.
 * - `NOT_APPLICABLE`: cases about what alertpath does not have (projects and teams, check limits,
 *   S3, Healthchecks' own key format, e-mail intake, badges served by the dashboard) or about
 *   Healthchecks' internals (query counts, mocks of its functions).
 *
 * The last test counts them and requires at least 95 % of the applicable cases to pass.
 */

const X = 'X'.repeat(32);
const R = 'R'.repeat(32);
const PING_KEY = 'p'.repeat(22);
const BASE = 'https://watch.example.net';
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, read field by field as the Python tests do
type Json = Record<string, unknown> & { [k: string]: any };

interface Res {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: Json;
}

interface Options {
  /** Channels in the config (type fake), by name. */
  channels?: string[];
  defaults?: string[];
  pingBodyLimit?: number;
  /** Start the clock here (default NOW). */
  at?: number;
}

class Hc {
  constructor(
    readonly rig: AppRig,
    readonly clock: ManualClock,
  ) {}

  async req(
    method: string,
    path: string,
    opts: { body?: string | Buffer | object; key?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key) headers['X-Api-Key'] = opts.key;
    let body: string | Uint8Array | undefined;
    if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body))
      body = typeof opts.body === 'string' ? opts.body : new Uint8Array(opts.body);
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    const res = await this.rig.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, text, bytes, json };
  }

  /** The management API, as Healthchecks' tests call it (v1 unless told, key X in the header). */
  api(method: string, path: string, opts: { body?: string | object; key?: string | null; v?: number } = {}) {
    const key = opts.key === undefined ? X : opts.key;
    return this.req(method, `/api/v${opts.v ?? 1}${path}`, {
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      key,
    });
  }

  /** A check made through the API (v3, so no slug is derived unless given). */
  async check(spec: Json = {}): Promise<Json> {
    const r = await this.api('POST', '/checks/', { body: spec, v: 3 });
    assert.equal(r.status, 201, r.text);
    return r.json;
  }

  async get(uuid: string, v = 1, key = X): Promise<Json> {
    const r = await this.api('GET', `/checks/${uuid}`, { v, key });
    assert.equal(r.status, 200, r.text);
    return r.json;
  }

  ping(path: string, opts: Parameters<Hc['req']>[2] & { method?: string } = {}): Promise<Res> {
    return this.req(opts.method ?? 'GET', `/ping/${path}`, opts);
  }

  async pings(uuid: string): Promise<Json[]> {
    const r = await this.api('GET', `/checks/${uuid}/pings/`, { v: 3 });
    assert.equal(r.status, 200, r.text);
    return r.json.pings as Json[];
  }

  async lastPing(uuid: string): Promise<Json> {
    const p = await this.pings(uuid);
    assert.ok(p.length > 0, 'a ping was recorded');
    return p[0] as Json;
  }

  async flips(uuid: string): Promise<Json[]> {
    const r = await this.api('GET', `/checks/${uuid}/flips/`, { v: 3 });
    assert.equal(r.status, 200, r.text);
    return r.json.flips as Json[];
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** The ids of the configured channels, as `/channels/` lists them. */
  async channelIds(): Promise<Record<string, string>> {
    const r = await this.api('GET', '/channels/');
    return Object.fromEntries((r.json.channels as Json[]).map((c) => [c.name, c.id]));
  }
}

async function hc(o: Options = {}): Promise<Hc> {
  const clock = new ManualClock(o.at ?? NOW);
  const config = [
    `pingKey: ${PING_KEY}`,
    ...(o.pingBodyLimit !== undefined ? [`pingBodyLimit: ${o.pingBodyLimit}`] : []),
    'apiKeys:',
    `  - { name: project, key: ${X} }`,
    `  - { name: project-read-only, key: ${R}, readOnly: true }`,
    ...(o.channels?.length ? ['channels:', ...o.channels.map((c) => `  "${c}": { type: fake }`)] : []),
    ...(o.defaults ? [`defaults: { channels: [${o.defaults.join(', ')}] }`] : []),
    '',
  ].join('\n');
  const rig = await appRig({ config, clock, start: false, baseUrl: BASE });
  return new Hc(rig, clock);
}

// ---- bookkeeping ------------------------------------------------------------------------------

const results = new Map<string, 'passed' | 'failed' | 'different'>();

function run(name: string, kind: 'replay' | 'different', fn: (h: Hc) => Promise<void>, o?: Options) {
  results.set(name, 'failed');
  test(name, async () => {
    const h = await hc(o);
    try {
      await fn(h);
      results.set(name, kind === 'replay' ? 'passed' : 'different');
    } finally {
      await h.rig.close();
      rmSync(h.rig.dir, { recursive: true, force: true });
    }
  });
}

/** A Healthchecks test case alertpath passes as Healthchecks does. */
function replay(file: string, name: string, fn: (h: Hc) => Promise<void>, o?: Options) {
  run(`${file} › ${name}`, 'replay', fn, o);
}

/** A deliberate difference: `fn` asserts alertpath's behaviour; `why` is in docs/watch.md. */
function differs(file: string, name: string, why: string, fn: (h: Hc) => Promise<void>, o?: Options) {
  assert.ok(why.length > 0);
  run(`${file} › ${name} [deliberately different: ${why}]`, 'different', fn, o);
}

const NOT_APPLICABLE: Record<string, { why: string; cases: string[] }> = {};
function notApplicable(file: string, why: string, cases: string[]) {
  const entry = NOT_APPLICABLE[why] ?? { why, cases: [] };
  entry.cases.push(...cases.map((c) => `${file} › ${c}`));
  NOT_APPLICABLE[why] = entry;
}
/** A whole file outside the ping and management APIs: `count` cases. */
function notApplicableFile(file: string, count: number, why: string) {
  notApplicable(
    file,
    why,
    Array.from({ length: count }, (_, i) => `case ${i + 1} of ${count}`),
  );
}

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
const RID_A = '04603d8b-edf4-4e85-8f61-24bedbcaab59';
const RID_B = '9a3b4f3c-1e2d-4c5b-8a6f-7d8e9f0a1b2c';

// ---- test_create_check.py ---------------------------------------------------------------------

{
  const F = 'test_create_check';
  /** Healthchecks' helper: POST to /api/v<v>/checks/ with the key in the body unless given. */
  const post = (h: Hc, data: Json, v = 1) =>
    h.req('POST', `/api/v${v}/checks/`, { body: { api_key: X, ...data } });
  const expectError = async (h: Hc, data: Json, fragment: string, v = 1) => {
    const r = await post(h, data, v);
    assert.equal(r.status, 400, r.text);
    assert.ok(String(r.json.error).includes(fragment), `${JSON.stringify(data)}: ${r.json.error}`);
  };

  replay(F, 'test_it_works', async (h) => {
    const r = await post(h, {
      name: 'Foo',
      tags: 'bar,baz',
      desc: 'description goes here',
      timeout: 3600,
      grace: 60,
      start_kw: 'START',
      success_kw: 'SUCCESS',
      failure_kw: 'FAILURE',
      filter_subject: true,
      filter_body: true,
      filter_http_body: true,
      filter_default_fail: true,
    });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const doc = r.json;
    assert.ok('ping_url' in doc);
    assert.equal(doc.name, 'Foo');
    assert.equal(doc.slug, 'foo');
    assert.equal(doc.tags, 'bar,baz');
    assert.equal(doc.desc, 'description goes here');
    assert.equal(doc.last_ping, null);
    assert.equal(doc.n_pings, 0);
    assert.equal(doc.methods, '');
    assert.equal(doc.start_kw, 'START');
    assert.equal(doc.success_kw, 'SUCCESS');
    assert.equal(doc.failure_kw, 'FAILURE');
    assert.equal(doc.filter_subject, true);
    assert.equal(doc.filter_body, true);
    assert.equal(doc.filter_http_body, true);
    assert.equal(doc.filter_default_fail, true);
    assert.ok(!('schedule' in doc));
    assert.ok(!('tz' in doc));
    // What is stored: read back.
    const stored = await h.get(doc.uuid);
    assert.equal(stored.timeout, 3600);
    assert.equal(stored.grace, 60);
    assert.equal(stored.filter_http_body, true);
  });

  replay(F, 'test_it_rejects_null_values', async (h) => {
    for (const field of [
      'channels',
      'timeout',
      'grace',
      'name',
      'schedule',
      'subject',
      'subject_fail',
      'unique',
    ])
      await expectError(h, { [field]: null }, `${field} is not a`);
  });

  replay(F, 'test_it_handles_options', async (h) => {
    const r = await h.req('OPTIONS', '/api/v1/checks/');
    assert.equal(r.status, 204);
    assert.ok(r.headers.get('access-control-allow-methods')?.includes('POST'));
  });

  replay(F, 'test_30_days_works', async (h) => {
    const r = await post(h, { name: 'Foo', timeout: 2592000, grace: 2592000 });
    assert.equal(r.status, 201);
    const c = await h.get(r.json.uuid);
    assert.equal(c.timeout, 2592000);
    assert.equal(c.grace, 2592000);
  });

  replay(F, 'test_it_accepts_api_key_in_header', async (h) => {
    const r = await h.req('POST', '/api/v1/checks/', { body: { name: 'Foo' }, key: X });
    assert.equal(r.status, 201);
  });

  replay(
    F,
    'test_it_assigns_channels',
    async (h) => {
      const r = await post(h, { channels: '*' });
      assert.equal(r.status, 201);
      assert.equal(r.json.channels, (await h.channelIds()).alerts);
    },
    { channels: ['alerts'] },
  );

  replay(
    F,
    'test_it_sets_channel_by_name',
    async (h) => {
      const r = await post(h, { channels: 'alerts' });
      assert.equal(r.status, 201);
      assert.equal((await h.get(r.json.uuid)).channels, (await h.channelIds()).alerts);
    },
    { channels: ['alerts', 'other'] },
  );

  replay(
    F,
    'test_it_sets_channel_by_name_formatted_as_uuid',
    async (h) => {
      const name = '102eaa82-a274-4b15-a499-c1bb6bbcd7b6';
      const r = await post(h, { channels: name });
      assert.equal(r.status, 201);
      assert.equal((await h.get(r.json.uuid)).channels, (await h.channelIds())[name]);
    },
    { channels: ['102eaa82-a274-4b15-a499-c1bb6bbcd7b6'] },
  );

  replay(F, 'test_it_handles_channel_lookup_by_name_with_no_results', async (h) => {
    const r = await post(h, { channels: 'abc' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid channel identifier: abc');
    assert.deepEqual((await h.api('GET', '/checks/')).json.checks, []);
  });

  replay(F, 'test_it_rejects_multiple_empty_channel_names', async (h) => {
    const r = await post(h, { channels: ',' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'empty channel identifier');
    assert.deepEqual((await h.api('GET', '/checks/')).json.checks, []);
  });

  replay(F, 'test_it_rejects_non_string_channels_key', (h) =>
    expectError(h, { channels: 123 }, 'channels is not a string'),
  );

  replay(F, 'test_it_supports_unique_name', async (h) => {
    const c = await h.check({ name: 'Foo' });
    const r = await post(h, { name: 'Foo', tags: 'bar', unique: ['name'] });
    assert.equal(r.status, 200);
    assert.equal((await h.api('GET', '/checks/')).json.checks.length, 1);
    assert.equal((await h.get(c.uuid)).tags, 'bar');
  });

  replay(F, 'test_it_creates_new_check_if_unique_references_absent_field', async (h) => {
    await h.check({});
    for (const s of ['name', 'slug', 'tags', 'timeout', 'grace'])
      assert.equal((await post(h, { unique: [s] })).status, 201, s);
  });

  replay(F, 'test_it_supports_unique_slug', async (h) => {
    const c = await h.check({ slug: 'foo' });
    const r = await post(h, { slug: 'foo', tags: 'bar', unique: ['slug'] });
    assert.equal(r.status, 200);
    assert.equal((await h.api('GET', '/checks/')).json.checks.length, 1);
    assert.equal((await h.get(c.uuid)).tags, 'bar');
  });

  replay(F, 'test_it_supports_unique_tags', async (h) => {
    await h.check({ tags: 'foo' });
    assert.equal((await post(h, { tags: 'foo', unique: ['tags'] })).status, 200);
    assert.equal((await h.api('GET', '/checks/')).json.checks.length, 1);
  });

  replay(F, 'test_it_supports_unique_timeout', async (h) => {
    await h.check({ timeout: 123 });
    assert.equal((await post(h, { timeout: 123, unique: ['timeout'] })).status, 200);
    assert.equal((await h.api('GET', '/checks/')).json.checks.length, 1);
  });

  replay(F, 'test_it_supports_unique_grace', async (h) => {
    await h.check({ grace: 123 });
    assert.equal((await post(h, { grace: 123, unique: ['grace'] })).status, 200);
    assert.equal((await h.api('GET', '/checks/')).json.checks.length, 1);
  });

  replay(F, 'test_it_handles_empty_unique_parameter', async (h) => {
    const c = await h.check({});
    assert.equal((await post(h, { name: 'Hello', unique: [] })).status, 201);
    assert.equal((await h.get(c.uuid)).name, '');
  });

  replay(F, 'test_it_handles_missing_request_body', async (h) => {
    const r = await h.req('POST', '/api/v1/checks/', { headers: { 'Content-Type': 'application/json' } });
    assert.equal(r.status, 401);
    assert.equal(r.json.error, 'missing api key');
  });

  replay(F, 'test_it_handles_invalid_json', async (h) => {
    const r = await h.req('POST', '/api/v1/checks/', { body: 'this is not json' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'could not parse request body');
  });

  replay(F, 'test_it_handles_non_dict_json', async (h) => {
    const r = await h.req('POST', '/api/v1/checks/', { body: '[1,2,3]' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'json validation error: value is not an object');
  });

  replay(F, 'test_it_rejects_wrong_api_key', async (h) => {
    assert.equal((await post(h, { api_key: 'Y'.repeat(32) })).status, 401);
  });

  replay(F, 'test_it_rejects_small_timeout', (h) => expectError(h, { timeout: 0 }, 'timeout is too small'));
  replay(F, 'test_it_rejects_large_timeout', (h) =>
    expectError(h, { timeout: 31536001 }, 'timeout is too large'),
  );
  replay(F, 'test_it_rejects_non_number_timeout', (h) =>
    expectError(h, { timeout: 'oops' }, 'timeout is not a number'),
  );
  replay(F, 'test_it_rejects_non_string_name', (h) =>
    expectError(h, { name: false }, 'name is not a string'),
  );
  replay(F, 'test_it_rejects_long_name', (h) =>
    expectError(h, { name: '01234567890'.repeat(20) }, 'name is too long'),
  );
  replay(F, 'test_unique_accepts_only_specific_values', (h) =>
    expectError(h, { name: 'Foo', unique: ['status'] }, "an item in 'unique' has unexpected value"),
  );
  replay(F, 'test_it_rejects_bad_unique_values', (h) =>
    expectError(h, { name: 'Foo', unique: 'not a list' }, 'not an array'),
  );

  replay(F, 'test_it_supports_cron_syntax', async (h) => {
    const r = await post(h, { schedule: '5 * * * *', tz: 'Europe/Riga', grace: 60 });
    assert.equal(r.status, 201);
    assert.equal(r.json.schedule, '5 * * * *');
    assert.equal(r.json.tz, 'Europe/Riga');
    assert.equal(r.json.grace, 60);
    assert.ok(!('timeout' in r.json));
  });

  replay(F, 'test_it_validates_cron_expression', async (h) => {
    for (const expr of ['bad-expression', '* * * * * *'])
      await expectError(
        h,
        { schedule: expr, tz: 'Europe/Riga', grace: 60 },
        'schedule is not a valid cron or OnCalendar expression',
      );
  });

  replay(F, 'test_it_rejects_long_cron_expression', (h) =>
    expectError(
      h,
      { schedule: `${'1,'.repeat(100)}1 * * * *`, tz: 'Europe/Riga', grace: 60 },
      'schedule is too long',
    ),
  );

  replay(F, 'test_it_validates_timezone', (h) =>
    expectError(h, { schedule: '* * * * *', tz: 'not-a-timezone', grace: 60 }, 'tz is not a valid timezone'),
  );

  replay(F, 'test_it_converts_legacy_timezone', async (h) => {
    for (const [old, now] of [
      ['Europe/Kiev', 'Europe/Kyiv'],
      ['UCT', 'Etc/UTC'],
      ['CET', 'Europe/Brussels'],
    ]) {
      const r = await post(h, { schedule: '* * * * *', tz: old, grace: 60 });
      assert.equal(r.status, 201);
      assert.equal(r.json.tz, now);
    }
  });

  replay(F, 'test_it_supports_oncalendar_syntax', async (h) => {
    const r = await post(h, { schedule: '12:34', tz: 'Europe/Riga', grace: 60 });
    assert.equal(r.status, 201);
    assert.equal(r.json.schedule, '12:34');
    assert.equal(r.json.tz, 'Europe/Riga');
    assert.equal(r.json.grace, 60);
    assert.ok(!('timeout' in r.json));
  });

  replay(F, 'test_it_validates_oncalendar_expression', (h) =>
    expectError(
      h,
      { schedule: '12:34\nsurprise', tz: 'Europe/Riga', grace: 60 },
      'schedule is not a valid cron or OnCalendar expression',
    ),
  );

  replay(F, 'test_it_sets_default_timeout', async (h) => {
    const r = await post(h, {});
    assert.equal(r.status, 201);
    assert.equal(r.json.timeout, 86400);
  });

  replay(F, 'test_it_rejects_readonly_key', async (h) => {
    assert.equal((await post(h, { api_key: R, name: 'Foo' })).status, 401);
  });

  replay(F, 'test_it_sets_manual_resume', async (h) => {
    const r = await post(h, { manual_resume: true });
    assert.equal(r.status, 201);
    assert.equal((await h.get(r.json.uuid)).manual_resume, true);
  });

  replay(F, 'test_it_rejects_non_boolean_manual_resume', (h) =>
    expectError(h, { manual_resume: 'surprise' }, 'manual_resume is not a boolean'),
  );

  replay(F, 'test_it_rejects_non_boolean_filter_flags', async (h) => {
    for (const s of ['filter_subject', 'filter_body'])
      await expectError(h, { [s]: 'surprise' }, `${s} is not a boolean`);
  });

  replay(F, 'test_it_sets_methods', async (h) => {
    const r = await post(h, { methods: 'POST' });
    assert.equal(r.status, 201);
    assert.equal((await h.get(r.json.uuid)).methods, 'POST');
  });

  replay(F, 'test_it_rejects_bad_methods_value', (h) =>
    expectError(h, { methods: 'bad-value' }, 'methods has unexpected value'),
  );

  replay(F, 'test_it_rejects_long_filtering_keywords', async (h) => {
    for (const s of ['subject', 'subject_fail', 'start_kw', 'success_kw', 'failure_kw'])
      await expectError(h, { [s]: 'A'.repeat(201) }, `${s} is too long`);
  });

  replay(F, 'test_it_sets_success_kw', async (h) => {
    const r = await post(h, { subject: 'SUCCESS,COMPLETE' });
    assert.equal(r.status, 201);
    const c = await h.get(r.json.uuid);
    assert.equal(c.filter_subject, true);
    assert.equal(c.success_kw, 'SUCCESS,COMPLETE');
  });

  replay(F, 'test_it_sets_failure_kw', async (h) => {
    const r = await post(h, { subject_fail: 'FAILED,FAILURE' });
    assert.equal(r.status, 201);
    const c = await h.get(r.json.uuid);
    assert.equal(c.filter_subject, true);
    assert.equal(c.failure_kw, 'FAILED,FAILURE');
  });

  replay(F, 'test_it_rejects_non_string_subject', (h) =>
    expectError(h, { subject: false }, 'subject is not a string'),
  );
  replay(F, 'test_it_rejects_non_string_subject_fail', (h) =>
    expectError(h, { subject_fail: false }, 'subject_fail is not a string'),
  );

  replay(F, 'test_v2_reports_started_separately', async (h) => {
    const c = await h.check({ name: 'X' });
    await h.ping(`${c.uuid}/start`);
    const r = await post(h, { name: 'X', unique: ['name'] }, 2);
    assert.equal(r.status, 200);
    assert.equal(r.json.status, 'new');
    assert.equal(r.json.started, true);
  });

  replay(F, 'test_v3_saves_slug', async (h) => {
    const r = await post(h, { name: 'Foo', slug: 'custom-slug' }, 3);
    assert.equal(r.status, 201);
    const c = await h.get(r.json.uuid);
    assert.equal(c.name, 'Foo');
    assert.equal(c.slug, 'custom-slug');
  });

  replay(F, 'test_v3_does_not_autogenerate_slug', async (h) => {
    const r = await post(h, { name: 'Foo' }, 3);
    assert.equal(r.status, 201);
    assert.equal((await h.get(r.json.uuid)).slug, '');
  });

  replay(F, 'test_it_handles_invalid_slug', async (h) => {
    for (const slug of ['Uppercase', 'special!', 'look spaces']) {
      const r = await post(h, { name: 'Foo', slug }, 3);
      assert.equal(r.status, 400);
      assert.equal(r.json.error, 'json validation error: slug does not match pattern');
    }
  });

  replay(F, 'test_it_rejects_long_slug', (h) =>
    expectError(h, { name: 'Foo', slug: 'a'.repeat(101) }, 'slug is too long', 3),
  );

  notApplicable(F, 'channel names are unique: they are the keys of the config’s channels map', [
    'test_it_handles_channel_lookup_by_name_with_multiple_results',
  ]);
  notApplicable(F, 'alertpath has no projects, accounts or check limits', ['test_it_obeys_check_limit']);
}

// ---- test_update_check.py ---------------------------------------------------------------------

{
  const F = 'test_update_check';
  const post = (h: Hc, code: string, data: Json, v = 1, key = X) =>
    h.req('POST', `/api/v${v}/checks/${code}`, { body: data, key });
  /** Healthchecks' setUp: one check, with nothing set. */
  const fresh = (h: Hc) => h.check({});

  replay(F, 'test_it_works', async (h) => {
    const c = await fresh(h);
    await h.ping(c.uuid);
    const r = await post(h, c.uuid, {
      name: 'Foo',
      tags: 'bar,baz',
      desc: 'My description',
      timeout: 3600,
      grace: 60,
      filter_http_body: true,
      filter_default_fail: true,
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const doc = r.json;
    assert.ok('ping_url' in doc);
    assert.equal(doc.name, 'Foo');
    assert.equal(doc.slug, 'foo');
    assert.equal(doc.tags, 'bar,baz');
    assert.equal(doc.desc, 'My description');
    assert.equal(doc.n_pings, 1);
    assert.ok(!('schedule' in doc));
    assert.ok(!('tz' in doc));
    assert.equal((await h.api('GET', '/checks/')).json.checks.length, 1);
    assert.equal(doc.timeout, 3600);
    assert.equal(doc.grace, 60);
    assert.equal(doc.filter_http_body, true);
    assert.equal(doc.filter_default_fail, true);
    // alert_after follows: the next ping is due timeout after the last one.
    assert.equal(doc.next_ping, iso(NOW + 3600 * SEC));
  });

  replay(F, 'test_it_handles_options', async (h) => {
    const c = await fresh(h);
    const r = await h.req('OPTIONS', `/api/v1/checks/${c.uuid}`);
    assert.equal(r.status, 204);
    assert.ok(r.headers.get('access-control-allow-methods')?.includes('POST'));
  });

  replay(
    F,
    'test_it_unassigns_channels',
    async (h) => {
      const c = await fresh(h);
      assert.equal((await post(h, c.uuid, { channels: '*' })).status, 200);
      const r = await post(h, c.uuid, { channels: '' });
      assert.equal(r.status, 200);
      assert.equal((await h.get(c.uuid)).channels, '');
    },
    { channels: ['c1'] },
  );

  replay(F, 'test_it_handles_invalid_uuid', async (h) => {
    assert.equal((await post(h, 'not-an-uuid', {})).status, 404);
  });

  replay(F, 'test_it_handles_missing_check', async (h) => {
    assert.equal((await post(h, '07c2f548-9850-4b27-af5d-6c9dc157ec02', {})).status, 404);
  });

  replay(F, 'test_it_updates_cron_to_simple', async (h) => {
    const c = await h.check({ schedule: '5 * * * *' });
    const r = await post(h, c.uuid, { timeout: 3600 });
    assert.equal(r.status, 200);
    assert.equal(r.json.timeout, 3600);
    assert.ok(!('schedule' in r.json));
  });

  replay(F, 'test_it_updates_cron_to_oncalendar', async (h) => {
    const c = await h.check({ schedule: '5 * * * *' });
    const r = await post(h, c.uuid, { schedule: '12:34' });
    assert.equal(r.status, 200);
    assert.equal((await h.get(c.uuid)).schedule, '12:34');
    // An OnCalendar schedule fires daily at 12:34 (UTC): the check, once pinged, expects it.
    await h.ping(c.uuid);
    assert.equal((await h.get(c.uuid)).next_ping, iso(Date.UTC(2026, 10, 25, 12, 34)));
  });

  replay(
    F,
    'test_it_sets_single_channel',
    async (h) => {
      const c = await fresh(h);
      const ids = await h.channelIds();
      assert.equal((await post(h, c.uuid, { channels: ids.c1 as string })).status, 200);
      assert.equal((await h.get(c.uuid)).channels, ids.c1);
    },
    { channels: ['c1', 'c2'] },
  );

  replay(
    F,
    'test_it_sets_the_channel_only_once',
    async (h) => {
      const c = await fresh(h);
      const ids = await h.channelIds();
      assert.equal((await post(h, c.uuid, { channels: `${ids.c1},${ids.c1}` })).status, 200);
      assert.equal((await h.get(c.uuid)).channels, ids.c1);
    },
    { channels: ['c1'] },
  );

  replay(
    F,
    'test_it_sets_channel_by_name',
    async (h) => {
      const c = await fresh(h);
      assert.equal((await post(h, c.uuid, { channels: 'alerts' })).status, 200);
      assert.equal((await h.get(c.uuid)).channels, (await h.channelIds()).alerts);
    },
    { channels: ['alerts', 'other'] },
  );

  replay(
    F,
    'test_it_sets_channel_by_name_formatted_as_uuid',
    async (h) => {
      const name = '102eaa82-a274-4b15-a499-c1bb6bbcd7b6';
      const c = await fresh(h);
      assert.equal((await post(h, c.uuid, { channels: name })).status, 200);
      assert.equal((await h.get(c.uuid)).channels, (await h.channelIds())[name]);
    },
    { channels: ['102eaa82-a274-4b15-a499-c1bb6bbcd7b6'] },
  );

  replay(
    F,
    'test_it_handles_comma_separated_channel_codes',
    async (h) => {
      const c = await fresh(h);
      const ids = await h.channelIds();
      assert.equal((await post(h, c.uuid, { channels: `${ids.c1},${ids.c2}` })).status, 200);
      assert.equal((await h.get(c.uuid)).channels.split(',').length, 2);
    },
    { channels: ['c1', 'c2'] },
  );

  replay(
    F,
    'test_it_handles_asterix',
    async (h) => {
      const c = await fresh(h);
      assert.equal((await post(h, c.uuid, { channels: '*' })).status, 200);
      assert.equal((await h.get(c.uuid)).channels.split(',').length, 2);
    },
    { channels: ['c1', 'c2'] },
  );

  replay(
    F,
    'test_it_ignores_channels_if_channels_key_missing',
    async (h) => {
      const c = await fresh(h);
      await post(h, c.uuid, { channels: '*' });
      assert.equal((await post(h, c.uuid, {})).status, 200);
      assert.equal((await h.get(c.uuid)).channels, (await h.channelIds()).c1);
    },
    { channels: ['c1'] },
  );

  replay(F, 'test_it_rejects_bad_channel_code', async (h) => {
    const c = await fresh(h);
    const r = await post(h, c.uuid, { channels: 'abc', name: 'New Name' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid channel identifier: abc');
    assert.equal((await h.get(c.uuid)).name, '');
  });

  replay(F, 'test_it_rejects_missing_channel', async (h) => {
    const c = await fresh(h);
    const code = 'a0e1c2d3-0000-4000-8000-000000000001';
    const r = await post(h, c.uuid, { channels: code });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, `invalid channel identifier: ${code}`);
    assert.equal((await h.get(c.uuid)).channels, '');
  });

  replay(F, 'test_it_handles_channel_lookup_by_name_with_no_results', async (h) => {
    const c = await fresh(h);
    const r = await post(h, c.uuid, { channels: 'foo' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'invalid channel identifier: foo');
  });

  replay(F, 'test_it_rejects_multiple_empty_channel_names', async (h) => {
    const c = await fresh(h);
    const r = await post(h, c.uuid, { channels: ',' });
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'empty channel identifier');
  });

  replay(F, 'test_it_rejects_non_string_channels_key', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { channels: 123 })).status, 400);
  });

  replay(F, 'test_it_rejects_non_string_desc', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { desc: 123 })).status, 400);
  });

  replay(F, 'test_it_rejects_null_values', async (h) => {
    const c = await fresh(h);
    for (const field of [
      'channels',
      'timeout',
      'grace',
      'name',
      'schedule',
      'subject',
      'subject_fail',
      'unique',
    ])
      assert.equal((await post(h, c.uuid, { [field]: null })).status, 400, field);
  });

  replay(F, 'test_it_validates_schedule', async (h) => {
    const c = await h.check({ schedule: '5 * * * *' });
    for (const sample of [
      '* invalid *',
      '1,2 61 * * *',
      '0 0 31 2 *',
      'Surprise 12:34',
      '12:34 Europe/surprise',
    ])
      assert.equal((await post(h, c.uuid, { schedule: sample })).status, 400, `did not reject '${sample}'`);
    assert.equal((await h.get(c.uuid)).schedule, '5 * * * *');
  });

  replay(F, 'test_it_rejects_readonly_key', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { name: 'Foo' }, 1, R)).status, 401);
  });

  replay(F, 'test_it_sets_manual_resume_to_true', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { manual_resume: true })).status, 200);
    assert.equal((await h.get(c.uuid)).manual_resume, true);
  });

  replay(F, 'test_it_sets_manual_resume_to_false', async (h) => {
    const c = await h.check({ manual_resume: true });
    assert.equal((await post(h, c.uuid, { manual_resume: false })).status, 200);
    assert.equal((await h.get(c.uuid)).manual_resume, false);
  });

  replay(F, 'test_it_sets_methods', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { methods: 'POST' })).status, 200);
    assert.equal((await h.get(c.uuid)).methods, 'POST');
  });

  replay(F, 'test_it_clears_methods', async (h) => {
    const c = await h.check({ methods: 'POST' });
    assert.equal((await post(h, c.uuid, { methods: '' })).status, 200);
    assert.equal((await h.get(c.uuid)).methods, '');
  });

  replay(F, 'test_it_leaves_methods_unchanged', async (h) => {
    const c = await h.check({ methods: 'POST' });
    assert.equal((await post(h, c.uuid, {})).status, 200);
    assert.equal((await h.get(c.uuid)).methods, 'POST');
  });

  replay(F, 'test_it_rejects_bad_methods_value', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { methods: 'bad-value' })).status, 400);
  });

  replay(F, 'test_it_sets_success_kw', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { subject: 'SUCCESS,COMPLETE' })).status, 200);
    const got = await h.get(c.uuid);
    assert.equal(got.filter_subject, true);
    assert.equal(got.success_kw, 'SUCCESS,COMPLETE');
  });

  replay(F, 'test_it_sets_failure_kw', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { subject_fail: 'FAILED,FAILURE' })).status, 200);
    const got = await h.get(c.uuid);
    assert.equal(got.filter_subject, true);
    assert.equal(got.failure_kw, 'FAILED,FAILURE');
  });

  replay(F, 'test_it_unsets_filter_subject_flag', async (h) => {
    const c = await h.check({ filter_subject: true, success_kw: 'SUCCESS' });
    assert.equal((await post(h, c.uuid, { subject: '' })).status, 200);
    const got = await h.get(c.uuid);
    assert.equal(got.filter_subject, false);
    assert.equal(got.success_kw, '');
  });

  replay(F, 'test_it_accepts_60_days_timeout', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { timeout: 60 * 24 * 3600 })).status, 200);
    assert.equal((await h.get(c.uuid)).timeout, 60 * 24 * 3600);
  });

  replay(F, 'test_it_rejects_out_of_range_timeout', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { timeout: 500 * 24 * 3600 })).status, 400);
  });

  replay(F, 'test_it_prioritizes_filter_subject_field', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { subject: 'SUCCESS', filter_subject: false })).status, 200);
    const got = await h.get(c.uuid);
    assert.equal(got.filter_subject, false);
    assert.equal(got.success_kw, 'SUCCESS');
  });

  replay(F, 'test_v1_reports_status_started', async (h) => {
    const c = await fresh(h);
    await h.ping(`${c.uuid}/start`);
    const doc = (await post(h, c.uuid, {})).json;
    assert.equal(doc.status, 'started');
    assert.equal(doc.started, true);
  });

  replay(F, 'test_v2_reports_started_separately', async (h) => {
    const c = await fresh(h);
    await h.ping(`${c.uuid}/start`);
    const doc = (await post(h, c.uuid, {}, 2)).json;
    assert.equal(doc.status, 'new');
    assert.equal(doc.started, true);
  });

  replay(F, 'test_v3_saves_slug', async (h) => {
    const c = await fresh(h);
    assert.equal((await post(h, c.uuid, { slug: 'updated-slug' }, 3)).status, 200);
    assert.equal((await h.get(c.uuid)).slug, 'updated-slug');
  });

  replay(F, 'test_v3_does_not_autogenerate_slug', async (h) => {
    const c = await h.check({ slug: 'foo' });
    assert.equal((await post(h, c.uuid, { name: 'Bar' }, 3)).status, 200);
    assert.equal((await h.get(c.uuid)).slug, 'foo');
  });

  notApplicable(F, 'alertpath has no projects: every key sees every check and channel', [
    'test_it_validates_ownership',
    'test_it_rejects_channel_from_another_project',
  ]);
  notApplicable(F, 'channel names are unique: they are the keys of the config’s channels map', [
    'test_it_handles_channel_lookup_by_name_with_multiple_results',
  ]);
  notApplicable(F, 'tests Healthchecks’ internals (query counts, patched functions)', [
    'test_it_handles_concurrent_delete',
  ]);
}

// ---- test_get_check.py ------------------------------------------------------------------------

{
  const F = 'test_get_check';
  /** Healthchecks' setUp: "Alice 1" with a custom slug, tags, keywords and one channel. */
  const a1 = (h: Hc) =>
    h.check({
      name: 'Alice 1',
      slug: 'alice-1-custom-slug',
      timeout: 3600,
      grace: 900,
      tags: 'a1-tag a1-additional-tag',
      desc: 'This is description',
      filter_subject: true,
      start_kw: 'START',
      success_kw: 'SUCCESS',
      failure_kw: 'ERROR',
      channels: 'c1',
    });
  const o = { channels: ['c1'] };
  const fields = async (h: Hc, doc: Json, c: Json) => {
    assert.equal(doc.uuid ?? c.uuid, c.uuid);
    assert.equal(doc.slug, 'alice-1-custom-slug');
    assert.equal(doc.timeout, 3600);
    assert.equal(doc.grace, 900);
    assert.equal(doc.ping_url, `${BASE}/ping/${c.uuid}`);
    assert.equal(doc.last_ping, null);
    assert.equal(doc.n_pings, 0);
    assert.equal(doc.status, 'new');
    assert.equal(doc.started, false);
    assert.equal(doc.channels, (await h.channelIds()).c1);
    assert.equal(doc.desc, 'This is description');
    assert.equal(doc.manual_resume, false);
    assert.equal(doc.methods, '');
    assert.equal(doc.subject, 'SUCCESS');
    assert.equal(doc.subject_fail, 'ERROR');
    assert.equal(doc.start_kw, 'START');
    assert.equal(doc.success_kw, 'SUCCESS');
    assert.equal(doc.failure_kw, 'ERROR');
    assert.equal(doc.filter_subject, true);
    assert.equal(doc.filter_body, false);
    assert.equal(doc.filter_http_body, false);
    assert.equal(doc.filter_default_fail, false);
    assert.equal(doc.update_url, `${BASE}/api/v1/checks/${c.uuid}`);
  };
  const why =
    'the check JSON has 30 fields, not 29: last_duration is always present (null when there is none), and badge_url is null (badges are the dashboard’s)';

  differs(
    F,
    'test_it_works',
    why,
    async (h) => {
      const c = await a1(h);
      const r = await h.api('GET', `/checks/${c.uuid}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(Object.keys(r.json).length, 30);
      assert.equal(r.json.last_duration, null);
      assert.equal(r.json.badge_url, null);
      await fields(h, r.json, c);
    },
    o,
  );

  replay(F, 'test_it_handles_invalid_uuid', async (h) => {
    assert.equal((await h.api('GET', '/checks/not-an-uuid')).status, 404);
  });

  replay(F, 'test_it_handles_missing_check', async (h) => {
    assert.equal((await h.api('GET', '/checks/07c2f548-9850-4b27-af5d-6c9dc157ec02')).status, 404);
  });

  differs(
    F,
    'test_it_handles_unique_key',
    why,
    async (h) => {
      const c = await a1(h);
      const key = (await h.api('GET', `/checks/${c.uuid}`, { key: R })).json.unique_key as string;
      const r = await h.api('GET', `/checks/${key}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(Object.keys(r.json).length, 30);
      await fields(h, r.json, c);
    },
    o,
  );

  replay(
    F,
    'test_it_rejects_post_unique_key',
    async (h) => {
      const c = await a1(h);
      const key = (await h.api('GET', `/checks/${c.uuid}`, { key: R })).json.unique_key as string;
      assert.equal((await h.req('POST', `/api/v1/checks/${key}`)).status, 405);
    },
    o,
  );

  replay(
    F,
    'test_readonly_key_works',
    async (h) => {
      const c = await a1(h);
      const r = await h.api('GET', `/checks/${c.uuid}`, { key: R });
      assert.equal(r.status, 200);
      assert.ok(!r.text.includes(c.uuid));
      for (const key of ['uuid', 'ping_url', 'update_url', 'pause_url', 'resume_url'])
        assert.ok(!r.text.includes(key), key);
    },
    o,
  );

  const started = async (h: Hc) => {
    const c = await a1(h);
    await h.ping(`${c.uuid}/start`);
    const key = (await h.api('GET', `/checks/${c.uuid}`, { key: R })).json.unique_key as string;
    return { c, key };
  };

  replay(
    F,
    'test_v1_reports_status_started',
    async (h) => {
      const { c } = await started(h);
      const doc = await h.get(c.uuid, 1);
      assert.equal(doc.status, 'started');
      assert.equal(doc.started, true);
    },
    o,
  );

  replay(
    F,
    'test_v2_reports_started_separately',
    async (h) => {
      const { c } = await started(h);
      const doc = await h.get(c.uuid, 2);
      assert.equal(doc.status, 'new');
      assert.equal(doc.started, true);
    },
    o,
  );

  replay(
    F,
    'test_v1_by_unique_key_reports_status_started',
    async (h) => {
      const { key } = await started(h);
      const doc = await h.get(key, 1);
      assert.equal(doc.status, 'started');
      assert.equal(doc.started, true);
    },
    o,
  );

  replay(
    F,
    'test_v2_by_unique_key_reports_started_separately',
    async (h) => {
      const { key } = await started(h);
      const doc = await h.get(key, 2);
      assert.equal(doc.status, 'new');
      assert.equal(doc.started, true);
    },
    o,
  );
}

// ---- test_list_checks.py ----------------------------------------------------------------------

{
  const F = 'test_list_checks';
  const o = { channels: ['c1'] };
  /** Healthchecks' setUp: "Alice 1" (new, one channel) and "Alice 2" (up, pinged now). */
  const setUp = async (h: Hc) => {
    const a1 = await h.check({
      name: 'Alice 1',
      slug: 'alice-1',
      timeout: 3600,
      grace: 900,
      tags: 'a1-tag a1-additional-tag',
      desc: 'This is description',
      channels: 'c1',
    });
    const a2 = await h.check({ name: 'Alice 2', timeout: 86400, grace: 3600, tags: 'a2-tag' });
    await h.ping(a2.uuid);
    return { a1, a2 };
  };
  const list = async (h: Hc, qs = '', v = 1, key = X) => {
    const r = await h.api('GET', `/checks/${qs}`, { v, key });
    assert.equal(r.status, 200);
    return r;
  };

  replay(
    F,
    'test_it_works',
    async (h) => {
      const { a1: c1, a2: c2 } = await setUp(h);
      const r = await list(h);
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.json.checks.length, 2);
      const byName = Object.fromEntries((r.json.checks as Json[]).map((c) => [c.name, c]));
      const a1 = byName['Alice 1'] as Json;
      assert.equal(a1.uuid, c1.uuid);
      assert.equal(a1.timeout, 3600);
      assert.equal(a1.grace, 900);
      assert.equal(a1.ping_url, `${BASE}/ping/${c1.uuid}`);
      assert.equal(a1.last_ping, null);
      assert.equal(a1.n_pings, 0);
      assert.equal(a1.status, 'new');
      assert.equal(a1.started, false);
      assert.equal(a1.channels, (await h.channelIds()).c1);
      assert.equal(a1.desc, 'This is description');
      assert.equal(a1.update_url, `${BASE}/api/v1/checks/${c1.uuid}`);
      assert.equal(a1.pause_url, `${BASE}/api/v1/checks/${c1.uuid}/pause`);
      assert.equal(a1.next_ping, null);
      const a2 = byName['Alice 2'] as Json;
      assert.equal(a2.uuid, c2.uuid);
      assert.equal(a2.timeout, 86400);
      assert.equal(a2.grace, 3600);
      assert.equal(a2.ping_url, `${BASE}/ping/${c2.uuid}`);
      assert.equal(a2.status, 'up');
      assert.equal(a2.last_ping, iso(NOW));
      assert.equal(a2.next_ping, iso(NOW + DAY));
    },
    o,
  );

  replay(F, 'test_it_handles_options', async (h) => {
    const r = await h.req('OPTIONS', '/api/v1/checks/');
    assert.equal(r.status, 204);
    assert.ok(r.headers.get('access-control-allow-methods')?.includes('GET'));
  });

  replay(
    F,
    'test_it_works_with_tags_param',
    async (h) => {
      await setUp(h);
      const doc = (await list(h, '?tag=a2-tag')).json;
      assert.equal(doc.checks.length, 1);
      assert.equal(doc.checks[0].name, 'Alice 2');
      assert.equal(doc.checks[0].tags, 'a2-tag');
    },
    o,
  );

  replay(
    F,
    'test_it_filters_with_multiple_tags_param',
    async (h) => {
      await setUp(h);
      const doc = (await list(h, '?tag=a1-tag&tag=a1-additional-tag')).json;
      assert.equal(doc.checks.length, 1);
      assert.equal(doc.checks[0].name, 'Alice 1');
      assert.equal(doc.checks[0].tags, 'a1-tag a1-additional-tag');
    },
    o,
  );

  replay(
    F,
    'test_it_does_not_match_tag_partially',
    async (h) => {
      await setUp(h);
      assert.equal((await list(h, '?tag=tag')).json.checks.length, 0);
    },
    o,
  );

  replay(
    F,
    'test_non_existing_tags_filter_returns_empty_result',
    async (h) => {
      await setUp(h);
      assert.equal((await list(h, '?tag=non_existing_tag_with_no_checks')).json.checks.length, 0);
    },
    o,
  );

  replay(
    F,
    'test_readonly_key_works',
    async (h) => {
      const { a1 } = await setUp(h);
      const r = await list(h, '', 1, R);
      assert.ok(!r.text.includes(a1.uuid));
    },
    o,
  );

  replay(
    F,
    'test_v1_reports_status_started',
    async (h) => {
      const { a1, a2 } = await setUp(h);
      await h.ping(`${a1.uuid}/start`);
      await h.api('DELETE', `/checks/${a2.uuid}`);
      const c = (await list(h)).json.checks[0];
      assert.equal(c.status, 'started');
      assert.equal(c.started, true);
    },
    o,
  );

  replay(
    F,
    'test_v2_reports_started_separately',
    async (h) => {
      const { a1, a2 } = await setUp(h);
      await h.ping(`${a1.uuid}/start`);
      await h.api('DELETE', `/checks/${a2.uuid}`);
      const c = (await list(h, '', 2)).json.checks[0];
      assert.equal(c.status, 'new');
      assert.equal(c.started, true);
    },
    o,
  );

  replay(
    F,
    'test_it_works_with_slug_param',
    async (h) => {
      await setUp(h);
      const doc = (await list(h, '?slug=alice-1')).json;
      assert.equal(doc.checks.length, 1);
      assert.equal(doc.checks[0].name, 'Alice 1');
    },
    o,
  );

  notApplicable(F, 'alertpath has no projects: every key sees every check and channel', [
    'test_it_shows_only_users_checks',
  ]);
}

// ---- test_pause.py, test_resume.py, test_delete_check.py ---------------------------------------

{
  const F = 'test_pause';
  const up = async (h: Hc) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    return c;
  };
  const pause = (h: Hc, uuid: string, body: string | Json = '', key: string | null = X, v = 3) =>
    h.req('POST', `/api/v${v}/checks/${uuid}/pause`, {
      body,
      key,
      headers: { 'Content-Type': 'application/json' },
    });

  replay(F, 'test_it_works', async (h) => {
    const c = await up(h);
    const r = await pause(h, c.uuid);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal((await h.get(c.uuid)).status, 'paused');
    const flips = await h.flips(c.uuid);
    assert.deepEqual(
      flips.map((f) => [f.from, f.to]),
      [
        ['up', 'paused'],
        ['new', 'up'],
      ],
    );
  });

  replay(F, 'test_it_accepts_api_key_in_post_body', async (h) => {
    const c = await up(h);
    assert.equal((await pause(h, c.uuid, { api_key: X }, null)).status, 200);
    assert.equal((await h.get(c.uuid)).status, 'paused');
  });

  replay(F, 'test_it_handles_options', async (h) => {
    const c = await up(h);
    const r = await h.req('OPTIONS', `/api/v3/checks/${c.uuid}/pause`);
    assert.equal(r.status, 204);
    assert.ok(r.headers.get('access-control-allow-methods')?.includes('POST'));
  });

  replay(F, 'test_it_only_allows_post', async (h) => {
    const c = await up(h);
    assert.equal((await h.api('GET', `/checks/${c.uuid}/pause`, { v: 3 })).status, 405);
  });

  replay(F, 'test_it_validates_uuid', async (h) => {
    assert.equal((await pause(h, 'not-uuid', '', X, 1)).status, 404);
  });

  replay(F, 'test_it_handles_missing_check', async (h) => {
    assert.equal((await pause(h, '07c2f548-9850-4b27-af5d-6c9dc157ec02', '', X, 1)).status, 404);
  });

  replay(F, 'test_it_clears_last_start_alert_after', async (h) => {
    const c = await up(h);
    await h.ping(`${c.uuid}/start`);
    assert.equal((await h.get(c.uuid)).started, true);
    const r = await pause(h, c.uuid);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const doc = await h.get(c.uuid);
    assert.equal(doc.started, false);
    assert.equal(doc.next_ping, null, 'no deadline');
  });

  replay(F, 'test_it_rejects_non_dict_post_body', async (h) => {
    const c = await up(h);
    const r = await pause(h, c.uuid, '123', null);
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'json validation error: value is not an object');
  });

  replay(F, 'test_it_does_not_pause_already_paused_check', async (h) => {
    const c = await up(h);
    await pause(h, c.uuid);
    const before = (await h.flips(c.uuid)).length;
    assert.equal((await pause(h, c.uuid)).status, 200);
    assert.equal((await h.get(c.uuid)).status, 'paused');
    assert.equal((await h.flips(c.uuid)).length, before, 'no second flip');
  });

  notApplicable(F, 'alertpath has no projects: every key sees every check and channel', [
    'test_it_validates_ownership',
  ]);
  notApplicable(F, 'alertpath has no per-account nag e-mails (reminders are per check)', [
    'test_it_clears_next_nag_date',
  ]);
}

{
  const F = 'test_resume';
  /** Healthchecks' setUp: a paused check that had a start, a ping and a deadline. */
  const paused = async (h: Hc) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    await h.api('POST', `/checks/${c.uuid}/pause`);
    await h.ping(`${c.uuid}/start`);
    return c;
  };
  const resume = (h: Hc, uuid: string, body: string | Json = '', key: string | null = X) =>
    h.req('POST', `/api/v1/checks/${uuid}/resume`, {
      body,
      key,
      headers: { 'Content-Type': 'application/json' },
    });

  replay(F, 'test_it_works', async (h) => {
    const c = await paused(h);
    const r = await resume(h, c.uuid);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    const doc = await h.get(c.uuid);
    assert.equal(doc.status, 'new');
    assert.equal(doc.started, false);
    assert.equal(doc.last_ping, null);
    assert.equal(doc.next_ping, null);
    const f = (await h.flips(c.uuid))[0] as Json;
    assert.equal(f.from, 'paused');
    assert.equal(f.to, 'new');
  });

  replay(F, 'test_it_handles_not_paused_checks', async (h) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    assert.equal((await resume(h, c.uuid)).status, 409);
  });

  replay(F, 'test_it_accepts_api_key_in_post_body', async (h) => {
    const c = await paused(h);
    assert.equal((await resume(h, c.uuid, { api_key: X }, null)).status, 200);
    assert.equal((await h.get(c.uuid)).status, 'new');
  });

  replay(F, 'test_it_handles_options', async (h) => {
    const c = await paused(h);
    const r = await h.req('OPTIONS', `/api/v1/checks/${c.uuid}/resume`);
    assert.equal(r.status, 204);
    assert.ok(r.headers.get('access-control-allow-methods')?.includes('POST'));
  });

  replay(F, 'test_it_only_allows_post', async (h) => {
    const c = await paused(h);
    assert.equal((await h.api('GET', `/checks/${c.uuid}/resume`)).status, 405);
  });

  replay(F, 'test_it_validates_uuid', async (h) => {
    assert.equal((await resume(h, 'not-uuid')).status, 404);
  });

  replay(F, 'test_it_handles_missing_check', async (h) => {
    assert.equal((await resume(h, '07c2f548-9850-4b27-af5d-6c9dc157ec02')).status, 404);
  });

  replay(F, 'test_it_rejects_non_dict_post_body', async (h) => {
    const c = await paused(h);
    const r = await resume(h, c.uuid, '123', null);
    assert.equal(r.status, 400);
    assert.equal(r.json.error, 'json validation error: value is not an object');
  });

  notApplicable(F, 'alertpath has no projects: every key sees every check and channel', [
    'test_it_validates_ownership',
  ]);
}

{
  const F = 'test_delete_check';
  replay(F, 'test_it_works', async (h) => {
    const c = await h.check({});
    const r = await h.api('DELETE', `/checks/${c.uuid}`, { v: 2 });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal((await h.api('GET', `/checks/${c.uuid}`)).status, 404);
  });

  replay(F, 'test_it_handles_missing_check', async (h) => {
    const c = await h.check({});
    await h.api('DELETE', `/checks/${c.uuid}`, { v: 2 });
    assert.equal((await h.api('DELETE', `/checks/${c.uuid}`, { v: 2 })).status, 404);
  });

  replay(F, 'test_it_handles_options', async (h) => {
    const c = await h.check({});
    const r = await h.req('OPTIONS', `/api/v2/checks/${c.uuid}`);
    assert.equal(r.status, 204);
    assert.ok(r.headers.get('access-control-allow-methods')?.includes('DELETE'));
  });

  replay(F, 'test_it_handles_missing_api_key', async (h) => {
    const c = await h.check({});
    const r = await h.api('DELETE', `/checks/${c.uuid}`, { v: 2, key: null });
    assert.equal(r.status, 401);
    assert.ok(r.text.includes('missing api key'));
  });

  replay(F, 'test_v1_reports_status_started', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/start`);
    const doc = (await h.api('DELETE', `/checks/${c.uuid}`, { v: 1 })).json;
    assert.equal(doc.status, 'started');
    assert.equal(doc.started, true);
  });

  replay(F, 'test_v2_reports_started_separately', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/start`);
    const doc = (await h.api('DELETE', `/checks/${c.uuid}`, { v: 2 })).json;
    assert.equal(doc.status, 'new');
    assert.equal(doc.started, true);
  });
}

// ---- test_get_pings.py, test_get_ping_body.py -------------------------------------------------

{
  const F = 'test_get_pings';
  const a1 = (h: Hc) =>
    h.check({ name: 'Alice 1', timeout: 3600, grace: 900, tags: 'a1-tag a1-additional-tag' });
  /** The ping of Healthchecks' setUp: from 1.2.3.4, over https, by foo-agent. */
  const setUpPing = (h: Hc, uuid: string, over: Parameters<Hc['ping']>[1] = {}) =>
    h.ping(uuid, {
      ...over,
      headers: {
        'X-Forwarded-For': '1.2.3.4',
        'X-Forwarded-Proto': 'https',
        'User-Agent': 'foo-agent',
        ...over.headers,
      },
    });
  const url = (uuid: string) => `/api/v3/checks/${uuid}/pings/`;

  replay(F, 'test_it_works', async (h) => {
    const c = await a1(h);
    await setUpPing(h, c.uuid);
    const r = await h.req('GET', url(c.uuid), { key: X });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.json.pings.length, 1);
    const p = r.json.pings[0] as Json;
    assert.equal(p.n, 1);
    assert.equal(p.remote_addr, '1.2.3.4');
    assert.equal(p.scheme, 'https');
    assert.equal(p.method, 'GET');
    assert.equal(p.ua, 'foo-agent');
    assert.equal(p.body_url, null);
  });

  replay(F, 'test_readonly_key_is_not_allowed', async (h) => {
    const c = await a1(h);
    assert.equal((await h.req('GET', url(c.uuid), { key: R })).status, 401);
  });

  replay(F, 'test_it_rejects_post', async (h) => {
    const c = await a1(h);
    assert.equal((await h.req('POST', url(c.uuid), { key: X })).status, 405);
  });

  replay(F, 'test_it_handles_missing_api_key', async (h) => {
    const c = await a1(h);
    const r = await h.req('GET', url(c.uuid));
    assert.equal(r.status, 401);
    assert.ok(r.text.includes('missing api key'));
  });

  replay(F, 'test_it_calculates_overlapping_durations', async (h) => {
    const c = await a1(h);
    await h.ping(`${c.uuid}/start?rid=${RID_A}`);
    await h.advance(MIN);
    await h.ping(`${c.uuid}/start?rid=${RID_B}`);
    await h.advance(MIN);
    await h.ping(`${c.uuid}?rid=${RID_A}`);
    await h.advance(4 * MIN);
    await h.ping(`${c.uuid}?rid=${RID_B}`);
    const pings = await h.pings(c.uuid);
    assert.equal(pings[0]?.duration, 300.0);
    assert.equal(pings[1]?.duration, 120.0);
  });

  replay(F, 'test_it_disables_duration_calculation', async (h) => {
    const c = await a1(h);
    const rid = (i: number) => `0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c${String(i).padStart(2, '0')}`;
    for (let i = 1; i < 12; i++) {
      await h.advance(MIN);
      await h.ping(`${c.uuid}?rid=${rid(i)}`);
    }
    const pings = await h.pings(c.uuid);
    assert.equal(pings.length, 11);
    for (const p of pings) assert.ok(!('duration' in p));
  });

  replay(F, 'test_it_handles_rid', async (h) => {
    const c = await a1(h);
    await setUpPing(h, `${c.uuid}?rid=${RID_A}`);
    assert.equal((await h.lastPing(c.uuid)).rid, RID_A);
  });

  replay(F, 'test_it_handles_empty_body_raw', async (h) => {
    const c = await a1(h);
    await setUpPing(h, c.uuid, { method: 'POST', body: '' });
    assert.equal((await h.lastPing(c.uuid)).body_url, null);
  });

  replay(F, 'test_it_handles_nonempty_body_raw', async (h) => {
    const c = await a1(h);
    await setUpPing(h, c.uuid, { method: 'POST', body: 'this is ping body' });
    assert.equal((await h.lastPing(c.uuid)).body_url, `${BASE}/api/v3/checks/${c.uuid}/pings/1/body`);
  });

  notApplicable(F, 'alertpath stores ping bodies in its database, not in S3', [
    'test_it_handles_zero_object_size',
    'test_it_handles_nonempty_object_size',
  ]);
}

{
  const F = 'test_get_ping_body';
  const setUp = async (h: Hc, body: string | Buffer = 'Foo\nBar\nBaz') => {
    const c = await h.check({ name: 'Alice 1' });
    await h.ping(c.uuid, { method: 'POST', body });
    return `/api/v1/checks/${c.uuid}/pings/1/body`;
  };

  replay(F, 'test_it_works', async (h) => {
    const r = await h.req('GET', await setUp(h), { key: X });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/plain');
    assert.equal(r.text, 'Foo\nBar\nBaz');
  });

  replay(F, 'test_it_handles_missing_api_key', async (h) => {
    const r = await h.req('GET', await setUp(h));
    assert.equal(r.status, 401);
    assert.ok(r.text.includes('missing api key'));
  });

  replay(F, 'test_readonly_key_is_not_allowed', async (h) => {
    assert.equal((await h.req('GET', await setUp(h), { key: R })).status, 401);
  });

  replay(F, 'test_it_rejects_post', async (h) => {
    assert.equal((await h.req('POST', await setUp(h), { key: X })).status, 405);
  });

  replay(F, 'test_it_checks_n_threshold', async (h) => {
    const url = await setUp(h);
    const uuid = url.split('/')[4] as string;
    // 100 more pings: the log keeps the last 100, so ping #1 is outside it.
    for (let i = 0; i < 100; i++) await h.ping(uuid);
    assert.equal((await h.req('GET', url, { key: X })).status, 404);
  });

  replay(F, 'test_it_handles_no_body', async (h) => {
    const c = await h.check({ name: 'Alice 1' });
    await h.ping(c.uuid);
    assert.equal((await h.api('GET', `/checks/${c.uuid}/pings/1/body`)).status, 404);
  });

  replay(F, 'test_it_returns_original_bytes', async (h) => {
    const raw = Buffer.from('Hello\x01\x99World', 'latin1');
    const r = await h.req('GET', await setUp(h, raw), { key: X });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/plain');
    assert.deepEqual(r.bytes, raw);
  });

  notApplicable(F, 'alertpath has no projects: every key sees every check and channel', [
    'test_it_rejects_charlies_key',
  ]);
  notApplicable(F, 'alertpath stores ping bodies in its database, not in S3', [
    'test_it_handles_unhealthy_s3',
    'test_it_handles_s3_error',
  ]);
}

// ---- test_get_flips.py ------------------------------------------------------------------------

{
  const F = 'test_get_flips';
  /** Healthchecks' setUp: one new → up flip at 2020-06-01 12:24:32.123. */
  const o = { at: Date.UTC(2020, 5, 1, 12, 24, 32, 123) };
  const setUp = async (h: Hc) => {
    const c = await h.check({ name: 'Alice 1', timeout: 3600, grace: 900 });
    await h.ping(c.uuid);
    return c;
  };
  const get = async (h: Hc, qs = '', key = X) => {
    const c = await setUp(h);
    return h.req('GET', `/api/v1/checks/${c.uuid}/flips/${qs}`, { key });
  };

  replay(
    F,
    'test_it_works',
    async (h) => {
      const r = await get(h);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.json.flips.length, 1);
      const f = r.json.flips[0] as Json;
      assert.equal(f.timestamp, '2020-06-01T12:24:32+00:00');
      assert.equal(f.up, 1);
    },
    o,
  );

  replay(
    F,
    'test_it_works_with_unique_key',
    async (h) => {
      const c = await setUp(h);
      const key = (await h.api('GET', `/checks/${c.uuid}`, { key: R })).json.unique_key as string;
      const r = await h.api('GET', `/checks/${key}/flips/`);
      assert.equal(r.status, 200);
      assert.equal(r.json.flips.length, 1);
    },
    o,
  );

  replay(F, 'test_readonly_key_is_allowed', async (h) => assert.equal((await get(h, '', R)).status, 200), o);

  replay(
    F,
    'test_it_rejects_post',
    async (h) => {
      const c = await setUp(h);
      assert.equal((await h.api('POST', `/checks/${c.uuid}/flips/`)).status, 405);
    },
    o,
  );

  replay(
    F,
    'test_it_rejects_non_integer_start',
    async (h) => assert.equal((await get(h, '?start=abc')).status, 400),
    o,
  );
  replay(
    F,
    'test_it_rejects_negative_start',
    async (h) => assert.equal((await get(h, '?start=-123')).status, 400),
    o,
  );

  replay(
    F,
    'test_it_filters_by_start',
    async (h) => {
      const r = await get(h, '?start=1591014300');
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { flips: [] });
    },
    o,
  );

  replay(
    F,
    'test_it_filters_by_end',
    async (h) => {
      const r = await get(h, '?end=1591014180');
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { flips: [] });
    },
    o,
  );

  replay(
    F,
    'test_it_rejects_huge_start',
    async (h) => assert.equal((await get(h, '?start=12345678901234567890')).status, 400),
    o,
  );
  replay(
    F,
    'test_it_rejects_negative_seconds',
    async (h) => assert.equal((await get(h, '?seconds=-123')).status, 400),
    o,
  );
  replay(
    F,
    'test_it_rejects_huge_seconds',
    async (h) => assert.equal((await get(h, '?seconds=12345678901234567890')).status, 400),
    o,
  );

  replay(
    F,
    'test_it_handles_missing_api_key',
    async (h) => {
      const c = await setUp(h);
      const r = await h.req('GET', `/api/v1/checks/${c.uuid}/flips/`);
      assert.equal(r.status, 401);
      assert.ok(r.text.includes('missing api key'));
    },
    o,
  );
}

// ---- test_list_channels.py, test_auth.py, test_status.py --------------------------------------

{
  const F = 'test_list_channels';
  const o = { channels: ['email-to-alice'] };

  differs(
    F,
    'test_it_works',
    'a channel’s id is its name in the config (Healthchecks: a UUID)',
    async (h) => {
      const r = await h.api('GET', '/channels/');
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.json.channels.length, 1);
      const ch = r.json.channels[0] as Json;
      assert.equal(ch.id, 'email-to-alice');
      assert.equal(ch.kind, 'fake');
      assert.equal(ch.name, 'email-to-alice');
    },
    o,
  );

  replay(F, 'test_it_handles_options', async (h) => {
    const r = await h.req('OPTIONS', '/api/v1/channels/');
    assert.equal(r.status, 204);
    assert.ok(r.headers.get('access-control-allow-methods')?.includes('GET'));
  });

  replay(
    F,
    'test_it_handles_missing_api_key',
    async (h) => {
      const r = await h.req('GET', '/api/v1/channels/');
      assert.equal(r.status, 401);
      assert.ok(r.text.includes('missing api key'));
    },
    o,
  );

  replay(
    F,
    'test_it_rejects_post',
    async (h) => assert.equal((await h.api('POST', '/channels/')).status, 405),
    o,
  );

  notApplicable(F, 'alertpath has no projects: every key sees every check and channel', [
    'test_it_shows_only_users_channels',
  ]);
}

{
  const F = 'test_auth';
  replay(F, 'test_plain_text_api_key_works', async (h) => {
    assert.equal((await h.req('GET', '/api/v1/checks/', { key: X })).status, 200);
  });
  replay(F, 'test_plain_text_readonly_key_works', async (h) => {
    assert.equal((await h.req('GET', '/api/v1/checks/', { key: R })).status, 200);
  });
  replay(F, 'test_it_rejects_wrong_key', async (h) => {
    assert.equal((await h.req('GET', '/api/v1/checks/', { key: 'W'.repeat(32) })).status, 401);
  });

  /** A watch with no keys configured generates one at first start (Healthchecks' set_api_key). */
  const generated = async (fn: (rig: AppRig, key: string) => Promise<void>) => {
    const rig = await appRig({ start: false, baseUrl: BASE });
    try {
      assert.ok(rig.apiKey, 'a key was generated and shown');
      await fn(rig, rig.apiKey as string);
    } finally {
      await rig.close();
      rmSync(rig.dir, { recursive: true, force: true });
    }
  };
  replay(F, 'test_ro_endpoint_accepts_hashed_api_key', () =>
    generated(async (rig, key) => {
      const r = await rig.request('/api/v1/checks/', { headers: { 'X-Api-Key': key } });
      assert.equal(r.status, 200);
    }),
  );
  replay(F, 'test_rw_endpoint_accepts_hashed_api_key', () =>
    generated(async (rig, key) => {
      const r = await rig.request('/api/v1/checks/', {
        method: 'POST',
        headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
        body: '{"name": "Foo"}',
      });
      assert.equal(r.status, 201);
    }),
  );
  replay(F, 'test_rw_endpoint_rejects_hashed_readonly_key', async (h) => {
    assert.equal((await h.req('POST', '/api/v1/checks/', { key: R, body: { name: 'Foo' } })).status, 401);
  });

  notApplicable(F, 'alertpath generates no read-only keys (they come from the config)', [
    'test_ro_endpoint_accepts_hashed_readonly_key',
  ]);
  notApplicable(F, 'tests Healthchecks’ internals (query counts, patched functions)', [
    'test_it_does_not_compare_digest_to_plaintext_key',
  ]);
}

{
  const F = 'test_status';
  replay(F, 'test_it_works', async (h) => {
    const r = await h.req('GET', '/api/v1/status/');
    assert.equal(r.status, 200);
    assert.equal(r.text, 'OK');
  });
}

// ---- test_ping.py -----------------------------------------------------------------------------

{
  const F = 'test_ping';
  /** Healthchecks' setUp: one check with the defaults (1 day, 1 h grace). */
  const setUp = (h: Hc) => h.check({});
  const withPing = (name: string, fn: (h: Hc, c: Json) => Promise<void>, o?: Options) =>
    replay(F, name, async (h) => fn(h, await setUp(h)), o);
  const kindOf = async (h: Hc, c: Json) => (await h.lastPing(c.uuid)).type;
  /** A check with these fields set (through the API, as Healthchecks' tests set columns). */
  const update = async (h: Hc, c: Json, data: Json) => {
    const r = await h.api('POST', `/checks/${c.uuid}`, { body: data, v: 3 });
    assert.equal(r.status, 200, r.text);
  };
  const paused = async (h: Hc, c: Json) => {
    await h.api('POST', `/checks/${c.uuid}/pause`);
  };

  withPing('test_it_works', async (h, c) => {
    const r = await h.ping(c.uuid);
    assert.equal(r.status, 200);
    assert.equal(r.text, 'OK');
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.headers.get('ping-body-limit'), '10000');
    const doc = await h.get(c.uuid);
    assert.equal(doc.n_pings, 1);
    assert.equal(doc.status, 'up');
    assert.equal(doc.last_ping, iso(NOW));
    // alert_after = last_ping + 1 day + 1 hour: due a day later, with an hour of grace.
    assert.equal(doc.next_ping, iso(NOW + DAY));
    await h.advance(DAY + HOUR - SEC);
    assert.equal((await h.get(c.uuid)).status, 'grace');
    await h.advance(SEC);
    assert.equal((await h.get(c.uuid)).status, 'down');
    const p = await h.lastPing(c.uuid);
    assert.equal(p.n, 1);
    assert.equal(p.scheme, 'http');
    assert.equal(p.type, 'success');
    assert.equal(p.date, iso(NOW));
    assert.ok(!('exitstatus' in p));
  });

  withPing('test_it_changes_status_of_paused_check', async (h, c) => {
    await paused(h, c);
    assert.equal((await h.ping(c.uuid)).status, 200);
    assert.equal((await h.get(c.uuid)).status, 'up');
  });

  withPing('test_it_clears_last_start', async (h, c) => {
    await h.ping(`${c.uuid}/start`);
    assert.equal((await h.ping(c.uuid)).status, 200);
    assert.equal((await h.get(c.uuid)).started, false);
  });

  withPing('test_post_works', async (h, c) => {
    assert.equal((await h.ping(c.uuid, { method: 'POST', body: 'hello world' })).status, 200);
    const p = await h.lastPing(c.uuid);
    assert.equal(p.method, 'POST');
    const body = await h.api('GET', `/checks/${c.uuid}/pings/1/body`);
    assert.equal(body.text, 'hello world');
  });

  withPing('test_head_works', async (h, c) => {
    assert.equal((await h.ping(c.uuid, { method: 'HEAD' })).status, 200);
    assert.equal((await h.pings(c.uuid)).length, 1);
  });

  replay(F, 'test_it_handles_bad_uuid', async (h) => {
    assert.equal((await h.ping('not-uuid/')).status, 404);
  });

  replay(F, 'test_it_rejects_alternative_uuid_formats', async (h) => {
    assert.equal((await h.ping('07c2f54898504b27af5d6c9dc157ec02/')).status, 404);
  });

  replay(F, 'test_it_handles_missing_check', async (h) => {
    const r = await h.ping('07c2f548-9850-4b27-af5d-6c9dc157ec02/');
    assert.equal(r.status, 404);
    assert.equal(r.text, 'not found');
  });

  withPing('test_it_handles_120_char_ua', async (h, c) => {
    const ua =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/44.0.2403.89 Safari/537.36';
    assert.equal((await h.ping(c.uuid, { headers: { 'User-Agent': ua } })).status, 200);
    assert.equal((await h.lastPing(c.uuid)).ua, ua);
  });

  withPing('test_it_truncates_long_ua', async (h, c) => {
    const ua = '01234567890'.repeat(30);
    assert.equal((await h.ping(c.uuid, { headers: { 'User-Agent': ua } })).status, 200);
    const got = (await h.lastPing(c.uuid)).ua as string;
    assert.equal(got.length, 200);
    assert.ok(ua.startsWith(got));
  });

  const forwarded = (name: string, header: string, expected: string) =>
    withPing(name, async (h, c) => {
      const r = await h.ping(c.uuid, { headers: { 'X-Forwarded-For': header } });
      assert.equal(r.status, 200);
      assert.equal((await h.lastPing(c.uuid)).remote_addr, expected);
    });
  forwarded('test_it_reads_forwarded_ip', '1.1.1.1', '1.1.1.1');
  forwarded('test_it_reads_forwarded_ipv6_ip', '2001::1', '2001::1');
  forwarded('test_it_reads_first_forwarded_ip', '1.1.1.1, 2.2.2.2', '1.1.1.1');
  forwarded('test_it_handles_forwarded_ip_plus_port', '1.1.1.1:1234', '1.1.1.1');
  forwarded('test_it_handles_ipv4_mapped_ipv6_address', '::ffff:1.1.1.1', '::ffff:1.1.1.1');

  withPing('test_it_reads_forwarded_protocol', async (h, c) => {
    assert.equal((await h.ping(c.uuid, { headers: { 'X-Forwarded-Proto': 'https' } })).status, 200);
    assert.equal((await h.lastPing(c.uuid)).scheme, 'https');
  });

  withPing('test_it_never_caches', async (h, c) => {
    assert.ok((await h.ping(c.uuid)).headers.get('cache-control')?.includes('no-cache'));
  });

  withPing('test_fail_endpoint_works', async (h, c) => {
    assert.equal((await h.ping(`${c.uuid}/fail`)).status, 200);
    const doc = await h.get(c.uuid);
    assert.equal(doc.status, 'down');
    assert.equal(doc.next_ping, null, 'no deadline while down');
    assert.equal(await kindOf(h, c), 'fail');
    const [f] = await h.flips(c.uuid);
    assert.equal(f?.to, 'down');
    assert.equal(f?.up, 0);
    assert.equal(f?.reason, 'fail');
  });

  withPing('test_start_endpoint_works', async (h, c) => {
    await h.ping(c.uuid);
    await h.advance(2 * HOUR);
    assert.equal((await h.ping(`${c.uuid}/start`)).status, 200);
    const doc = await h.get(c.uuid);
    assert.equal(doc.started, true);
    assert.equal(doc.last_ping, iso(NOW), 'a start is no ping');
    assert.equal(await kindOf(h, c), 'start');
  });

  withPing('test_start_does_not_change_status_of_paused_check', async (h, c) => {
    await paused(h, c);
    assert.equal((await h.ping(`${c.uuid}/start`)).status, 200);
    const doc = await h.get(c.uuid, 2);
    assert.equal(doc.started, true);
    assert.equal(doc.status, 'paused');
  });

  withPing('test_start_sets_last_start_rid', async (h, c) => {
    assert.equal((await h.ping(`${c.uuid}/start?rid=${RID_A}`)).status, 200);
    assert.equal((await h.get(c.uuid)).started, true);
    // The run is the one with that rid: its completion ends it, with a duration.
    await h.advance(10 * SEC);
    await h.ping(`${c.uuid}?rid=${RID_A}`);
    assert.equal((await h.get(c.uuid)).last_duration, 10);
  });

  withPing('test_it_accepts_uppercase_rid', async (h, c) => {
    const rid = '04603D8B-EDF4-4E85-8F61-24BEDBCAAB59';
    assert.equal((await h.ping(`${c.uuid}/start?rid=${rid}`)).status, 200);
    assert.equal((await h.get(c.uuid)).started, true);
    await h.ping(`${c.uuid}?rid=${rid.toLowerCase()}`);
    assert.equal((await h.get(c.uuid)).started, false, 'the same rid, whatever its case');
  });

  withPing('test_it_sets_last_duration', async (h, c) => {
    await h.ping(`${c.uuid}/start`);
    await h.advance(10 * SEC);
    assert.equal((await h.ping(c.uuid)).status, 200);
    assert.ok(((await h.get(c.uuid)).last_duration as number) >= 10);
  });

  withPing('test_it_does_not_update_last_ping_on_rid_mismatch', async (h, c) => {
    await h.ping(`${c.uuid}/start?rid=${RID_A}`);
    await h.advance(10 * SEC);
    assert.equal((await h.ping(`${c.uuid}?rid=${RID_B}`)).status, 200);
    const doc = await h.get(c.uuid, 2);
    assert.equal(doc.started, true, 'last_start is still the same');
    assert.equal(doc.next_ping, iso(NOW), 'the running job is still the start of the grace window');
    assert.equal(doc.last_duration, null);
  });

  withPing('test_it_clears_last_ping_and_sets_last_duration_if_rid_matches', async (h, c) => {
    await h.ping(`${c.uuid}/start?rid=${RID_A}`);
    await h.advance(10 * SEC);
    assert.equal((await h.ping(`${c.uuid}?rid=${RID_A}`)).status, 200);
    const doc = await h.get(c.uuid);
    assert.equal(doc.started, false);
    assert.ok((doc.last_duration as number) >= 10);
  });

  withPing('test_it_clears_last_ping_if_rid_is_absent', async (h, c) => {
    await h.ping(`${c.uuid}/start?rid=${RID_A}`);
    await h.advance(10 * SEC);
    assert.equal((await h.ping(c.uuid)).status, 200);
    const doc = await h.get(c.uuid);
    assert.equal(doc.started, false);
    assert.equal(doc.last_duration, null);
  });

  withPing('test_it_clears_last_ping_on_failure', async (h, c) => {
    await h.ping(`${c.uuid}/start?rid=${RID_A}`);
    await h.advance(10 * SEC);
    assert.equal((await h.ping(`${c.uuid}/fail?rid=${RID_B}`)).status, 200);
    const doc = await h.get(c.uuid);
    assert.equal(doc.started, false);
    assert.equal(doc.last_duration, null);
  });

  withPing('test_it_requires_post', async (h, c) => {
    await update(h, c, { methods: 'POST' });
    assert.equal((await h.ping(c.uuid)).status, 200);
    const doc = await h.get(c.uuid);
    assert.equal(doc.status, 'new');
    assert.equal(doc.last_ping, null);
    const p = await h.lastPing(c.uuid);
    assert.equal(p.scheme, 'http');
    assert.equal(p.type, 'ign');
  });

  withPing(
    'test_it_chops_long_body',
    async (h, c) => {
      const r = await h.ping(c.uuid, { method: 'POST', body: 'hello world' });
      assert.equal(r.headers.get('ping-body-limit'), '5');
      assert.equal((await h.lastPing(c.uuid)).method, 'POST');
      assert.equal((await h.api('GET', `/checks/${c.uuid}/pings/1/body`)).text, 'hello');
    },
    { pingBodyLimit: 5 },
  );

  differs(
    F,
    'test_it_allows_unlimited_body',
    'a ping body limit always applies (at most 1 000 000 bytes) and is always announced',
    async (h) => {
      const c = await setUp(h);
      const r = await h.ping(c.uuid, { method: 'POST', body: 'A'.repeat(20000) });
      assert.equal(r.headers.get('ping-body-limit'), '20000');
      assert.equal((await h.api('GET', `/checks/${c.uuid}/pings/1/body`)).text.length, 20000);
    },
    { pingBodyLimit: 20000 },
  );

  withPing('test_it_handles_manual_resume_flag', async (h, c) => {
    await update(h, c, { manual_resume: true });
    await paused(h, c);
    assert.equal((await h.ping(c.uuid)).status, 200);
    assert.equal((await h.get(c.uuid)).status, 'paused');
    const p = await h.lastPing(c.uuid);
    assert.equal(p.scheme, 'http');
    assert.equal(p.type, 'ign');
  });

  withPing('test_zero_exit_status_works', async (h, c) => {
    assert.equal((await h.ping(`${c.uuid}/0`)).status, 200);
    assert.equal((await h.get(c.uuid)).status, 'up');
    const p = await h.lastPing(c.uuid);
    assert.equal(p.type, 'success');
    assert.equal(p.exitstatus, 0);
  });

  withPing('test_nonzero_exit_status_works', async (h, c) => {
    assert.equal((await h.ping(`${c.uuid}/123`)).status, 200);
    assert.equal((await h.get(c.uuid)).status, 'down');
    const p = await h.lastPing(c.uuid);
    assert.equal(p.type, 'fail');
    assert.equal(p.exitstatus, 123);
  });

  withPing('test_it_rejects_exit_status_over_255', async (h, c) => {
    assert.equal((await h.ping(`${c.uuid}/256`)).status, 400);
  });

  withPing('test_it_accepts_bad_unicode', async (h, c) => {
    const raw = Buffer.from('Hello \xe9 World', 'latin1');
    assert.equal((await h.ping(c.uuid, { method: 'POST', body: raw })).status, 200);
    assert.equal((await h.lastPing(c.uuid)).method, 'POST');
    assert.deepEqual((await h.api('GET', `/checks/${c.uuid}/pings/1/body`)).bytes, raw);
  });

  withPing('test_log_endpoint_works', async (h, c) => {
    assert.equal((await h.ping(`${c.uuid}/log`, { method: 'POST', body: 'hello' })).status, 200);
    const doc = await h.get(c.uuid);
    assert.equal(doc.status, 'new');
    assert.equal(doc.next_ping, null);
    assert.equal(doc.last_ping, null);
    assert.equal(await kindOf(h, c), 'log');
    assert.equal((await h.api('GET', `/checks/${c.uuid}/pings/1/body`)).text, 'hello');
    assert.deepEqual(await h.flips(c.uuid), []);
  });

  withPing('test_it_saves_run_id', async (h, c) => {
    assert.equal((await h.ping(`${c.uuid}/start?rid=${RID_A}`)).status, 200);
    assert.equal((await h.lastPing(c.uuid)).rid, RID_A);
  });

  withPing('test_it_handles_invalid_rid', async (h, c) => {
    for (const sample of ['12345', '684e2e73-017e-465f-8149-d70b7c5aaa490'])
      assert.equal((await h.ping(`${c.uuid}/start?rid=${sample}`)).status, 400, sample);
  });

  const filtered = (name: string, fields: Json, body: string | undefined, kind: string, method = 'POST') =>
    withPing(name, async (h, c) => {
      await update(h, c, fields);
      const r = await h.ping(c.uuid, { method, ...(body !== undefined ? { body } : {}) });
      assert.equal(r.status, 200);
      assert.equal(await kindOf(h, c), kind);
    });
  filtered(
    'test_it_handles_success_filter_match',
    { filter_http_body: true, success_kw: 'SUCCESS' },
    'SUCCESS!',
    'success',
  );
  filtered(
    'test_it_handles_success_filter_miss',
    { filter_http_body: true, success_kw: 'SUCCESS' },
    'hello world',
    'ign',
  );
  filtered(
    'test_it_handles_failure_filter_match',
    { filter_http_body: true, failure_kw: 'FAIL' },
    'FAIL!',
    'fail',
  );
  filtered(
    'test_it_handles_failure_filter_miss',
    { filter_http_body: true, failure_kw: 'FAIL' },
    '---',
    'ign',
  );
  filtered(
    'test_it_handles_start_filter_match',
    { filter_http_body: true, start_kw: 'START' },
    'STARTING',
    'start',
  );
  withPing('test_manual_resume_takes_precedence_over_keywords', async (h, c) => {
    await update(h, c, { filter_http_body: true, success_kw: 'SUCCESS', manual_resume: true });
    await paused(h, c);
    assert.equal((await h.ping(c.uuid, { method: 'POST', body: 'SUCCESS!' })).status, 200);
    assert.equal(await kindOf(h, c), 'ign');
  });
  filtered(
    'test_allowed_methods_takes_precedence_over_keywords',
    { filter_http_body: true, filter_default_fail: true, methods: 'POST' },
    undefined,
    'ign',
    'GET',
  );
  filtered(
    'test_it_handles_filter_default_fail',
    { filter_http_body: true, success_kw: 'SUCCESS', filter_default_fail: true },
    'no keywords',
    'fail',
  );
  filtered(
    'test_it_ignores_email_filters',
    { filter_subject: true, success_kw: 'SUCCESS', filter_default_fail: true },
    undefined,
    'success',
    'GET',
  );

  notApplicable(F, 'alertpath has no e-mail confirmation-link display', [
    'test_it_updates_confirmation_flag',
  ]);
  notApplicable(F, 'alertpath stores ping bodies in its database, not in S3', ['test_it_uploads_body_to_s3']);
}

// ---- test_ping_by_slug.py ---------------------------------------------------------------------

{
  const F = 'test_ping_by_slug';
  const url = `${PING_KEY}/foo`;
  const setUp = (h: Hc) => h.check({ name: 'foo', slug: 'foo' });
  const withFoo = (name: string, fn: (h: Hc, c: Json) => Promise<void>, o?: Options) =>
    replay(F, name, async (h) => fn(h, await setUp(h)), o);

  withFoo('test_it_works', async (h, c) => {
    const r = await h.ping(url);
    assert.equal(r.text, 'OK');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal((await h.lastPing(c.uuid)).type, 'success');
  });

  withFoo('test_post_works', async (h, c) => {
    assert.equal((await h.ping(url, { method: 'POST', body: 'hello world' })).status, 200);
    assert.equal((await h.lastPing(c.uuid)).method, 'POST');
    assert.equal((await h.api('GET', `/checks/${c.uuid}/pings/1/body`)).text, 'hello world');
  });

  withFoo('test_head_works', async (h, c) => {
    assert.equal((await h.ping(url, { method: 'HEAD' })).status, 200);
    assert.equal((await h.pings(c.uuid)).length, 1);
  });

  withFoo('test_it_never_caches', async (h) => {
    assert.ok((await h.ping(url)).headers.get('cache-control')?.includes('no-cache'));
  });

  const suffix = (name: string, path: string, kind: string, exit?: number) =>
    withFoo(name, async (h, c) => {
      assert.equal((await h.ping(`${url}/${path}`)).status, 200);
      const p = await h.lastPing(c.uuid);
      assert.equal(p.type, kind);
      if (exit !== undefined) assert.equal(p.exitstatus, exit);
    });
  suffix('test_fail_endpoint_works', 'fail', 'fail');
  suffix('test_start_endpoint_works', 'start', 'start');
  suffix('test_zero_exit_status_works', '0', 'success', 0);
  suffix('test_nonzero_exit_status_works', '123', 'fail', 123);

  withFoo('test_it_handles_duplicates', async (h) => {
    await h.check({ name: 'foo', slug: 'foo' });
    assert.equal((await h.ping(url)).status, 409);
  });

  withFoo('test_it_handles_wrong_ping_key', async (h) => {
    assert.equal((await h.ping('rrrrrrrrrrrrrrrrrrrrrr/foo')).status, 404);
  });

  replay(
    F,
    'test_it_auto_provisions_missing_check',
    async (h) => {
      const r = await h.ping(`${url}?create=1`);
      assert.equal(r.text, 'Created');
      assert.equal(r.status, 201);
      const checks = (await h.api('GET', '/checks/')).json.checks as Json[];
      assert.equal(checks.length, 1);
      const c = checks[0] as Json;
      assert.equal(c.name, 'foo');
      assert.equal(c.slug, 'foo');
      assert.equal((await h.pings(c.uuid)).length, 1);
      // It is given every channel.
      assert.equal(c.channels, (await h.channelIds()).c1);
    },
    { channels: ['c1'] },
  );

  replay(F, 'test_auto_provisioning_is_off_by_default', async (h) => {
    assert.equal((await h.ping(url)).status, 404);
    assert.deepEqual((await h.api('GET', '/checks/')).json.checks, []);
  });

  withFoo('test_it_rejects_uppercase_slug', async (h) => {
    const r = await h.ping(`${url}FOO`);
    assert.equal(r.text, 'invalid url format');
    assert.equal(r.status, 400);
  });

  notApplicable(F, 'alertpath has no projects, accounts or check limits', [
    'test_auto_provisioning_limits_check_count',
  ]);
}

// ---- test_check_model.py, test_check_going_down_after.py: the same rules, seen through the API --

{
  const F = 'test_check_model';
  const status = async (h: Hc, uuid: string, v = 3) => (await h.get(uuid, v)).status;

  replay(F, 'test_it_strips_tags', async (h) => {
    const c = await h.check({ tags: ' foo  bar ' });
    const tagged = (await h.api('GET', '/checks/?tag=foo&tag=bar')).json.checks as Json[];
    assert.deepEqual(
      tagged.map((x) => x.uuid),
      [c.uuid],
    );
    const blank = await h.check({ tags: ' ' });
    assert.equal((await h.get(blank.uuid)).tags, '');
  });

  replay(F, 'test_get_status_handles_new_check', async (h) => {
    assert.equal(await status(h, (await h.check({})).uuid), 'new');
  });

  replay(F, 'test_status_works_with_grace_period', async (h) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    await h.advance(DAY + 30 * MIN);
    assert.equal(await status(h, c.uuid), 'grace');
  });

  replay(F, 'test_get_status_handles_paused_check', async (h) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    await h.api('POST', `/checks/${c.uuid}/pause`);
    await h.advance(DAY + 30 * MIN);
    assert.equal(await status(h, c.uuid), 'paused');
  });

  const schedule = (name: string, spec: Json, at: number, steps: Array<[number, string]>) =>
    replay(
      F,
      name,
      async (h) => {
        const c = await h.check(spec);
        await h.ping(c.uuid);
        for (const [t, expected] of steps) {
          h.clock.set(t);
          assert.equal(await status(h, c.uuid), expected, new Date(t).toISOString());
        }
      },
      { at },
    );
  const Y2K = Date.UTC(2000, 0, 1);
  schedule('test_status_works_with_cron_syntax', { schedule: '0 0 * * *' }, Y2K, [
    [Date.UTC(2000, 0, 1, 23, 59), 'up'],
    [Date.UTC(2000, 0, 2, 0, 0), 'grace'],
    [Date.UTC(2000, 0, 2, 1, 0), 'down'],
  ]);
  schedule('test_status_works_with_oncalendar_syntax', { schedule: '00:00' }, Y2K, [
    [Date.UTC(2000, 0, 1, 23, 59), 'up'],
    [Date.UTC(2000, 0, 2, 0, 0), 'grace'],
    [Date.UTC(2000, 0, 2, 1, 0), 'down'],
  ]);
  schedule('test_status_handles_stopiteration', { schedule: '2019-01-01' }, Date.UTC(2020, 0, 1), [
    [Date.UTC(2020, 0, 1, 1), 'up'],
  ]);
  schedule('test_status_works_with_timezone', { schedule: '0 10 * * *', tz: 'Australia/Brisbane' }, Y2K, [
    [Date.UTC(2000, 0, 1, 23, 59), 'up'],
    [Date.UTC(2000, 0, 2, 0, 0), 'grace'],
    [Date.UTC(2000, 0, 2, 1, 0), 'down'],
  ]);

  replay(F, 'test_get_status_handles_past_grace', async (h) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    await h.advance(2 * DAY);
    assert.equal(await status(h, c.uuid), 'down');
  });

  replay(F, 'test_get_status_obeys_down_status', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/fail`);
    await h.advance(MIN);
    assert.equal(await status(h, c.uuid), 'down');
  });

  replay(F, 'test_get_status_handles_started', async (h) => {
    // Last ping two hours ago, last start five minutes ago: "started" (v1), whatever the status.
    const make = {
      new: async (uuid: string) => {
        await h.ping(`${uuid}/log`);
      },
      paused: async (uuid: string) => {
        await h.api('POST', `/checks/${uuid}/pause`);
      },
      up: async () => {},
      down: async (uuid: string) => {
        await h.ping(`${uuid}/fail`);
      },
    };
    for (const [expectedStatus, setStatus] of Object.entries(make)) {
      h.clock.set(NOW);
      const c = await h.check({});
      if (expectedStatus !== 'new') await h.ping(c.uuid);
      await setStatus(c.uuid);
      h.clock.set(NOW + 2 * HOUR - 5 * MIN);
      await h.ping(`${c.uuid}/start`);
      h.clock.set(NOW + 2 * HOUR);
      assert.equal(await status(h, c.uuid, 1), 'started', expectedStatus);
      assert.equal(await status(h, c.uuid, 2), expectedStatus);
    }
  });

  replay(F, 'test_get_status_handles_down_then_started_and_expired', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/fail`);
    h.clock.set(NOW + 2 * DAY - 2 * HOUR);
    await h.ping(`${c.uuid}/start`);
    h.clock.set(NOW + 2 * DAY);
    assert.equal(await status(h, c.uuid, 1), 'down');
    assert.equal(await status(h, c.uuid, 2), 'down');
  });

  replay(F, 'test_get_status_handles_up_then_started', async (h) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    h.clock.set(NOW + 2 * HOUR - 5 * MIN);
    await h.ping(`${c.uuid}/start`);
    h.clock.set(NOW + 2 * HOUR);
    assert.equal(await status(h, c.uuid, 1), 'started');
    assert.equal(await status(h, c.uuid, 2), 'up', 'a started check is still up');
  });

  replay(F, 'test_get_status_handles_up_then_started_and_expired', async (h) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    h.clock.set(NOW + HOUR);
    await h.ping(`${c.uuid}/start`);
    h.clock.set(NOW + 3 * HOUR);
    assert.equal(await status(h, c.uuid, 1), 'down');
    assert.equal(await status(h, c.uuid, 2), 'down');
  });

  replay(F, 'test_get_status_handles_paused_then_started_and_expired', async (h) => {
    const c = await h.check({});
    await h.api('POST', `/checks/${c.uuid}/pause`);
    await h.ping(`${c.uuid}/start`);
    await h.advance(2 * HOUR);
    assert.equal(await status(h, c.uuid, 1), 'down');
    assert.equal(await status(h, c.uuid, 2), 'down');
  });

  replay(F, 'test_get_status_handles_started_and_mia', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/start`);
    await h.advance(2 * HOUR);
    assert.equal(await status(h, c.uuid, 1), 'down');
    assert.equal(await status(h, c.uuid, 2), 'down');
  });

  replay(
    F,
    'test_next_ping_with_cron_syntax',
    async (h) => {
      const c = await h.check({ schedule: '0 * * * *' });
      await h.ping(c.uuid);
      assert.equal((await h.get(c.uuid)).next_ping, '2000-01-01T01:00:00+00:00');
    },
    { at: Date.UTC(2000, 0, 1) },
  );

  replay(
    F,
    'test_get_status_handles_autumn_dst_transition',
    async (h) => {
      const c = await h.check({ schedule: '15 * * * *', tz: 'Europe/Riga', grace: 300 });
      await h.ping(c.uuid);
      h.clock.set(Date.UTC(2023, 9, 29, 1, 5));
      // The next expected run is at 01:15 UTC: still up for ten minutes.
      assert.equal(await status(h, c.uuid), 'up');
    },
    { at: Date.UTC(2023, 9, 29, 0, 55) },
  );

  notApplicable(F, 'downtime statistics are the dashboard’s and reports’ (not in the API)', [
    'test_downtimes_handles_no_flips',
    'test_downtimes_handles_currently_down_check',
    'test_monthly_uptime_pct_handles_dst',
    'test_downtimes_handles_flip_one_day_ago',
    'test_downtimes_handles_flip_two_months_ago',
    'test_downtimes_handles_non_utc_timezone',
    'test_downtimes_handles_months_when_check_did_not_exist',
  ]);
  notApplicable(F, 'tests Healthchecks’ internals (query counts, patched functions)', [
    'test_it_prunes',
    'test_it_does_not_prune_flips_less_than_93_days_old',
    'test_it_does_not_prune_flips_newer_than_the_earliest_ping',
    'test_it_prunes_object_storage',
    'test_get_grace_start_returns_utc',
    'test_rename_and_delete_handles_already_deleted_checks',
  ]);
}

{
  const F = 'test_check_going_down_after';
  /** going_down_after() is next_ping (the grace start) plus grace; null stays null. */
  const next = async (h: Hc, uuid: string) => (await h.get(uuid, 3)).next_ping;

  replay(F, 'test_it_handles_new_check', async (h) => {
    assert.equal(await next(h, (await h.check({})).uuid), null);
  });
  replay(F, 'test_it_handles_paused_check', async (h) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    await h.api('POST', `/checks/${c.uuid}/pause`);
    await h.advance(2 * DAY);
    assert.equal(await next(h, c.uuid), null);
  });
  replay(F, 'test_it_handles_up', async (h) => {
    const c = await h.check({});
    await h.ping(c.uuid);
    await h.advance(HOUR);
    assert.equal(await next(h, c.uuid), iso(NOW + DAY));
  });
  replay(F, 'test_it_handles_paused_then_started_check', async (h) => {
    const c = await h.check({});
    await h.api('POST', `/checks/${c.uuid}/pause`);
    await h.ping(`${c.uuid}/start`);
    await h.advance(2 * DAY);
    assert.equal(await next(h, c.uuid), iso(NOW));
  });
  replay(F, 'test_it_handles_down', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/fail`);
    await h.advance(HOUR);
    assert.equal(await next(h, c.uuid), null);
  });
  replay(F, 'test_it_handles_down_then_started_check', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/fail`);
    await h.ping(`${c.uuid}/start`);
    await h.advance(10 * MIN);
    assert.equal(await next(h, c.uuid), null);
  });
}

// ---- test_ping_model.py (durations, as the pings API lists them) ----------------------------

{
  const F = 'test_ping_model';
  const durations = async (h: Hc, uuid: string) => (await h.pings(uuid)).map((p) => p.duration ?? null);

  replay(F, 'PingModelTestCase.test_it_calculates_duration', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/start`);
    await h.advance(5 * MIN);
    await h.ping(c.uuid);
    assert.equal((await durations(h, c.uuid))[0], 300);
  });
  replay(F, 'PingModelTestCase.test_it_handles_no_adjacent_start_event', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/start`);
    await h.advance(5 * MIN);
    await h.ping(c.uuid);
    await h.advance(5 * MIN);
    await h.ping(c.uuid);
    assert.equal((await durations(h, c.uuid))[0], null);
  });
  replay(F, 'PrepareDurationsTestCase.test_it_matches_start_event_by_rid', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/start?rid=${RID_A}`);
    await h.advance(SEC);
    await h.ping(`${c.uuid}/start?rid=${RID_B}`);
    await h.advance(SEC);
    await h.ping(`${c.uuid}?rid=${RID_A}`);
    assert.equal((await durations(h, c.uuid))[0], 2);
  });
  replay(F, 'PrepareDurationsTestCase.test_it_ignores_ign_event', async (h) => {
    const c = await h.check({ methods: 'POST' });
    await h.ping(`${c.uuid}/start`, { method: 'POST' });
    await h.advance(SEC);
    await h.ping(c.uuid, { method: 'GET' }); // ign: not a POST
    await h.advance(SEC);
    await h.ping(c.uuid, { method: 'POST' });
    const pings = await h.pings(c.uuid);
    assert.equal(pings[1]?.type, 'ign');
    assert.equal(pings[0]?.duration, 2);
  });
  replay(F, 'PrepareDurationsTestCase.test_it_handles_consecutive_success_signals', async (h) => {
    const c = await h.check({});
    await h.ping(`${c.uuid}/start`);
    await h.advance(SEC);
    await h.ping(c.uuid);
    await h.advance(SEC);
    await h.ping(c.uuid);
    assert.deepEqual(await durations(h, c.uuid), [null, 1, null]);
  });
  replay(F, 'PrepareDurationsTestCase.test_it_caps_misses', async (h) => {
    const c = await h.check({});
    for (let i = 0; i < 15; i++) {
      await h.advance(SEC);
      await h.ping(`${c.uuid}?rid=0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c${String(i).padStart(2, '0')}`);
    }
    assert.deepEqual(await durations(h, c.uuid), Array(15).fill(null));
  });
  replay(F, 'PrepareDurationsTestCase.test_it_applies_max_duration', async (h) => {
    const c = await h.check({ timeout: 31536000, grace: 31536000 });
    await h.ping(`${c.uuid}/start`);
    await h.advance(72 * HOUR + SEC);
    await h.ping(c.uuid);
    assert.equal((await durations(h, c.uuid))[0], null);
  });

  notApplicable(F, 'tests Healthchecks’ internals (query counts, patched functions)', [
    'PingModelTestCase.test_it_runs_no_queries_for_the_first_ping',
    'PrepareDurationsTestCase.test_it_works',
    'PrepareDurationsTestCase.test_it_defers_to_duration_property',
    'PrepareDurationsTestCase.test_it_checks_max_duration_before_deferring',
    'PrepareDurationsTestCase.test_it_requires_pings_in_descending_time_order',
    'PrepareDurationsTestCase.test_it_handles_empty_list',
  ]);
}

// ---- whole files outside the ping and management APIs ------------------------------------------

notApplicableFile('test_badge', 11, 'badges are the dashboard’s, at its own URLs');
notApplicableFile('test_check_badge', 10, 'badges are the dashboard’s, at its own URLs');
notApplicableFile('test_get_badges', 4, 'badges are the dashboard’s, at its own URLs');
const OUTSIDE =
  'not the ping or management API: Healthchecks’ operations, e-mail intake, notifier internals, admin';
for (const [file, n] of [
  ['test_metrics', 5],
  ['test_notification_status', 9],
  ['test_bounces', 12],
  ['test_smtpd', 19],
  ['test_sendalerts', 10],
  ['test_sendreports', 10],
  ['test_notify', 2],
  ['test_channel_model', 2],
  ['test_flip_model', 10],
  ['test_admin', 1],
  ['test_prunepingsslow', 1],
  ['test_tokenbucket', 7],
  ['test_system_checks', 5],
] as const)
  notApplicableFile(file, n, OUTSIDE);

/** The number of test cases in each file of hc/api/tests/ (healthchecks/healthchecks). */
const CASES_PER_FILE: Record<string, number> = {
  test_create_check: 55,
  test_update_check: 43,
  test_get_check: 10,
  test_list_checks: 11,
  test_pause: 11,
  test_resume: 9,
  test_delete_check: 6,
  test_get_pings: 11,
  test_get_ping_body: 10,
  test_get_flips: 12,
  test_list_channels: 5,
  test_auth: 8,
  test_status: 1,
  test_ping: 49,
  test_ping_by_slug: 14,
  test_check_model: 31,
  test_check_going_down_after: 6,
  test_ping_model: 13,
};

//__MORE__

// ---- the count --------------------------------------------------------------------------------

test('conformance: at least 95 % of the applicable Healthchecks cases pass', () => {
  const all = [...results.values()];
  const passed = all.filter((r) => r === 'passed').length;
  const different = all.filter((r) => r === 'different').length;
  const failed = all.filter((r) => r === 'failed').length;
  const applicable = all.length;
  const na = Object.values(NOT_APPLICABLE).reduce((n, e) => n + e.cases.length, 0);
  const lines = [
    `healthchecks conformance: ${passed} of ${applicable} applicable cases pass (${((100 * passed) / applicable).toFixed(1)} %),`,
    `  ${different} deliberately different, ${failed} failing; ${na} not applicable:`,
    ...Object.values(NOT_APPLICABLE).map((e) => `  - ${e.cases.length} × ${e.why}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  // Every case of every in-scope file is accounted for: replayed, different, or not applicable.
  const fileOf = (name: string) => name.split(' › ')[0] as string;
  const seen = new Map<string, number>();
  for (const name of [...results.keys(), ...Object.values(NOT_APPLICABLE).flatMap((e) => e.cases)])
    seen.set(fileOf(name), (seen.get(fileOf(name)) ?? 0) + 1);
  for (const [file, n] of Object.entries(CASES_PER_FILE)) assert.equal(seen.get(file), n, file);
  assert.ok(applicable > 200, `${applicable} cases replayed`);
  assert.equal(
    failed,
    0,
    [...results]
      .filter(([, r]) => r === 'failed')
      .map(([n]) => n)
      .join('\n'),
  );
  assert.ok(passed / applicable >= 0.95, lines.join('\n'));
});
