import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingBinaryMessage, runCli } from '../helpers/cli.js';
import {
  activeSilences,
  alertmanagerBinary,
  CHECK_UUID,
  fireWatchdog,
  flipsOf,
  silencesOn,
  startAlertmanagers,
  startWatchRig,
  waitUntilUp,
} from './rig.js';

/**
 * `alertpath drill` end to end, against a real Alertmanager and a real `alertpath watch` with
 * periods of seconds: the drill process is the CLI, as a CronJob runs it.
 */

const skip = alertmanagerBinary ? false : missingBinaryMessage('Alertmanager', 'prometheus-alertmanager');

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

  const result = await runCli(
    [
      'drill',
      '--alertmanager',
      nodes[0]?.url as string,
      '--observer',
      rig.url,
      '--check',
      'alertmanager-watchdog',
      '--api-key-file',
      rig.keyFile,
      '--format',
      'json',
    ],
    { timeoutMs: 90_000 },
  );
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
