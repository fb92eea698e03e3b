import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from './helpers/cli.js';

test('--help lists every command', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['relay', 'watch', 'wait', 'audit', 'drill'])
    assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
});

test('--version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('an unknown command or flag exits 2 with one line', async () => {
  const cmd = await runCli(['frobnicate']);
  assert.equal(cmd.code, 2);
  assert.equal(cmd.stderr.trim().split('\n').length, 1);
  assert.match(cmd.stderr, /unknown command 'frobnicate'/);
  const flag = await runCli(['relay', '--bogus']);
  assert.equal(flag.code, 2);
  assert.equal(flag.stderr.trim().split('\n').length, 1);
  assert.match(flag.stderr, /unknown option '--bogus'/);
});
