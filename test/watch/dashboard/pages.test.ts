import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueKey } from '../../../src/watch/http/check-json.js';
import { ManualClock } from '../../helpers/clock.js';
import { settle } from '../helpers.js';
import { appRig } from '../rig.js';
import { PASSWORD, READER_PASSWORD, Session, usersYaml } from './session.js';

/** The checks list and the check page, over HTTP, signed in. */

const MIN = 60_000;
const A = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c01';
const B = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c02';
const C = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c03';
const PING_KEY = 'pingkey-abcdefgh';

async function rig() {
  const clock = new ManualClock(Date.UTC(2026, 10, 25, 3, 0, 0));
  const config = `${await usersYaml()}pingKey: ${PING_KEY}
channels: { mail: { type: fake }, pager: { type: fake } }
checks:
  - { name: "alpha <b>", slug: alpha, uuid: ${A}, period: 10m, grace: 5m, tags: [db, prod], channels: [mail] }
  - { name: bravo, uuid: ${B}, period: 1h, grace: 10m, tags: [web], channels: [mail, pager] }
  - { name: charlie-unrouted, uuid: ${C}, cron: "0 3 * * *", tz: Europe/Berlin, grace: 1h, tags: [db] }
`;
  const r = await appRig({ config, clock, start: false });
  const ping = async (uuid: string, suffix = '', body?: string) => {
    const res = await r.request(`/ping/${uuid}${suffix}`, { method: 'POST', ...(body ? { body } : {}) });
    assert.equal(res.status, 200);
  };
  const admin = new Session(r.request);
  assert.equal((await admin.login('admin', PASSWORD)).status, 303);
  return { ...r, clock, ping, admin };
}

const rowOrder = (page: string) =>
  [...page.matchAll(/<tr data-status="(\w+)">\s*<td>.*?<\/td>\s*<td><a href="[^"]+">([^<]+)</gs)].map(
    (m) => `${m[1]}:${m[2]}`,
  );

describe('checks list', () => {
  test('down first, status words, last ping with exact time, schedule, strip, unrouted warning', async () => {
    const r = await rig();
    try {
      await r.ping(A);
      await r.ping(B);
      await r.clock.advance(3 * MIN);
      await r.ping(B, '/fail');
      const { res, text } = await r.admin.get('/');
      assert.equal(res.status, 200);
      assert.deepEqual(rowOrder(text), ['down:bravo', 'up:alpha &lt;b&gt;', 'new:charlie-unrouted']);
      assert.match(text, /<span class="status s-down">down<\/span>/);
      assert.match(text, /title="2026-11-25 03:00:00 UTC">3m ago<\/time>/);
      assert.match(text, /every 10m, grace 5m/);
      assert.match(text, /0 3 \* \* \* Europe\/Berlin, grace 1h/);
      assert.match(text, /aria-label="last 30 periods: 0 up, 1 with downtime, 29 no data"/);
      assert.match(text, /⚠ unrouted: notifies nobody/);
      assert.equal(text.match(/unrouted: notifies nobody/g)?.length, 1);
      assert.ok(!text.includes('alpha <b>'), 'names are escaped');
      assert.match(text, /data-refresh="2000"/, 'live refresh');
      assert.match(text, /<script src="\/assets\/dashboard\.[0-9a-f]+\.js" defer><\/script>/);
    } finally {
      await r.close();
    }
  });

  test('filter by tags (all given) and search by name', async () => {
    const r = await rig();
    try {
      const names = async (q: string) => rowOrder((await r.admin.get(q)).text).map((x) => x.split(':')[1]);
      assert.deepEqual(await names('/?tag=db'), ['alpha &lt;b&gt;', 'charlie-unrouted']);
      assert.deepEqual(await names('/?tag=db&tag=prod'), ['alpha &lt;b&gt;']);
      assert.deepEqual(await names('/?q=BRA'), ['bravo']);
      assert.deepEqual(await names('/?q=zzz'), []);
      assert.match((await r.admin.get('/?tag=db')).text, /2 of 3 checks/);
    } finally {
      await r.close();
    }
  });
});

describe('check page', () => {
  test('ping URLs with copy-ready lines, the ping log with escaped bodies, flips, notifications', async () => {
    const r = await rig();
    try {
      await r.ping(A, '/start');
      await r.ping(A, '/fail', '<script>alert("x")</script> & more');
      await settle();
      const { res, text } = await r.admin.get(`/checks/${A}`);
      assert.equal(res.status, 200);
      assert.match(text, /<h1>alpha &lt;b&gt;<\/h1>/);
      assert.ok(text.includes(`<code>https://watch.example.net/ping/${A}</code>`));
      assert.ok(text.includes(`<code>https://watch.example.net/ping/${PING_KEY}/alpha</code>`));
      assert.ok(
        text.includes(
          `<pre data-copy>curl -fsS -m 10 --retry 5 -o /dev/null https://watch.example.net/ping/${A}</pre>`,
        ),
      );
      assert.match(text, /runitor -ping-url/);
      assert.match(text, /webhook_configs:/);
      assert.match(text, /ExecStopPost=/);
      assert.ok(
        text.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more'),
        'body as text',
      );
      assert.ok(!text.includes('<script>alert'), 'no raw body');
      assert.match(text, /<td>fail<\/td>/);
      assert.match(text, /<td>start<\/td>/);
      assert.match(text, /<td>new<\/td><td><span class="status s-down">down<\/span><\/td><td>fail<\/td>/);
      assert.match(text, /Send test notification to mail/);
    } finally {
      await r.close();
    }
  });

  test('notifications show their outcome and error', async () => {
    const r = await rig();
    try {
      await r.watch.start();
      const mail = r.transports.get('mail');
      assert.ok(mail);
      mail.failing = true;
      await r.ping(A, '/fail');
      await mail.waitForTries(1);
      await settle();
      const { text } = await r.admin.get(`/checks/${A}`);
      assert.match(text, /<td>mail<\/td><td>down<\/td>/);
      assert.match(text, /mail is down \(HTTP 503\)/);
    } finally {
      await r.close();
    }
  });

  test('pause and resume are POSTs with the CSRF token; without it nothing changes', async () => {
    const r = await rig();
    try {
      await r.ping(A);
      const page = (await r.admin.get(`/checks/${A}`)).text;
      const csrf = Session.csrf(page.slice(page.indexOf(`action="/checks/${A}/pause"`)));
      assert.equal((await r.admin.post(`/checks/${A}/pause`, {})).res.status, 403);
      assert.equal((await r.admin.post(`/checks/${A}/pause`, { csrf: 'forged' })).res.status, 403);
      assert.equal((await r.admin.fetch(`/checks/${A}/pause`)).status, 404, 'GET changes nothing');
      assert.equal((await r.watch.store.getCheck(A))?.state.status, 'up');
      const paused = await r.admin.post(`/checks/${A}/pause`, { csrf });
      assert.equal(paused.res.status, 303);
      assert.equal(paused.res.headers.get('location'), `/checks/${A}`);
      assert.equal((await r.watch.store.getCheck(A))?.state.status, 'paused');
      const after = (await r.admin.get(`/checks/${A}`)).text;
      assert.match(after, /<span class="status s-paused">paused<\/span>/);
      assert.match(after, /<button class="primary" type="submit">Resume<\/button>/);
      assert.equal((await r.admin.post(`/checks/${A}/resume`, { csrf })).res.status, 303);
      assert.notEqual((await r.watch.store.getCheck(A))?.state.status, 'paused');
      // Another session's token is not this session's.
      const other = new Session(r.request);
      await other.login('admin', PASSWORD);
      assert.equal((await other.post(`/checks/${A}/pause`, { csrf })).res.status, 403);
    } finally {
      await r.close();
    }
  });

  test('a test notification goes through the channel and reports its outcome', async () => {
    const r = await rig();
    try {
      const page = (await r.admin.get(`/checks/${B}`)).text;
      const csrf = Session.csrf(page.slice(page.indexOf('/test"')));
      const ok = await r.admin.post(`/checks/${B}/test`, { csrf, channel: 'pager' });
      assert.equal(ok.res.status, 200);
      assert.match(ok.text, /Test notification sent to pager/);
      assert.equal(r.transports.get('pager')?.sent.length, 1);
      (r.transports.get('mail') as { failing: boolean }).failing = true;
      const bad = await r.admin.post(`/checks/${B}/test`, { csrf, channel: 'mail' });
      assert.equal(bad.res.status, 502);
      assert.match(bad.text, /Test notification to mail failed: mail is down/);
      assert.equal((await r.admin.post(`/checks/${B}/test`, { csrf, channel: 'nope' })).res.status, 404);
    } finally {
      await r.close();
    }
  });

  test('read-only users see no uuid or ping URL and cannot change anything', async () => {
    const r = await rig();
    try {
      await r.ping(A);
      const reader = new Session(r.request);
      assert.equal((await reader.login('reader', READER_PASSWORD)).status, 303);
      const list = (await reader.get('/')).text;
      assert.ok(!list.includes(A), 'no uuid in the list');
      assert.ok(list.includes(`/checks/${uniqueKey(A)}`));
      const { res, text } = await reader.get(`/checks/${uniqueKey(A)}`);
      assert.equal(res.status, 200);
      assert.ok(!text.includes(A) && !text.includes(PING_KEY) && !text.includes('/ping/'), 'no ping URL');
      assert.match(text, /Read-only/);
      const csrf = Session.csrf(text);
      assert.equal((await reader.post(`/checks/${uniqueKey(A)}/pause`, { csrf })).res.status, 403);
      assert.equal((await reader.post(`/checks/${A}/pause`, { csrf })).res.status, 403);
      assert.equal((await reader.post(`/checks/${A}/test`, { csrf, channel: 'mail' })).res.status, 403);
      assert.equal((await r.watch.store.getCheck(A))?.state.status, 'up');
    } finally {
      await r.close();
    }
  });

  test('badge URLs on the check page; pages are not framable, not cached, scripts only from the site', async () => {
    const r = await rig();
    try {
      const { res, text } = await r.admin.get(`/checks/${A}`);
      const key = r.watch.badgeKey();
      assert.ok(text.includes(`https://watch.example.net/badge/${key}/alpha.svg`));
      assert.ok(text.includes(`https://watch.example.net/badge/${key}/alpha/uptime/30d.svg`));
      assert.ok(text.includes(`https://watch.example.net/badge/${key}/alpha/shields.json`));
      assert.ok(text.includes(`https://watch.example.net/badge/${key}/prod.svg`));
      assert.match(
        res.headers.get('content-security-policy') ?? '',
        /script-src 'self';.*frame-ancestors 'none'/,
      );
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('referrer-policy'), 'same-origin');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      // The APIs beside the dashboard keep their own headers.
      const ping = await r.request(`/ping/${A}`);
      assert.equal(ping.headers.get('x-frame-options'), null);
      assert.equal(await ping.text(), 'OK');
    } finally {
      await r.close();
    }
  });

  test('an unknown check is 404; signed out is a redirect to sign in', async () => {
    const r = await rig();
    try {
      assert.equal((await r.admin.fetch('/checks/0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5cff')).status, 404);
      assert.equal((await r.admin.fetch('/checks/nonsense')).status, 404);
      const res = await r.request(`/checks/${A}`);
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent(`/checks/${A}`)}`);
    } finally {
      await r.close();
    }
  });
});
