import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { z } from 'zod';
import { ConfigError } from '../../src/lib/config.js';
import { loadWatchConfig, slugify } from '../../src/watch/config.js';
import { appRig } from './rig.js';

const fakeSchema = z.object({ type: z.literal('fake') }).strict();

function problems(text: string): string[] {
  const dir = `/tmp/watch-config-${process.pid}-${Math.random().toString(36).slice(2)}.yaml`;
  writeFileSync(dir, text);
  try {
    loadWatchConfig(dir, fakeSchema, {});
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
  }
  return [];
}

test('the spec example shape loads: period and cron checks, filters, maintenance, defaults', () => {
  const file = `/tmp/watch-config-ok-${process.pid}.yaml`;
  writeFileSync(
    file,
    [
      'baseUrl: https://watch.example.net',
      'pingKey: ${PING_KEY}',
      'defaults: { channels: [mail], repeat: 1h, fallback: [phone], maintenance: [{ cron: "0 2 * * 0", duration: 2h, tz: Europe/Berlin }] }',
      'channels: { mail: { type: fake }, phone: { type: fake } }',
      'checks:',
      '  - { name: alertmanager-watchdog, uuid: 5B5CF3F2-0A6E-4C6F-9D7E-3C1B2A9F0E11, period: 1m, grace: 10m, tags: [k8s, deadman], channels: [mail, phone] }',
      '  - name: Nightly Backup',
      '    cron: "0 3 * * *"',
      '    tz: Europe/Berlin',
      '    grace: 1h',
      '    filter: { success: [SUCCESS], failure: [ERROR], defaultFail: false }',
      '  - { name: fast, period: 1s, grace: 1s }',
      '',
    ].join('\n'),
  );
  const cfg = loadWatchConfig(file, fakeSchema, { PING_KEY: 'abcdefgh12' });
  assert.equal(cfg.pingKey, 'abcdefgh12');
  assert.equal(cfg.defaults.repeat, 3_600_000);
  assert.equal(cfg.checks[0]?.period, 60_000);
  assert.equal(cfg.checks[1]?.cron, '0 3 * * *');
  assert.equal(cfg.checks[2]?.grace, 1000, 'config periods and graces may be as short as 1 s');
  assert.equal(cfg.pingBodyLimit, 10_000);
  assert.equal(slugify('Nightly Backup'), 'nightly-backup');
});

test('invalid config: FILE:LINE:COL problems that say what was expected', () => {
  assert.deepEqual(
    problems(
      [
        'channels: { mail: { type: fake } }',
        'checks:',
        '  - name: a',
        '    period: soon',
        '  - name: b',
        '    cron: "0 3 * *"',
        '  - name: c',
        '    period: 1m',
        '    channels: [pager]',
        '  - { name: d, period: 500ms }',
        '  - { name: e }',
        '',
      ].join('\n'),
    ),
    [
      '4:13: checks.0.period: expected a duration such as 500ms, 2s, 5m or 1h, got "soon"',
      '6:11: checks.1.cron: expected a cron expression with 5 fields',
      '10:24: checks.3.period: must be at least 1s',
      '11:5: checks.4: set exactly one of period, cron or onCalendar',
    ],
  );
  // Cross-references are checked once each item is valid.
  assert.deepEqual(problems('channels: { mail: { type: fake } }\ncheckS: []\n').length, 1);
  assert.deepEqual(
    problems(
      'channels: { mail: { type: fake } }\ncheckS: []\n'.replace(
        'checkS: []',
        'checks:\n  - { name: c, period: 1m, channels: [pager] }',
      ),
    ),
    ['3:39: checks.0.channels.0: no channel named "pager" (channels: mail)'],
  );
  assert.match(
    problems('checks:\n  - { name: x, period: 1m, tz: Mars/Base }\n')[0] ?? '',
    /unknown time zone "Mars\/Base"/,
  );
  assert.deepEqual(problems('probes:\n  - { name: x, tcp: "a:1" }\n'), [], 'probes are supported');
  assert.match(
    problems('checks:\n  - { name: x, period: 1m }\nprobes:\n  - { name: x, tcp: "a:1" }\n')[0] ?? '',
    /^4:13: probes.0.name: duplicate check name "x"/,
    'checks and probes share one namespace',
  );
  assert.match(
    problems('checks:\n  - { name: x, period: 1m }\n  - { name: x, cron: "* * * * *" }\n')[0] ?? '',
    /duplicate check name "x"/,
  );
  assert.match(problems('bogus: 1\n')[0] ?? '', /^1:1: .*bogus/);
});

test('reload keeps the old config when the new one is invalid, and applies a valid one', async () => {
  const rig = await appRig({ config: 'checks:\n  - { name: one, period: 1m }\n' });
  try {
    const names = async () => (await rig.watch.store.listChecks()).map((c) => c.def.name).sort();
    assert.deepEqual(await names(), ['one']);
    const uuidOne = (await rig.watch.store.listChecks())[0]?.uuid;

    writeFileSync(rig.configFile as string, 'checks:\n  - { name: one, period: never }\n');
    assert.equal(await rig.watch.reload(), false);
    assert.deepEqual(await names(), ['one']);
    assert.equal(rig.watch.config().checks[0]?.period, 60_000, 'old config kept');

    writeFileSync(
      rig.configFile as string,
      'checks:\n  - { name: one, period: 2m }\n  - { name: two, period: 1m }\n',
    );
    assert.equal(await rig.watch.reload(), true);
    assert.deepEqual(await names(), ['one', 'two']);
    const one = (await rig.watch.store.listChecks()).find((c) => c.def.name === 'one');
    assert.equal(one?.uuid, uuidOne, 'a managed check keeps its uuid (and ping URL) across reloads');
    assert.deepEqual(one?.def.schedule, { kind: 'simple', periodMs: 120_000 });

    writeFileSync(rig.configFile as string, 'checks:\n  - { name: two, period: 1m }\n');
    assert.equal(await rig.watch.reload(), true);
    assert.deepEqual(await names(), ['two'], 'a check removed from the config is removed');
  } finally {
    await rig.close();
  }
});
