import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { collect, missingBinaryMessage, runCli, startCli, waitForOutput } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import {
  type AlertmanagerNode,
  activeSilences,
  alertmanagerBinary,
  CHECK_UUID,
  drillArgs,
  fireWatchdog,
  flipsOf,
  silencesOn,
  startAlertmanagers,
  startAuthProxy,
  startWatchRig,
  type WatchRig,
  waitUntilUp,
} from './rig.js';

/**
 * `alertpath drill` end to end, against a real Alertmanager and a real `alertpath watch` with
 * periods of seconds: the drill process is the CLI, as a CronJob runs it.
 */

const skip = alertmanagerBinary ? false : missingBinaryMessage('Alertmanager', 'prometheus-alertmanager');

/** A watch and Alertmanager(s) with the Watchdog arriving; stopped when the test ends. */
async function path(
  t: { after(fn: () => Promise<void>): void },
  options: Parameters<typeof startWatchRig>[0] & { count?: number } = {},
): Promise<{ rig: WatchRig; nodes: AlertmanagerNode[] }> {
  const rig = await startWatchRig(options);
  const nodes = await startAlertmanagers(`${rig.url}/ping/${CHECK_UUID}`, { count: options.count ?? 1 });
  t.after(async () => {
    for (const n of nodes) await n.stop();
    await rig.close();
  });
  await fireWatchdog(nodes);
  await waitUntilUp(rig);
  return { rig, nodes };
}

async function noSilenceLeft(nodes: Array<{ url: string }>): Promise<void> {
  for (const n of nodes) assert.deepEqual(await activeSilences(n), [], `no active silence on ${n.url}`);
}

test('a passing drill: silence, page within period + grace, unsilence, recovery; exit 0', {
  skip,
}, async (t) => {
  const rig = await startWatchRig({ period: '2s', grace: '3s' });
  const nodes = await startAlertmanagers(`${rig.url}/ping/${CHECK_UUID}`);
  t.after(async () => {
    for (const n of nodes) await n.stop();
    await rig.close();
  });
  await fireWatchdog(nodes);
  await waitUntilUp(rig);

  const result = await runCli(drillArgs(rig, nodes, '--format', 'json'), { timeoutMs: 90_000 });
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  const report = JSON.parse(result.stdout) as {
    ok: boolean;
    runId: string;
    timeToPageSeconds: number;
    timeToRecoverSeconds: number;
    steps: Array<{ name: string; ok: boolean }>;
    silence: { id: string; expired: boolean; startsAt: string };
    verdict: string;
  };
  assert.equal(report.ok, true);
  assert.match(
    report.verdict,
    /^drill passed: paged after \d+s \(period 2s \+ grace 3s\); recovered after \d+/,
  );
  assert.deepEqual(
    report.steps.map((s) => s.name),
    [
      'check',
      'detect-window',
      'channels',
      'alertmanager',
      'silence',
      'page',
      'notification',
      'unsilence',
      'recovery',
    ],
  );
  assert.ok(report.steps.every((s) => s.ok));

  // Time-to-page against watch's own flip record and Alertmanager's silence record.
  const silence = (await silencesOn(nodes[0] as { url: string })).find((s) => s.id === report.silence.id);
  assert.ok(silence, 'the silence is in Alertmanager');
  assert.equal(silence.status.state, 'expired');
  assert.equal(silence.comment, `alertpath drill ${report.runId}`);
  assert.equal(silence.createdBy, 'alertpath drill');
  assert.deepEqual(await activeSilences(nodes[0] as { url: string }), []);
  const down = (await flipsOf(rig)).filter((f) => f.to === 'down');
  assert.equal(down.length, 1);
  const truth = (Date.parse(down[0]?.timestamp ?? '') - Date.parse(silence.startsAt)) / 1000;
  assert.ok(
    Math.abs(report.timeToPageSeconds - truth) <= 1.5,
    `reported ${report.timeToPageSeconds}s, watch's flip − silence start ${truth}s`,
  );
  assert.ok(
    report.timeToPageSeconds >= 3 && report.timeToPageSeconds <= 7,
    `time to page ${report.timeToPageSeconds}s`,
  );
  assert.ok(
    rig.receiver.requests.some((r) => r.path === '/down'),
    'the channel was paged',
  );
});

test('text output: one line per step with its time, then the verdict; --report-ping gets the result', {
  skip,
}, async (t) => {
  const { rig, nodes } = await path(t);
  const report = await runCli(drillArgs(rig, nodes, '--report-ping', `${rig.receiver.url}/report`), {
    timeoutMs: 90_000,
  });
  assert.equal(report.code, 0, `${report.stdout}\n${report.stderr}`);
  const lines = report.stdout.trimEnd().split('\n');
  assert.match(
    lines.at(-1) ?? '',
    /^drill passed: paged after \d+s \(period 2s \+ grace 3s\); recovered after \d+s$/,
  );
  for (const line of lines.slice(0, -1))
    assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}(ok {2}|FAIL) {2}[a-z-]+ +\S/, line);
  assert.match(report.stdout, /ok {4}report-ping +reported success to http:\/\/127\.0\.0\.1:\d+\/…/);
  const ping = rig.receiver.requests.find((r) => r.path === '/report');
  assert.ok(ping, 'the report ping arrived');
  assert.equal(ping.method, 'POST');
  assert.match(ping.body, /drill passed: paged after/);
  assert.equal(report.stderr, '');
});

test('preflight: a 48 h grace fails with exit 1, one line per failure, and silences nothing', {
  skip,
}, async (t) => {
  const { rig, nodes } = await path(t, { period: '2s', grace: '48h' });
  const result = await runCli(drillArgs(rig, nodes), { timeoutMs: 60_000 });
  assert.equal(result.code, 1, result.stdout);
  assert.match(result.stdout, /FAIL {2}detect-window +period 2s \+ grace 2d = 2d2s exceeds --max-detect 15m/);
  assert.match(result.stdout.trimEnd().split('\n').at(-1) ?? '', /^preflight failed: period 2s \+ grace 2d/);
  assert.deepEqual(await silencesOn(nodes[0] as AlertmanagerNode), []);
});

test('preflight: a check with no channel fails before anything is silenced', { skip }, async (t) => {
  const { rig, nodes } = await path(t, { channels: false });
  const result = await runCli(drillArgs(rig, nodes, '--preflight-only'), { timeoutMs: 60_000 });
  assert.equal(result.code, 1, result.stdout);
  assert.match(
    result.stdout,
    /FAIL {2}channels +check "alertmanager-watchdog" \(.*\) has no channel: nobody would be paged/,
  );
  assert.deepEqual(await silencesOn(nodes[0] as AlertmanagerNode), []);
});

test('a channel that fails: exit 1, the silence is expired; the next preflight names the channel', {
  skip,
}, async (t) => {
  const { rig, nodes } = await path(t, { outboxRetryMs: 100 });
  rig.receiver.status = 503;
  const result = await runCli(drillArgs(rig, nodes, '--format', 'json'), { timeoutMs: 90_000 });
  assert.equal(result.code, 1, result.stdout);
  const report = JSON.parse(result.stdout) as {
    ok: boolean;
    steps: Array<{ name: string; ok: boolean; detail: string }>;
    silence: { id: string };
  };
  const notification = report.steps.find((s) => s.name === 'notification');
  assert.equal(notification?.ok, false);
  assert.match(
    notification?.detail ?? '',
    /every notification failed: hook: 127\.0\.0\.1:\d+ answered HTTP 503/,
  );
  assert.match(result.stderr, /^alertpath: drill failed: the check went down, but every notification failed/);
  await noSilenceLeft(nodes);
  const silence = (await silencesOn(nodes[0] as AlertmanagerNode)).find((s) => s.id === report.silence.id);
  assert.equal(silence?.status.state, 'expired');

  const again = await runCli(drillArgs(rig, nodes, '--preflight-only'), { timeoutMs: 60_000 });
  assert.equal(again.code, 1, again.stdout);
  assert.match(
    again.stdout,
    /FAIL {2}channels +channel "hook" failed its last notification \(.*\): 127\.0\.0\.1:\d+ answered HTTP 503/,
  );
});

test('SIGTERM to the drill process mid-wait: the silence is expired, exit 1', { skip }, async (t) => {
  const { rig, nodes } = await path(t, { period: '2s', grace: '30s' });
  const child = startCli(drillArgs(rig, nodes));
  const done = collect(child, 60_000);
  await waitForOutput(child, /ok {4}silence /, 30_000);
  assert.equal(
    (await activeSilences(nodes[0] as AlertmanagerNode)).length,
    1,
    'the drill silenced the Watchdog',
  );
  assert.ok(child.pid);
  process.kill(child.pid, 'SIGTERM');
  const result = await done;
  assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /FAIL {2}page +interrupted \(SIGTERM\)/);
  assert.match(result.stdout, /ok {4}unsilence +expired silence /);
  assert.match(result.stdout.trimEnd().split('\n').at(-1) ?? '', /^drill interrupted by SIGTERM$/);
  assert.match(result.stderr, /SIGTERM: stopping the drill and expiring its silence/);
  await noSilenceLeft(nodes);
});

test('unreachable Alertmanager or observer: exit 2 with one line; nothing silenced', { skip }, async (t) => {
  const { rig, nodes } = await path(t);
  const closed = `http://127.0.0.1:${await freePort()}`;
  const am = await runCli(drillArgs(rig, [{ url: closed }]));
  assert.equal(am.code, 2, am.stdout);
  assert.equal(
    am.stderr,
    `alertpath: cannot reach Alertmanager ${closed} at ${closed}/api/v2/status: connection refused\n`,
  );

  const observer = await runCli(drillArgs(rig, nodes, '--observer', closed));
  assert.equal(observer.code, 2, observer.stdout);
  assert.equal(observer.stderr.split('\n').length, 2, observer.stderr);
  assert.match(
    observer.stderr,
    /^alertpath: cannot reach the observer at http:\/\/127\.0\.0\.1:\d+\/api\/v3\/checks\/: connection refused\n$/,
  );
  assert.deepEqual(await silencesOn(nodes[0] as AlertmanagerNode), []);
});

test('wrong API key, unknown check, bad flags: exit 1 or 2 with one clear line; nothing silenced', {
  skip,
}, async (t) => {
  const { rig, nodes } = await path(t);
  const wrongKey = join(rig.dir, 'wrong-key');
  writeFileSync(wrongKey, 'not-the-key-0123456789abcdefghij\n');
  const key = await runCli(drillArgs(rig, nodes, '--api-key-file', wrongKey));
  assert.equal(key.code, 1, key.stdout);
  assert.equal(
    key.stderr,
    'alertpath: the observer refused the API key (HTTP 401: wrong api key): check --api-key-file\n',
  );
  assert.doesNotMatch(key.stdout + key.stderr, /not-the-key/);

  const args = drillArgs(rig, nodes);
  args[args.indexOf('alertmanager-watchdog')] = 'no-such-check';
  const unknown = await runCli(args);
  assert.equal(unknown.code, 1, unknown.stdout);
  assert.equal(unknown.stderr, 'alertpath: the observer has no check with slug "no-such-check"\n');

  const uuid = await runCli(drillArgs(rig, nodes, '--check', '00000000-0000-4000-8000-000000000000'));
  assert.equal(uuid.code, 1, uuid.stdout);
  assert.match(uuid.stderr, /^alertpath: the observer has no check 00000000-0000-4000-8000-000000000000/);

  const flags = await runCli(['drill', '--observer', rig.url]);
  assert.equal(flags.code, 2);
  assert.equal(
    flags.stderr,
    'alertpath: --alertmanager URL is required (repeat it for each peer of a cluster)\n',
  );
  const unknownFlag = await runCli(['drill', '--silence-forever']);
  assert.equal(unknownFlag.code, 2);
  assert.match(unknownFlag.stderr, /^alertpath: unknown option '--silence-forever'/);
  assert.deepEqual(await silencesOn(nodes[0] as AlertmanagerNode), []);
});

test('Alertmanager behind an auth proxy: bearer token accepted; a silence the API refuses is exit 1, nothing left', {
  skip,
}, async (t) => {
  const { rig, nodes } = await path(t);
  const target = nodes[0]?.url as string;
  const open = await startAuthProxy(target, { authorization: 'Bearer drill-token' });
  const readOnly = await startAuthProxy(target, {
    authorization: 'Bearer drill-token',
    refuseSilences: true,
  });
  t.after(async () => {
    await open.close();
    await readOnly.close();
  });
  const tokenFile = join(rig.dir, 'am-token');
  writeFileSync(tokenFile, 'drill-token\n');
  const base = ['--observer', rig.url, '--check', 'alertmanager-watchdog', '--api-key-file', rig.keyFile];

  const noToken = await runCli(['drill', '--alertmanager', open.url, ...base, '--preflight-only']);
  assert.equal(noToken.code, 1, noToken.stdout);
  assert.match(
    noToken.stderr,
    /^alertpath: Alertmanager http:\/\/127\.0\.0\.1:\d+ refused the credentials \(HTTP 401: Unauthorized\)/,
  );

  const ok = await runCli([
    'drill',
    '--alertmanager',
    open.url,
    ...base,
    '--preflight-only',
    '--alertmanager-bearer-file',
    tokenFile,
  ]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(
    ok.stdout.trimEnd().split('\n').at(-1) ?? '',
    /^preflight passed: check "alertmanager-watchdog"/,
  );

  const refused = await runCli([
    'drill',
    '--alertmanager',
    readOnly.url,
    ...base,
    '--alertmanager-bearer-file',
    tokenFile,
  ]);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(
    refused.stdout,
    /FAIL {2}silence +Alertmanager http:\/\/127\.0\.0\.1:\d+ forbids this \(HTTP 403: Forbidden: this token may only read\)/,
  );
  assert.match(refused.stderr, /^alertpath: Alertmanager .* forbids this/);
  assert.deepEqual(await silencesOn({ url: target }), []);
});

test('HA: three clustered Alertmanagers; the silence is confirmed and expired on every peer', {
  skip,
}, async (t) => {
  const { rig, nodes } = await path(t, { count: 3 });
  const result = await runCli(drillArgs(rig, nodes), { timeoutMs: 90_000 });
  assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
  assert.equal((result.stdout.match(/ok {4}alertmanager +.*cluster ready, 3 peers/g) ?? []).length, 3);
  assert.match(result.stdout, /ok {4}silence-peers +silence \S+ is active on all 3 Alertmanagers/);
  assert.match(result.stdout, /ok {4}unsilence +expired silence \S+ \(expired on all 3 Alertmanagers\)/);
  for (const n of nodes) {
    const mine = (await silencesOn(n)).filter((s) => s.createdBy === 'alertpath drill');
    assert.equal(mine.length, 1, `${n.url} knows the drill's silence`);
    assert.equal(mine[0]?.status.state, 'expired');
  }
});

test('HA: a listed peer that is not in the cluster fails the preflight', { skip }, async (t) => {
  const { rig, nodes } = await path(t, { count: 2 });
  const lone = await startAlertmanagers(`${rig.url}/ping/${CHECK_UUID}`);
  t.after(async () => {
    for (const n of lone) await n.stop();
  });
  await fireWatchdog(lone);
  const result = await runCli(drillArgs(rig, [...nodes, ...lone], '--preflight-only'));
  assert.equal(result.code, 1, result.stdout);
  assert.match(
    result.stdout,
    /FAIL {2}alertmanager +http:\/\/127\.0\.0\.1:\d+ is not clustered \(cluster disabled\)/,
  );
});

test('watch with a read-only key: the preflight passes by uuid or slug, a drill refuses it', {
  skip,
}, async (t) => {
  const { rig, nodes } = await path(t);
  for (const ref of [CHECK_UUID, 'alertmanager-watchdog']) {
    const result = await runCli(
      drillArgs(rig, nodes, '--api-key-file', rig.readOnlyKeyFile, '--check', ref, '--preflight-only'),
    );
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(
      result.stdout,
      /ok {4}check +check "alertmanager-watchdog" \([0-9a-f]{40}\) on alertpath watch is up/,
    );
    assert.match(result.stdout, /ok {4}channels +not visible with a read-only API key \(not checked\)/);
  }
  const drill = await runCli(drillArgs(rig, nodes, '--api-key-file', rig.readOnlyKeyFile));
  assert.equal(drill.code, 1, drill.stdout);
  assert.match(
    drill.stdout,
    /FAIL {2}channels +not visible with a read-only API key: a drill needs a read-write key/,
  );
  assert.deepEqual(await silencesOn(nodes[0] as AlertmanagerNode), []);
});
