import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../helpers/clock.js';
import { appRig } from '../rig.js';
import { PASSWORD, Session, usersYaml } from './session.js';

const HOUR = 3_600_000;

test('probe page: latency chart over 24h / 7d / 30d, uptime per day, failures, certificate expiry', async () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 20, 0, 0, 0));
  const config = `${await usersYaml()}probes:
  - { name: site-cert, tls: "example.net:443", certExpiry: 14d, interval: 1h }
`;
  const r = await appRig({ config, clock, start: false });
  try {
    const uuid = (await r.watch.store.listChecks())[0]?.uuid as string;
    for (let h = 0; h < 5 * 24; h++) {
      const bad = h === 50;
      await r.watch.engine.probeResult(uuid, {
        at: clock.now(),
        ok: !bad,
        latencyMs: 20 + (h % 7),
        message: bad
          ? 'TLS to example.net:443: connect ECONNREFUSED <script>'
          : 'certificate for example.net valid until 2027-02-01 (73 days)',
      });
      await clock.advance(HOUR);
    }
    const admin = new Session(r.request);
    await admin.login('admin', PASSWORD);
    const page = (await admin.get(`/checks/${uuid}`)).text;
    assert.match(page, /<h2>Probe<\/h2>/);
    assert.match(page, /tls <code>example\.net:443<\/code>/);
    assert.match(page, /Certificate valid until <strong>2027-02-01<\/strong>/);
    assert.match(
      page,
      /<svg viewBox="0 0 720 160"[^>]*aria-label="latency: average 2\dms, highest 26ms, 0 periods with failures"/,
    );
    assert.match(page, /connect ECONNREFUSED &lt;script&gt;/);
    assert.match(page, /title="2026-11-22: 95\.83%"/, 'one failure in 24 runs');
    assert.match(page, /title="2026-11-21: 100%"/);
    assert.ok(!page.includes('<h2>Ping URLs</h2>'), 'a probe has no ping URLs');
    const week = (await admin.get(`/checks/${uuid}?range=7d`)).text;
    assert.match(week, /aria-label="latency: average 2\dms, highest 26ms, 1 period with failures"/);
    assert.match(week, /<strong aria-current="true">7d<\/strong>/);
    assert.match(week, /<title>2026-11-22 02:00:00 UTC: 2\dms, failed<\/title>/, 'a tooltip per point');
  } finally {
    await r.close();
  }
});
