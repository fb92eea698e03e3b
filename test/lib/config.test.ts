import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError, parseConfigText, secretFromEnv } from '../../src/lib/config.js';
import { formatDuration, parseDuration, tryParseDuration } from '../../src/lib/duration.js';
import { redactSecrets } from '../../src/lib/redact.js';
import { zDuration } from '../../src/lib/schema.js';

const schema = z.strictObject({
  name: z.string(),
  token: z.string().optional(),
  every: zDuration.default(1000),
  nested: z.strictObject({ port: z.number().int().max(65535) }).optional(),
});

function problems(text: string, env: NodeJS.ProcessEnv = {}, files: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, 'c.yaml', schema, {
      env,
      readSecret: (p) => {
        const v = files[p];
        if (v === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        return v;
      },
    });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message.split('\n');
  }
  return [];
}

test('schema errors point at FILE:LINE:COL of the offending value', () => {
  assert.deepEqual(problems('name: x\nnested:\n  port: 70000\n'), [
    'c.yaml:3:9: nested.port: Too big: expected number to be <=65535',
  ]);
  assert.deepEqual(problems('name: x\nevery: soon\n'), [
    'c.yaml:2:8: every: expected a duration such as 500ms, 2s, 5m or 1h, got "soon"',
  ]);
});

test('an unknown key is reported at the key', () => {
  const [line] = problems('name: x\nnmae: y\n');
  assert.match(line ?? '', /^c\.yaml:2:1: /);
  assert.match(line ?? '', /nmae/);
});

test('YAML syntax errors carry their position', () => {
  const [line] = problems('name: [unclosed\n');
  assert.match(line ?? '', /^c\.yaml:\d+:\d+: /);
});

test('${VAR} and ${VAR:-default} are interpolated; a missing variable is an error at its value', () => {
  const cfg = parseConfigText('name: ${WHO}-${REGION:-eu}\n', 'c.yaml', schema, { env: { WHO: 'relay' } });
  assert.equal(cfg.name, 'relay-eu');
  assert.deepEqual(problems('name: ${NOPE}\n'), [
    'c.yaml:1:7: environment variable NOPE is not set (use ${NOPE:-default} for a default)',
  ]);
});

test('...File keys read the secret from a file, dropping one trailing newline', () => {
  const cfg = parseConfigText('name: x\ntokenFile: /run/secrets/t\n', 'c.yaml', schema, {
    env: {},
    readSecret: (p) => (p === '/run/secrets/t' ? 's3cret\n' : ''),
  });
  assert.equal(cfg.token, 's3cret');
  assert.match(
    problems('name: x\ntokenFile: /missing\n')[0] ?? '',
    /^c\.yaml:2:\d+: cannot read tokenFile "\/missing": ENOENT/,
  );
  assert.match(
    problems('name: x\ntoken: a\ntokenFile: /x\n', {}, { '/x': 'b' })[0] ?? '',
    /set either token or tokenFile, not both/,
  );
});

test('alias bombs are refused', () => {
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'name: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  ].join('\n');
  assert.equal(problems(bomb).length, 1);
});

test('secretFromEnv reads NAME, else the file named by NAME_FILE', () => {
  assert.equal(secretFromEnv('X', { X: 'direct' }), 'direct');
  assert.equal(
    secretFromEnv('X', { X_FILE: '/f' }, () => 'from-file\n'),
    'from-file',
  );
  assert.equal(secretFromEnv('X', {}), undefined);
});

test('durations: units, compounds and bare seconds; formatting for messages', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('2'), 2000);
  assert.equal(parseDuration('14d'), 14 * 86_400_000);
  assert.equal(tryParseDuration('2x'), undefined);
  assert.throws(() => parseDuration('soon', '--interval'), /invalid --interval "soon"/);
  assert.equal(formatDuration(4_200_000), '1h 10m');
  assert.equal(formatDuration(45_000), '45s');
});

test('webhook tokens, passwords and token query values are redacted', () => {
  assert.equal(
    redactSecrets('https://discord.com/api/webhooks/123/abc-DEF_g'),
    'https://discord.com/api/webhooks/123/***',
  );
  assert.equal(redactSecrets('postgres://user:pw@db/x'), 'postgres://user:***@db/x');
  assert.equal(redactSecrets('https://ntfy.sh/t?token=abc&x=1'), 'https://ntfy.sh/t?token=***&x=1');
  assert.equal(
    redactSecrets('no answer from http://h/x?token=s3cr:et: connection refused'),
    'no answer from http://h/x?token=***: connection refused',
  );
  assert.equal(redactSecrets('GET /x?key=abc'), 'GET /x?key=***');
});
