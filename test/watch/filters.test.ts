import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { appRig } from './rig.js';

/**
 * The missed page this fixes: keyword filters set with Healthchecks' field names were dropped,
 * so a body carrying the failure keyword counted as a success and nobody was paged. Now the
 * failure keyword sends the check down and pages; and Healthchecks' e-mail filter (`filter_body`)
 * does not filter HTTP pings, so a copied check does not go down falsely.
 */

const KEY = 'k'.repeat(32);

test('failure keyword (filter_http_body + failure_kw) pages; filter_body alone filters nothing', async () => {
  const r = await appRig({
    config: `channels: { mail: { type: fake } }\ndefaults: { channels: [mail] }\napiKeys: [{ name: t, key: ${KEY} }]\n`,
  });
  try {
    const create = async (spec: Record<string, unknown>) => {
      const res = await r.request('/api/v1/checks/', {
        method: 'POST',
        headers: { 'X-Api-Key': KEY },
        body: JSON.stringify({ timeout: 3600, ...spec }),
      });
      assert.equal(res.status, 201);
      return (await res.json()) as { uuid: string; filter_http_body: boolean; failure_kw: string };
    };
    const status = async (uuid: string) =>
      (
        (await (await r.request(`/api/v3/checks/${uuid}`, { headers: { 'X-Api-Key': KEY } })).json()) as {
          status: string;
        }
      ).status;

    const backup = await create({
      name: 'backup',
      filter_http_body: true,
      success_kw: 'OK',
      failure_kw: 'ERROR',
    });
    assert.equal(backup.filter_http_body, true);
    assert.equal(backup.failure_kw, 'ERROR');
    await r.request(`/ping/${backup.uuid}`, { method: 'POST', body: 'backup OK' });
    assert.equal(await status(backup.uuid), 'up');
    await r.request(`/ping/${backup.uuid}`, { method: 'POST', body: 'tar: ERROR: disk full' });
    assert.equal(await status(backup.uuid), 'down');
    const mail = r.transports.get('mail');
    await mail?.waitForTries(1);
    assert.match(mail?.sent[0]?.text ?? '', /🔴 DOWN backup: failure reported .*tar: ERROR: disk full/);

    // Healthchecks' e-mail body filter, copied from a Healthchecks check: HTTP pings are not filtered.
    const copied = await create({
      name: 'copied',
      filter_body: true,
      success_kw: 'OK',
      filter_default_fail: true,
    });
    await r.request(`/ping/${copied.uuid}`, { method: 'POST', body: 'done' });
    assert.equal(await status(copied.uuid), 'up');
  } finally {
    await r.close();
    rmSync(r.dir, { recursive: true, force: true });
  }
});
