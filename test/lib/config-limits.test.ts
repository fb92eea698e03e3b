import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError, loadConfigFile, parseConfigText } from '../../src/lib/config.js';
import { readSecretFile, trimSecret } from '../../src/lib/secret-file.js';

// Issue 16, item 7: no cap on config size (a 50 MB config ran > 60 s at 2 GB), and a legitimate
// config with more than 100 YAML aliases was refused; item 4: secret files' trailing whitespace.

const loose = z.record(z.string(), z.unknown());

function problem(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

test('a 50 MB config is refused before it is read: one line naming the file and the limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-big-'));
  const file = join(dir, 'big.yaml');
  writeFileSync(file, `checks:\n${'  - { name: x, period: 1m }\n'.repeat(2_000_000)}`);
  const started = performance.now();
  const message = problem(() => loadConfigFile(file, loose));
  assert.ok(performance.now() - started < 2000, 'refused quickly');
  assert.equal(message, `${file}:1:1: the config is 53.4 MiB, over the limit of 1 MiB`);
  assert.match(
    problem(() => parseConfigText('a: b\n'.repeat(1_000_000), 'c.yaml', loose)),
    /^c\.yaml:1:1: the config is 4\.8 MiB, over the limit of 1 MiB$/,
  );
});

test('150 aliases of one anchor load (expansion is small)', () => {
  const lines = ['defaults: &d { channels: &c [a, b], grace: 5m, tags: [x, y, z] }', 'checks:'];
  for (let i = 0; i < 150; i++) lines.push(`  - { name: c${i}, settings: *d }`);
  lines.push('more:');
  for (let i = 0; i < 150; i++) lines.push(`  m${i}: { name: m${i}, channels: *c }`);
  const cfg = parseConfigText(`${lines.join('\n')}\n`, 'c.yaml', loose) as {
    checks: Array<{ settings: { grace: string } }>;
    more: Record<string, { channels: string[]; name: string }>;
  };
  assert.equal(cfg.checks.length, 150);
  assert.equal(cfg.checks[149]?.settings.grace, '5m');
  assert.deepEqual(cfg.more.m149?.channels, ['a', 'b']);
  assert.equal(cfg.more.m149?.name, 'm149');
});

test('a "billion laughs" is refused quickly, at the alias, with a clear error', () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = 'bcdefghi'.split('');
  let prev = 'a';
  for (const n of names) {
    lines.push(`${n}: &${n} [${new Array(9).fill(`*${prev}`).join(',')}]`);
    prev = n;
  }
  const started = performance.now();
  const message = problem(() => parseConfigText(`${lines.join('\n')}\n`, 'laughs.yaml', loose));
  assert.ok(performance.now() - started < 1000, 'refused quickly');
  assert.match(
    message,
    /^laughs\.yaml:\d+:\d+: YAML aliases expand the config by more than 100000 nodes \(a "billion laughs"\?\)$/,
  );
  assert.equal(message.split('\n').length, 1);
});

test('an alias inside its own anchor is refused, not expanded forever', () => {
  assert.match(
    problem(() => parseConfigText('a: &x [1, *x]\n', 'c.yaml', loose)),
    /alias \*x is inside its own anchor/,
  );
});

test('secret files: trailing whitespace of any kind is trimmed; empty after trimming is an error naming the file', () => {
  assert.equal(trimSecret('tok\n\n'), 'tok');
  assert.equal(trimSecret('tok \r\n\t '), 'tok');
  assert.equal(trimSecret(' tok'), ' tok', 'only trailing whitespace');
  const files: Record<string, string> = { '/two': 's3cret\n\n', '/space': 's3cret ', '/blank': ' \r\n\n' };
  const readFile = (p: string) => files[p] ?? '';
  assert.equal(readSecretFile('/two', { what: 'tokenFile', readFile }), 's3cret');
  assert.equal(readSecretFile('/space', { what: 'tokenFile', readFile }), 's3cret');
  assert.throws(
    () => readSecretFile('/blank', { what: 'tokenFile', readFile }),
    (err: Error & { code?: string }) =>
      err.code === 'AP_CONFIG_INVALID' &&
      err.message === 'tokenFile "/blank" is empty (after trimming trailing whitespace)',
  );
  const schema = z.strictObject({ token: z.string() });
  const cfg = parseConfigText('tokenFile: /two\n', 'c.yaml', schema, { readSecret: readFile });
  assert.equal(cfg.token, 's3cret');
  assert.equal(
    problem(() => parseConfigText('tokenFile: /blank\n', 'c.yaml', schema, { readSecret: readFile })),
    'c.yaml:1:12: tokenFile "/blank" is empty (after trimming trailing whitespace)',
  );
});
