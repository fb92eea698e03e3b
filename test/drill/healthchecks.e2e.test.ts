import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeHealthchecks, uniqueKey } from '../fakes/healthchecks.js';
import { missingBinaryMessage, runCli } from '../helpers/cli.js';
import { eventually } from '../helpers/ports.js';
import { activeSilences, alertmanagerBinary, fireWatchdog, startAlertmanagers } from './rig.js';

/**
 * The hosted-observer case: a real Alertmanager pings a fake of Healthchecks.io (it cannot be
 * reached from tests), which answers the Management API v3 as Healthchecks' code does.
 */

const skip = alertmanagerBinary ? false : missingBinaryMessage('Alertmanager', 'prometheus-alertmanager');

async function hostedPath(t: { after(fn: () => Promise<void>): void }, grace = 3) {
  const hc = await new FakeHealthchecks().start();
  const project = hc.project('lab');
  const other = hc.project('someone-else');
  const phone = hc.addChannel(project, 'My Phone', 'sms');
  const mail = hc.addChannel(project, 'Work Email', 'email');
  const check = hc.addCheck(project, {
    name: 'Alertmanager Watchdog',
    slug: 'alertmanager-watchdog',
    timeoutS: 2,
    graceS: grace,
    channels: [phone.code, mail.code],
  });
  const report = hc.addCheck(project, { name: 'drill', slug: 'drill', timeoutS: 86400 * 31, graceS: 86400 });
  const foreign = hc.addCheck(other, { name: 'not yours', timeoutS: 60, graceS: 60 });
  const nodes = await startAlertmanagers(`${hc.url}/ping/${check.code}`);
  t.after(async () => {
    for (const n of nodes) await n.stop();
    await hc.close();
  });
  await fireWatchdog(nodes);
  await eventually(() => hc.statusOf(check) === 'up', 20_000, 'the Watchdog to reach Healthchecks');
  const dir = mkdtempSync(join(tmpdir(), 'drill-hc-'));
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, project.apiKey);
  const readOnlyKeyFile = join(dir, 'ro-key');
  writeFileSync(readOnlyKeyFile, project.apiKeyReadonly);
  const args = (...extra: string[]) => [
    'drill',
    '--alertmanager',
    nodes[0]?.url as string,
    '--observer',
    hc.url,
    '--check',
    'alertmanager-watchdog',
    ...extra,
  ];
  return { hc, project, check, report, foreign, nodes, keyFile, readOnlyKeyFile, dir, args };
}

test('hosted Healthchecks: a passing drill, channels listed by name; the result is pinged to a check', {
  skip,
}, async (t) => {
  const p = await hostedPath(t);
  const am = p.nodes[0]?.url as string;
  const result = await runCli(
    p.args('--report-ping', `${p.hc.url}/ping/${p.report.code}`, '--format', 'json'),
    { env: { ALERTPATH_OBSERVER_API_KEY_FILE: p.keyFile }, timeoutMs: 90_000 },
  );
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  const report = JSON.parse(result.stdout) as {
    ok: boolean;
    timeToPageSeconds: number;
    check: { observer: string; channels: string[]; uuid: string };
    steps: Array<{ name: string; ok: boolean; detail: string }>;
  };
  assert.equal(report.check.observer, 'healthchecks');
  assert.equal(report.check.uuid, p.check.code);
  assert.deepEqual([...report.check.channels].sort(), ['My Phone', 'Work Email']);
  const channels = report.steps.find((s) => s.name === 'channels');
  assert.match(
    channels?.detail ?? '',
    /^2 channels: (My Phone \(sms\), Work Email \(email\)|Work Email \(email\), My Phone \(sms\)); this observer does not expose notification outcomes$/,
  );
  const notification = report.steps.find((s) => s.name === 'notification');
  assert.match(
    notification?.detail ?? '',
    /^Healthchecks does not expose notification outcomes: confirm the page reached (My Phone, Work Email|Work Email, My Phone)$/,
  );
  // Healthchecks dates the flip at the deadline: last ping + 2 s + 3 s.
  const down = p.hc.flips.find((f) => f.owner === p.check.code && f.newStatus === 'down');
  assert.ok(down);
  assert.ok(report.timeToPageSeconds >= 2 && report.timeToPageSeconds <= 6, String(report.timeToPageSeconds));
  assert.deepEqual(await activeSilences({ url: am }), []);
  assert.equal(p.report.pings.length, 1);
  assert.equal(p.report.pings[0]?.kind, 'success');
  assert.match(p.report.pings[0]?.body ?? '', /drill passed: paged after \d+s \(period 2s \+ grace 3s\)/);
  const perMinute = p.hc.apiRequests.length;
  assert.ok(perMinute < 100, `${perMinute} API requests: within Healthchecks' 100 a minute`);
});

test('hosted Healthchecks: a read-only key is enough for --preflight-only (by uuid or slug)', {
  skip,
}, async (t) => {
  const p = await hostedPath(t);
  const base = [...p.args('--api-key-file', p.readOnlyKeyFile, '--preflight-only')];
  for (const ref of [p.check.code, 'alertmanager-watchdog']) {
    const result = await runCli([...base, '--check', ref]);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(
      result.stdout,
      new RegExp(
        `ok {4}check +check "Alertmanager Watchdog" \\(${uniqueKey(p.check.code)}\\) on Healthchecks is up`,
      ),
    );
    assert.match(result.stdout, /ok {4}channels +not visible with a read-only API key \(not checked\)/);
  }
});

test('hosted Healthchecks: wrong key, a key of 31 characters, a check of another project, a drifted grace', {
  skip,
}, async (t) => {
  const p = await hostedPath(t, 48 * 3600);
  const am = p.nodes[0]?.url as string;
  const run = (key: string, check: string) => {
    const file = join(p.dir, `k-${key.length}-${check.length}`);
    writeFileSync(file, key);
    return runCli([...p.args('--check', check, '--api-key-file', file)]);
  };
  const wrong = await run('hcw_0000000000000000000000000000', 'alertmanager-watchdog');
  assert.equal(wrong.code, 1);
  assert.equal(
    wrong.stderr,
    'alertpath: the observer refused the API key (HTTP 401: wrong api key): check --api-key-file\n',
  );
  const short = await run(p.project.apiKey.slice(0, 31), 'alertmanager-watchdog');
  assert.equal(short.code, 1);
  assert.equal(
    short.stderr,
    'alertpath: the observer refused the API key (HTTP 401: missing api key): check --api-key-file\n',
  );
  const foreign = await run(p.project.apiKey, p.foreign.code);
  assert.equal(foreign.code, 1);
  assert.match(
    foreign.stderr,
    /^alertpath: the observer forbids reading the check with this API key \(HTTP 403\)/,
  );
  const drifted = await run(p.project.apiKey, 'alertmanager-watchdog');
  assert.equal(drifted.code, 1, drifted.stdout);
  assert.match(
    drifted.stdout,
    /FAIL {2}detect-window +period 2s \+ grace 2d = 2d2s exceeds --max-detect 15m/,
  );
  assert.deepEqual(await activeSilences({ url: am }), []);
});

test('hosted Healthchecks: a failed drill pings the report check’s /fail, so it pages', {
  skip,
}, async (t) => {
  const p = await hostedPath(t, 48 * 3600);
  const file = join(p.dir, 'key-report');
  writeFileSync(file, p.project.apiKey);
  const result = await runCli(
    p.args('--api-key-file', file, '--report-ping', `${p.hc.url}/ping/${p.report.code}`),
  );
  assert.equal(result.code, 1);
  assert.equal(p.report.pings.length, 1);
  assert.equal(p.report.pings[0]?.kind, 'fail');
  assert.match(p.report.pings[0]?.body ?? '', /preflight failed: period 2s \+ grace 2d/);
  assert.equal(p.hc.statusOf(p.report), 'down', 'the report check is down: somebody is paged');
});
