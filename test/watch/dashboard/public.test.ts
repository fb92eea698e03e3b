import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManualClock } from '../../helpers/clock.js';
import { appRig } from '../rig.js';

/** Public status pages and badges, over HTTP (app.request, no socket). */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const PING_KEY = 'pingkey-abcdefgh';
const BADGE_KEY = 'badgekey-12345678';
const PUBLIC_UUID = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c01';
const PRIVATE_UUID = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c02';

const CONFIG = `
pingKey: ${PING_KEY}
badgeKey: ${BADGE_KEY}
channels: { mail: { type: fake } }
defaults: { channels: [mail] }
checks:
  - { name: "web <script>alert(1)</script>", slug: web, uuid: ${PUBLIC_UUID}, period: 1h, grace: 10m, tags: [public, web] }
  - { name: secret-backup, slug: secret-backup, uuid: ${PRIVATE_UUID}, period: 1h, grace: 10m, tags: [internal] }
statusPages:
  - slug: main
    title: "Example & Co status"
    tags: [public]
    announcement: "Maintenance <b>tonight</b>"
  - { slug: quiet, title: Quiet, checks: [secret-backup], showHistory: false }
`;

// biome-ignore lint/suspicious/noExplicitAny: test documents
type Json = Record<string, any>;

async function json(r: { request(p: string): Promise<Response> }, path: string): Promise<Json> {
  return (await (await r.request(path)).json()) as Json;
}

async function rig() {
  const clock = new ManualClock(NOW - 10 * DAY);
  const r = await appRig({ config: CONFIG, clock, start: false });
  const ping = async (uuid: string, suffix = '', body?: string) => {
    const res = await r.request(`/ping/${uuid}${suffix}`, { method: 'POST', ...(body ? { body } : {}) });
    assert.equal(res.status, 200, await res.text());
  };
  return { ...r, clock, ping };
}

/** Ten days of history: up, a 2 h failure three days ago, up again. */
async function history(r: Awaited<ReturnType<typeof rig>>) {
  for (const uuid of [PUBLIC_UUID, PRIVATE_UUID]) await r.ping(uuid, '', 'secret body token=hunter2');
  await r.clock.advance(7 * DAY);
  await r.ping(PUBLIC_UUID, '/fail', 'FAILED at https://private.example/ token=hunter2');
  await r.clock.advance(2 * HOUR);
  await r.ping(PUBLIC_UUID);
  r.clock.set(NOW);
  await r.ping(PUBLIC_UUID);
  await r.ping(PRIVATE_UUID);
}

describe('public status pages', () => {
  test('90 day bars, incident history, announcement, escaped, nothing private', async () => {
    const r = await rig();
    try {
      await history(r);
      const res = await r.request('/status/main');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(res.headers.get('cache-control') ?? '', /public/);
      const page = await res.text();
      assert.match(page, /<h1>Example &amp; Co status<\/h1>/);
      assert.ok(page.includes('web &lt;script&gt;alert(1)&lt;/script&gt;'), 'check name escaped');
      assert.ok(!page.includes('<script>alert(1)'), 'no raw script');
      assert.ok(page.includes('Maintenance &lt;b&gt;tonight&lt;/b&gt;'), 'announcement escaped');
      assert.equal(page.match(/<li class="b-/g)?.length, 90, 'one bar per day');
      assert.match(page, /2026-11-22: down 2h/);
      assert.match(page, /2026-11-21: no downtime/);
      assert.match(page, /2026-11-01: no data/);
      assert.match(page, /Operational/);
      assert.match(page, /was down from <time[^>]*>2026-11-22 12:00:00 UTC<\/time> for 2h/);
      assert.match(page, /reported a failure/);
      assert.match(page, /All systems operational/);
      // Nothing private: no other check, no uuid, no ping key or URL, no body, no slug URL.
      for (const secret of [
        'secret-backup',
        PUBLIC_UUID,
        PRIVATE_UUID,
        PING_KEY,
        BADGE_KEY,
        '/ping/',
        'hunter2',
        'private.example',
      ])
        assert.ok(!page.includes(secret), `page leaks ${secret}`);
      // Readable without JavaScript: no script at all.
      assert.ok(!/<script/i.test(page));
    } finally {
      await r.close();
    }
  });

  test('the JSON twin has the same data and nothing private', async () => {
    const r = await rig();
    try {
      await history(r);
      const res = await r.request('/status/main.json');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const text = await res.text();
      const doc = JSON.parse(text);
      assert.equal(doc.title, 'Example & Co status');
      assert.equal(doc.status, 'up');
      assert.equal(doc.checks.length, 1);
      const check = doc.checks[0];
      assert.equal(check.name, 'web <script>alert(1)</script>');
      assert.equal(check.status, 'up');
      assert.equal(check.days.length, 90);
      const bad = check.days.find((d: { date: string }) => d.date === '2026-11-22');
      assert.deepEqual(bad, {
        date: '2026-11-22',
        status: 'down',
        up_seconds: 22 * 3600,
        down_seconds: 7200,
      });
      assert.ok(check.uptime_90d > 0.99 && check.uptime_90d < 1);
      assert.deepEqual(doc.incidents, [
        {
          check: check.name,
          start: '2026-11-22T12:00:00.000Z',
          end: '2026-11-22T14:00:00.000Z',
          reason: 'fail',
        },
      ]);
      for (const secret of ['secret-backup', PUBLIC_UUID, PING_KEY, 'hunter2', 'private.example'])
        assert.ok(!text.includes(secret), `JSON leaks ${secret}`);
    } finally {
      await r.close();
    }
  });

  test('showHistory: false hides incidents; an unknown page is 404; a down check shows', async () => {
    const r = await rig();
    try {
      r.clock.set(NOW);
      await r.ping(PRIVATE_UUID, '/fail');
      const doc = (await (await r.request('/status/quiet.json')).json()) as Json;
      assert.equal(doc.incidents, null);
      assert.equal(doc.status, 'down');
      const page = await (await r.request('/status/quiet')).text();
      assert.ok(!page.includes('Incidents'));
      assert.match(page, /class="status s-down">Down</);
      assert.equal((await r.request('/status/nope')).status, 404);
      assert.equal((await r.request('/status/nope.json')).status, 404);
    } finally {
      await r.close();
    }
  });

  test('a rendered page is reused for a few seconds, then rebuilt', async () => {
    const r = await rig();
    try {
      r.clock.set(NOW);
      await r.ping(PUBLIC_UUID);
      assert.equal((await json(r, '/status/main.json')).checks[0].status, 'up');
      await r.ping(PUBLIC_UUID, '/fail');
      assert.equal((await json(r, '/status/main.json')).checks[0].status, 'up');
      await r.clock.advance(11_000);
      assert.equal((await json(r, '/status/main.json')).checks[0].status, 'down');
    } finally {
      await r.close();
    }
  });

  test('the stylesheet is served, with dark mode', async () => {
    const r = await rig();
    try {
      const page = await (await r.request('/status/main')).text();
      const href = /<link rel="stylesheet" href="([^"]+)"/.exec(page)?.[1];
      assert.ok(href);
      const css = await r.request(href);
      assert.equal(css.status, 200);
      assert.match(await css.text(), /prefers-color-scheme:dark/);
    } finally {
      await r.close();
    }
  });
});

describe('badges', () => {
  test('status badges by slug and by tag, up / down, SVG escaped', async () => {
    const r = await rig();
    try {
      r.clock.set(NOW);
      await r.ping(PUBLIC_UUID);
      await r.ping(PRIVATE_UUID);
      let res = await r.request(`/badge/${BADGE_KEY}/web.svg`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/svg+xml');
      let svg = await res.text();
      assert.match(svg, /^<svg /);
      assert.match(svg, /aria-label="web: up"/);
      await r.ping(PRIVATE_UUID, '/fail');
      await r.clock.advance(11_000);
      svg = await (await r.request(`/badge/${BADGE_KEY}/internal.svg`)).text();
      assert.match(svg, /aria-label="internal: down"/);
      res = await r.request(`/badge/${BADGE_KEY}/${encodeURIComponent('<x>')}.svg`);
      assert.equal(res.status, 404);
      assert.equal((await r.request('/badge/wrong-key-123/web.svg')).status, 404);
      assert.equal((await r.request(`/badge/${BADGE_KEY}/web.png`)).status, 404);
    } finally {
      await r.close();
    }
  });

  test('uptime badges over 24h / 7d / 30d and the shields.io endpoint', async () => {
    const r = await rig();
    try {
      await history(r);
      const day = await (await r.request(`/badge/${BADGE_KEY}/web/uptime/24h.svg`)).text();
      assert.match(day, /aria-label="web 24h: 100%"/);
      const week = await (await r.request(`/badge/${BADGE_KEY}/web/uptime/7d.svg`)).text();
      // 2 h down out of 7 days: 98.80%.
      assert.match(week, /aria-label="web 7d: 98\.80%"/);
      const month = await (await r.request(`/badge/${BADGE_KEY}/web/uptime/30d.svg`)).text();
      // 10 days of data, 2 h down: 99.16%.
      assert.match(month, /aria-label="web 30d: 99\.16%"/);
      assert.equal((await r.request(`/badge/${BADGE_KEY}/web/uptime/1y.svg`)).status, 404);
      const shields = await r.request(`/badge/${BADGE_KEY}/web/shields.json`);
      assert.equal(shields.status, 200);
      assert.deepEqual(await shields.json(), {
        schemaVersion: 1,
        label: 'web',
        message: 'up',
        color: '#4c1',
        isError: false,
      });
    } finally {
      await r.close();
    }
  });

  test('the badge key is generated and kept when the config sets none', async () => {
    const r = await appRig({ config: 'checks: [{ name: a, period: 1h }]\n', start: false });
    try {
      const key = r.watch.badgeKey();
      assert.match(key, /^[A-Za-z0-9_-]{16}$/);
      assert.equal(await r.watch.store.getSetting('badge_key'), key);
      assert.equal((await r.request(`/badge/${key}/a.svg`)).status, 200);
    } finally {
      await r.close();
    }
  });
});
