import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClockOffset } from '../../src/drill/clock-offset.js';
import { buildDrillPlan, DRILL_DEFAULTS, type DrillFlags } from '../../src/drill/options.js';
import { pollUntil } from '../../src/drill/poll.js';
import { isAppError } from '../../src/lib/errors.js';
import { ManualClock } from '../helpers/clock.js';

const files: Record<string, string> = {
  '/run/key': 'hc-key-0123456789abcdef012345678\n',
  '/run/token': 'am-token\n',
  '/run/basic': 'drill:s3cret\n',
  '/run/bad-basic': 'no-colon\n',
  '/run/empty': '\n',
};
const readFile = (p: string) => {
  const v = files[p];
  if (v === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return v;
};

function plan(over: Partial<DrillFlags>, env: NodeJS.ProcessEnv = {}) {
  return buildDrillPlan(
    {
      ...DRILL_DEFAULTS,
      alertmanager: ['http://am:9093/'],
      observer: 'https://hc.example.net/',
      check: 'watchdog',
      apiKeyFile: '/run/key',
      ...over,
    },
    env,
    readFile,
  );
}

function usage(over: Partial<DrillFlags>, pattern: RegExp, env: NodeJS.ProcessEnv = {}) {
  assert.throws(
    () => plan(over, env),
    (err: unknown) => isAppError(err) && err.exitCode === 2 && pattern.test(err.message),
    String(pattern),
  );
}

test('flags become a plan: URLs normalised, secrets read, defaults applied', () => {
  const p = plan({
    alertmanager: ['http://am-0:9093/', 'http://am-1:9093'],
    observer: 'https://hc.example.net/api/v3/',
    alertmanagerBasicAuthFile: '/run/basic',
    relay: ['http://relay:9095/'],
    relayBearerFile: '/run/token',
    testAlert: true,
    timeout: '20m',
  });
  assert.deepEqual(p.alertmanagers, ['http://am-0:9093', 'http://am-1:9093']);
  assert.equal(p.observer, 'https://hc.example.net');
  assert.equal(p.apiKey, 'hc-key-0123456789abcdef012345678');
  assert.equal(p.alertmanagerAuth, `Basic ${Buffer.from('drill:s3cret').toString('base64')}`);
  assert.equal(p.relayAuth, 'Bearer am-token');
  assert.equal(p.alert, 'Watchdog');
  assert.equal(p.maxDetectMs, 15 * 60_000);
  assert.equal(p.timeoutMs, 20 * 60_000);
  assert.equal(p.format, 'text');
  assert.equal(
    plan({ apiKeyFile: undefined }, { ALERTPATH_OBSERVER_API_KEY_FILE: '/run/key' }).apiKey.length,
    32,
  );
  assert.equal(
    plan({ apiKeyFile: undefined }, { ALERTPATH_OBSERVER_API_KEY: 'from-env' }).apiKey,
    'from-env',
  );
  assert.equal(
    plan({ check: '5B5CF3F2-0A6E-4C6F-9D7E-3C1B2A9F0E11' }).check,
    '5B5CF3F2-0A6E-4C6F-9D7E-3C1B2A9F0E11',
  );
});

test('bad flags are one-line usage errors (exit 2)', () => {
  usage({ alertmanager: [] }, /^--alertmanager URL is required/);
  usage({ alertmanager: ['am:9093'] }, /^--alertmanager "am:9093": expected an http\(s\):\/\/ URL$/);
  usage({ alertmanager: ['http://a:1', 'http://a:1/'] }, /same URL is given twice/);
  usage({ observer: undefined }, /^--observer URL is required/);
  usage({ observer: 'https://user:pw@hc.example.net' }, /put credentials in a file/);
  usage({ check: undefined }, /^--check UUID\|SLUG is required/);
  usage({ check: 'Not A Slug' }, /expected a check uuid or a slug/);
  usage({ apiKeyFile: undefined }, /the observer's API key is needed/);
  usage({ apiKeyFile: '/run/missing' }, /^cannot read --api-key-file "\/run\/missing": ENOENT$/);
  usage(
    { apiKeyFile: '/run/empty' },
    /^--api-key-file "\/run\/empty" is empty \(after trimming trailing whitespace\)$/,
  );
  usage({ maxDetect: 'soon' }, /invalid --max-detect "soon"/);
  usage({ timeout: '0s' }, /--timeout must be more than 0/);
  usage({ format: 'yaml' }, /--format "yaml": expected text or json/);
  usage({ relay: ['http://relay:9095'] }, /--relay is used by --test-alert/);
  usage({ preflightOnly: true, keepSilence: true }, /--keep-silence has no effect with --preflight-only/);
  usage(
    { alertmanagerBearerFile: '/run/token', alertmanagerBasicAuthFile: '/run/basic' },
    /give one, not both/,
  );
  usage({ alertmanagerBasicAuthFile: '/run/bad-basic' }, /expected "user:password"/);
  usage({ alert: ' ' }, /--alert/);
});

test('ClockOffset: zero while the Date headers agree with us, the middle of the bounds otherwise', () => {
  const agree = new ClockOffset();
  // Our clock = observer clock; the Date header is the current second, truncated.
  for (const t of [1_000_300, 1_002_700, 1_004_950])
    agree.observe(new Date(Math.floor(t / 1000) * 1000).toUTCString(), t - 5, t + 5);
  assert.equal(agree.offsetMs(), 0);

  const ahead = new ClockOffset();
  for (const t of [1_000_300, 1_002_700, 1_004_050, 1_006_520]) {
    const observer = t + 90_400;
    ahead.observe(new Date(Math.floor(observer / 1000) * 1000).toUTCString(), t - 5, t + 5);
  }
  assert.ok(Math.abs(ahead.offsetMs() - 90_400) <= 500, String(ahead.offsetMs()));
  assert.ok(Math.abs(ahead.toObserver(0) - 90_400) <= 500);

  const junk = new ClockOffset();
  junk.observe('not a date', 0, 1);
  assert.equal(junk.offsetMs(), 0);
});

test('pollUntil makes a last look at the deadline, and none after', async () => {
  const clock = new ManualClock(0);
  const looks: number[] = [];
  const done = pollUntil({ clock, intervalMs: 2000, jitter: 0, random: () => 0.5 }, 5000, async () => {
    looks.push(clock.now());
    return { done: false };
  });
  await clock.advance(0);
  for (let i = 0; i < 100; i++) await clock.advance(100);
  assert.equal(await done, undefined);
  assert.deepEqual(looks, [0, 2000, 4000, 5000]);
});

test('pollUntil: an aborted signal ends the wait at once', async () => {
  const clock = new ManualClock(0);
  const abort = new AbortController();
  const done = pollUntil(
    { clock, intervalMs: 2000, jitter: 0.2, random: () => 0 },
    60_000,
    async () => ({ done: false }),
    abort.signal,
  );
  abort.abort('SIGINT');
  await assert.rejects(done, (e: unknown) => e === 'SIGINT');
});
