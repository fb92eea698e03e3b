import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, runCli, startCli, waitForOutput } from '../helpers/cli.js';
import { createSchema, PG_URL, pgSkip } from './store-pg.js';

/** `alertpath watch --database postgres://…` through the real CLI. */

const skip = await pgSkip();
const UUID = '3c9a1e0f-8b2d-4f6a-9c3e-1d2b4a6f8e01';
const cleanEnv = {
  ALERTPATH_CONFIG: '',
  ALERTPATH_DATA: '',
  ALERTPATH_DATABASE_URL: '',
  ALERTPATH_LISTEN: '',
  ALERTPATH_BASE_URL: '',
};

test('watch --database postgres://… starts, is ready, accepts a ping, and never prints the password', {
  skip,
}, async () => {
  const db = await createSchema();
  const dir = mkdtempSync(join(tmpdir(), 'watch-pg-cli-'));
  const config = join(dir, 'watch.yaml');
  writeFileSync(
    config,
    `apiKeys: [{ name: t, key: cli-api-key-0123456789 }]\nchecks:\n  - { name: job, uuid: ${UUID}, period: 1h }\n`,
  );
  const password = new URL(PG_URL as string).password;
  const child = startCli(
    ['watch', '--database', db.url, '--config', config, '--data', dir, '--listen', '127.0.0.1:0'],
    {
      env: cleanEnv,
    },
  );
  const done = collect(child);
  try {
    const line = await waitForOutput(child, /serving (http:\/\/\S+)/);
    const base = /http:\/\/[^\s/]+/.exec(line)?.[0] as string;
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    const res = await fetch(`${base}/ping/${UUID}`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'OK');
    const check = await fetch(`${base}/api/v3/checks/${UUID}`, {
      headers: { 'X-Api-Key': 'cli-api-key-0123456789' },
    });
    const body = (await check.json()) as { status: string; n_pings: number };
    assert.equal(body.status, 'up');
    assert.equal(body.n_pings, 1);
  } finally {
    child.kill('SIGTERM');
    const r = await done;
    await db.drop();
    // The test role's password is also a common word ("alertpath"): look for it as URL userinfo.
    const out = r.stdout + r.stderr;
    assert.ok(password.length > 0);
    assert.ok(!out.includes(`:${password}@`) && !out.includes(db.url), 'the password was printed');
    assert.match(r.stdout + r.stderr, /"store":"postgres"/);
  }
});

test('watch with a wrong database password exits 1 with one line that does not show it', {
  skip,
}, async () => {
  const url = new URL(PG_URL as string);
  url.password = 'wrong-Pa55word-xyz';
  const r = await runCli(['watch', '--listen', '127.0.0.1:0'], {
    env: { ...cleanEnv, ALERTPATH_DATABASE_URL: url.toString() },
  });
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(
    r.stderr.startsWith(
      `alertpath: cannot use the PostgreSQL database ${url.host}${url.pathname}: password authentication failed for user "${url.username}"`,
    ),
    r.stderr,
  );
  assert.ok(!r.stderr.includes('wrong-Pa55word-xyz') && !r.stdout.includes('wrong-Pa55word-xyz'));
});
