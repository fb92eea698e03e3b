import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyPassword } from '../../../src/watch/dashboard/password.js';
import { runCli } from '../../helpers/cli.js';
import { appRig } from '../rig.js';
import { Session } from './session.js';

test('`alertpath watch hash-password` prints a hash that signs in through passwordHashFile', async () => {
  const out = await runCli(['watch', 'hash-password'], { input: 'my password\n' });
  assert.equal(out.code, 0, out.stderr);
  const hash = out.stdout.trim().split('\n').at(-1) ?? '';
  assert.match(hash, /^\$scrypt\$ln=15,r=8,p=1\$/);
  assert.equal(await verifyPassword('my password', hash), true);
  const dir = mkdtempSync(join(tmpdir(), 'hash-pw-'));
  writeFileSync(join(dir, 'admin.hash'), `${hash}\n`);
  const r = await appRig({
    dir,
    config: 'users: [{ name: admin, passwordHashFile: ./admin.hash }]\n',
    start: false,
  });
  try {
    assert.equal((await new Session(r.request).login('admin', 'my password')).status, 303);
  } finally {
    await r.close();
  }
});

test('an empty password is refused with exit 2; a broken hash in the config is exit 2 with its line', async () => {
  const empty = await runCli(['watch', 'hash-password'], { input: '\n' });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /empty password/);
  const dir = mkdtempSync(join(tmpdir(), 'hash-pw-'));
  writeFileSync(join(dir, 'watch.yaml'), 'users:\n  - { name: admin, passwordHash: "plain-text" }\n');
  const bad = await runCli([
    'watch',
    '--config',
    join(dir, 'watch.yaml'),
    '--data',
    dir,
    '--listen',
    '127.0.0.1:0',
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /watch\.yaml:2:\d+: .*\$scrypt\$/);
});
