import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, runCli, startCli, waitForOutput } from '../helpers/cli.js';
import { type AppRig, appRig } from './rig.js';

// Issue 16 through watch's public surface: secret files with odd trailing whitespace (item 4),
// config size and alias bounds, allowPrivateTargets, API body and field bounds (item 7).

const CLEAN_ENV = {
  ALERTPATH_CONFIG: '',
  ALERTPATH_DATA: '',
  ALERTPATH_DATABASE_URL: '',
  ALERTPATH_LISTEN: '',
  ALERTPATH_BASE_URL: '',
};
const KEY = 'watch-key-0123456789abcdef';

function configDir(yaml: string, files: Record<string, string> = {}): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'watch-harden-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  const config = join(dir, 'watch.yaml');
  writeFileSync(config, yaml);
  return { dir, config };
}

const start = (config: string, dir: string) =>
  runCli(['watch', '--config', config, '--data', dir, '--listen', '127.0.0.1:0'], { env: CLEAN_ENV });

for (const [what, content] of [
  ['two trailing newlines', `${KEY}\n\n`],
  ['a trailing space', `${KEY} `],
] as const) {
  test(`watch: a keyFile with ${what} accepts the right key and names the auth at start-up`, async () => {
    const { dir, config } = configDir('apiKeys:\n  - { name: ci, keyFile: ./key }\n', { key: content });
    const child = startCli(['watch', '--config', config, '--data', dir, '--listen', '127.0.0.1:0'], {
      env: CLEAN_ENV,
    });
    const done = collect(child);
    try {
      const line = await waitForOutput(child, /serving (http:\/\/\S+)/);
      const base = /http:\/\/[^\s"]+/.exec(line)?.[0] as string;
      const list = (key: string) => fetch(`${base}/api/v3/checks/`, { headers: { 'X-Api-Key': key } });
      assert.equal((await list(KEY)).status, 200);
      assert.equal((await list(`${KEY}x`)).status, 401);
    } finally {
      child.kill('SIGTERM');
      const out = await done;
      assert.match(out.stdout, /"msg":"auth: API keys \(X-Api-Key\) ci \(read-write\) from \.\/key"/);
      assert.ok(!out.stdout.includes(KEY) && !out.stderr.includes(KEY), 'the key is never logged');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('watch: a keyFile that is empty after trimming exits 2 with one line naming the file', async () => {
  const { dir, config } = configDir('apiKeys:\n  - { name: ci, keyFile: ./key }\n', { key: '\n \r\n' });
  const r = await start(config, dir);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr.trim(),
    new RegExp(`^${config}:2:\\d+: keyFile "\\./key" is empty \\(after trimming trailing whitespace\\)$`),
  );
});

test('watch: a keyFile holding two lines exits 2: such a key could never match a header', async () => {
  const { dir, config } = configDir('apiKeys:\n  - { name: ci, keyFile: ./key }\n', {
    key: `${KEY}\n${KEY}\n`,
  });
  const r = await start(config, dir);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^.*:2:\d+: apiKeys\.0\.key: a secret sent in a header is one line/);
  assert.ok(!r.stderr.includes(KEY), 'the key is not echoed');
});

test('watch: a 50 MB config is refused at once: exit 2, one line', async () => {
  const { dir, config } = configDir(`checks:\n${'  - { name: x, period: 1m }\n'.repeat(2_000_000)}`);
  const started = performance.now();
  const r = await start(config, dir);
  const took = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), `${config}:1:1: the config is 53.4 MiB, over the limit of 1 MiB`);
  assert.ok(took < 15_000, `refused in ${took} ms (CLI start included)`);
});

test('watch: a "billion laughs" config is refused quickly with a clear error', async () => {
  const lines = ['x-lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  let prev = 'a';
  for (const n of 'bcdefghi') {
    lines.push(`x-${n}: &${n} [${new Array(9).fill(`*${prev}`).join(',')}]`);
    prev = n;
  }
  const { dir, config } = configDir(`${lines.join('\n')}\n`);
  const r = await start(config, dir);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /YAML aliases expand the config by more than 100000 nodes/);
});

test('watch: a config reusing one anchor 150 times loads', async () => {
  const lines = ['channels:', '  a: { type: fake }', '  b: { type: fake }', 'checks:'];
  lines.push('  - { name: c0, period: 1h, channels: &both [a, b] }');
  for (let i = 1; i < 150; i++) lines.push(`  - { name: c${i}, period: 1h, channels: *both }`);
  const r = await appRig({ config: `apiKeys: [{ name: t, key: ${KEY} }]\n${lines.join('\n')}\n` });
  try {
    const res = await r.request('/api/v3/checks/', { headers: { 'X-Api-Key': KEY } });
    const { checks } = (await res.json()) as { checks: unknown[] };
    assert.equal(checks.length, 150);
  } finally {
    await r.close();
  }
});

test('watch: allowPrivateTargets is refused with the reason it was removed', async () => {
  const { dir, config } = configDir('allowPrivateTargets: true\n');
  const r = await start(config, dir);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `^${config}:1:\\d+: allowPrivateTargets: removed: the API creates nothing that makes a request`,
    ),
  );
});

async function withApi(run: (r: AppRig) => Promise<void>): Promise<void> {
  const r = await appRig({ config: `apiKeys: [{ name: t, key: ${KEY} }]\n` });
  try {
    await run(r);
  } finally {
    await r.close();
    rmSync(r.dir, { recursive: true, force: true });
  }
}

const post = (r: AppRig, body: string) =>
  r.request('/api/v3/checks/', {
    method: 'POST',
    headers: { 'X-Api-Key': KEY, 'Content-Type': 'application/json' },
    body,
  });

test('watch API: a body over 1 MiB answers 413 "too large", not a validation error', () =>
  withApi(async (r) => {
    const res = await post(r, JSON.stringify({ name: 'big', desc: 'x'.repeat(1024 * 1024) }));
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), {
      error: 'request body too large: it is over the 1048576-byte limit',
    });
    assert.equal((await post(r, JSON.stringify({ name: 'small' }))).status, 201);
  }));

test('watch API: desc and tags are bounded, with Healthchecks-shaped errors', () =>
  withApi(async (r) => {
    const tooLong = async (body: unknown, field: string) => {
      const res = await post(r, JSON.stringify(body));
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { error: `json validation error: ${field} is too long` });
    };
    await tooLong({ name: 'd', desc: 'x'.repeat(10_001) }, 'desc');
    await tooLong({ name: 't', tags: 'x'.repeat(501) }, 'tags');
    const ok = await post(
      r,
      JSON.stringify({ name: 'fits', desc: 'x'.repeat(10_000), tags: 'y'.repeat(500) }),
    );
    assert.equal(ok.status, 201);
  }));
