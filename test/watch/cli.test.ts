import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, repoRoot, runCli, startCli, waitForOutput } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';

const cleanEnv = {
  ALERTPATH_CONFIG: '',
  ALERTPATH_DATA: '',
  ALERTPATH_DATABASE_URL: '',
  ALERTPATH_LISTEN: '',
  ALERTPATH_BASE_URL: '',
};

test('zero config: starts on SQLite in ./alertpath-data, prints its base URL and a one-time API key', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'watch-cli-'));
  // A fresh directory, as a new user would start it; the link lets `--import tsx` resolve from source.
  symlinkSync(join(repoRoot, 'node_modules'), join(cwd, 'node_modules'));
  const child = startCli(['watch', '--listen', '127.0.0.1:0'], { cwd, env: cleanEnv });
  const done = collect(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer | string) => {
    out += d.toString();
  });
  try {
    const line = await waitForOutput(child, /serving (http:\/\/\S+)/);
    const base = /http:\/\/\S+/.exec(line)?.[0] as string;
    const key = /generated an API key[^:]*: (\S+)/.exec(out)?.[1] as string;
    assert.ok(key, out);
    assert.ok(existsSync(join(cwd, 'alertpath-data', 'watch.db')));
    const created = await fetch(`${base}/api/v3/checks/`, {
      method: 'POST',
      headers: { 'X-Api-Key': key },
      body: JSON.stringify({ name: 'cron job', timeout: 3600 }),
    });
    assert.equal(created.status, 201);
    const { ping_url } = (await created.json()) as { ping_url: string };
    assert.equal(ping_url.startsWith(`${base}/ping/`), true);
    const res = await fetch(ping_url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'OK');
  } finally {
    child.kill('SIGTERM');
    await done;
  }
});

test('--database postgres://… selects PostgreSQL: an unreachable database exits 1 with one line, no password', async () => {
  const r = await runCli(
    ['watch', '--database', 'postgres://u:secret@127.0.0.1:1/watch', '--listen', '127.0.0.1:0'],
    {
      env: cleanEnv,
    },
  );
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^alertpath: cannot use the PostgreSQL database 127\.0\.0\.1:1\/watch: .*ECONNREFUSED/,
  );
  assert.ok(!r.stderr.includes('secret'));
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('--database with another scheme exits 2 without printing its userinfo', async () => {
  const r = await runCli(['watch', '--database', 'mysql://u:secret@db/watch'], { env: cleanEnv });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unsupported --database URL/);
  assert.ok(!r.stderr.includes('secret'));
});

test('invalid config exits 2 with FILE:LINE:COL: message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'watch-cli-cfg-'));
  const file = join(dir, 'watch.yaml');
  writeFileSync(file, 'checks:\n  - name: backup\n    period: 1h\n    grace: later\n');
  const r = await runCli(['watch', '--config', file, '--data', dir], { env: cleanEnv });
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    `${file}:4:12: checks.0.grace: expected a duration such as 500ms, 2s, 5m or 1h, got "later"`,
  );
});

test('kill -9 under ping load: every ping answered OK is in the store after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'watch-kill-'));
  const port = await freePort();
  const key = 'kill-test-key-0123456789';
  const file = join(dir, 'watch.yaml');
  writeFileSync(
    file,
    `apiKeys: [{ name: t, key: ${key} }]\nchecks:\n  - { name: hammered, uuid: 0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c01, period: 1h }\n`,
  );
  const args = ['watch', '--config', file, '--data', dir, '--listen', `127.0.0.1:${port}`];
  const uuid = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c01';

  const first = startCli(args, { env: cleanEnv });
  const firstDone = collect(first);
  await waitForOutput(first, /serving http/);

  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  let ok = 0;
  let failed = 0;
  let stop = false;
  const pingOnce = () =>
    new Promise<boolean>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path: `/ping/${uuid}`, method: 'POST', agent },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => resolve(res.statusCode === 200 && body === 'OK'));
          res.on('error', () => resolve(false));
        },
      );
      req.on('error', () => resolve(false));
      req.end('ping body');
    });
  const workers = Array.from({ length: 32 }, async () => {
    while (!stop) {
      if (await pingOnce()) ok++;
      else {
        failed++;
        return;
      }
    }
  });
  // Let the load run, then kill the process mid-flight without any chance to flush.
  while (ok < 2000) await new Promise((r) => setTimeout(r, 20));
  first.kill('SIGKILL');
  await Promise.all(workers);
  stop = true;
  agent.destroy();
  const killed = await firstDone;
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(failed > 0, 'some requests were cut off by the kill');

  const second = startCli(args, { env: cleanEnv });
  const secondDone = collect(second);
  try {
    await waitForOutput(second, /serving http/);
    const res = await fetch(`http://127.0.0.1:${port}/api/v3/checks/${uuid}`, {
      headers: { 'X-Api-Key': key },
    });
    const check = (await res.json()) as { n_pings: number };
    assert.ok(check.n_pings >= ok, `the store has ${check.n_pings} pings; ${ok} were answered OK`);
    const pings = await fetch(`http://127.0.0.1:${port}/api/v3/checks/${uuid}/pings/`, {
      headers: { 'X-Api-Key': key },
    });
    assert.equal(
      ((await pings.json()) as { pings: unknown[] }).pings.length,
      100,
      'the last 100 pings are kept',
    );
  } finally {
    second.kill('SIGTERM');
    await secondDone;
  }
});

test('reload: a changed config file applies; an invalid one is logged and the old config kept (SIGHUP too)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'watch-reload-'));
  const file = join(dir, 'watch.yaml');
  const key = 'reload-key-0123456789';
  const head = `apiKeys: [{ name: t, key: ${key} }]\nchecks:\n  - { name: first, period: 1m }\n`;
  writeFileSync(file, head);
  const child = startCli(['watch', '--config', file, '--data', dir, '--listen', '127.0.0.1:0'], {
    env: cleanEnv,
  });
  const done = collect(child);
  try {
    const line = await waitForOutput(child, /serving (http:\/\/\S+)/);
    const base = /http:\/\/\S+/.exec(line)?.[0] as string;
    const names = async () => {
      const res = await fetch(`${base}/api/v3/checks/`, { headers: { 'X-Api-Key': key } });
      return ((await res.json()) as { checks: Array<{ name: string }> }).checks.map((c) => c.name).sort();
    };
    const failed = waitForOutput(child, /config reload failed; keeping the current config/);
    writeFileSync(file, `${head}  - { name: second, period: sometimes }\n`);
    child.kill('SIGHUP');
    const logLine = await failed;
    assert.ok(logLine);
    assert.deepEqual(await names(), ['first']);

    const reloaded = waitForOutput(child, /config reloaded/);
    writeFileSync(file, `${head}  - { name: second, period: 2m }\n`);
    await reloaded;
    assert.deepEqual(await names(), ['first', 'second']);
  } finally {
    child.kill('SIGTERM');
    await done;
  }
});
