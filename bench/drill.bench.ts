import {
  alertmanagerBinary,
  CHECK_UUID,
  drillArgs,
  fireWatchdog,
  silencesOn,
  startAlertmanagers,
  startWatchRig,
  waitUntilUp,
} from '../test/drill/rig.js';
import { runCli } from '../test/helpers/cli.js';

/**
 * What the drill's polling does to its time-to-page: drills against a real Alertmanager and a
 * real `alertpath watch` (period 2 s, grace 3 s), each compared with the truth: watch's own flip
 * record (in milliseconds, from its store) minus the silence's start as Alertmanager recorded it.
 *
 * - error: reported time-to-page − truth. The drill dates the page by the observer's flip record
 *   (whole seconds), not by when its poll saw it, so polling does not enter it.
 * - seen after: when the drill's `page` step saw the flip − the flip. This is the polling
 *   latency (2 s ± 20 % interval), and what it adds to the drill's run time.
 */
const RUNS = Number(process.env.DRILL_BENCH_RUNS ?? 5);

interface Report {
  runId: string;
  timeToPageSeconds: number;
  steps: Array<{ name: string; at: string }>;
  silence: { id: string };
}

export default async function (): Promise<void> {
  if (!alertmanagerBinary) {
    process.stdout.write('skipped: prometheus-alertmanager is not installed\n');
    return;
  }
  const rig = await startWatchRig({ period: '2s', grace: '3s' });
  const nodes = await startAlertmanagers(`${rig.url}/ping/${CHECK_UUID}`);
  const errors: number[] = [];
  const lags: number[] = [];
  try {
    await fireWatchdog(nodes);
    for (let i = 0; i < RUNS; i++) {
      await waitUntilUp(rig);
      const run = await runCli(drillArgs(rig, nodes, '--check', CHECK_UUID, '--format', 'json'), {
        timeoutMs: 120_000,
      });
      if (run.code !== 0) throw new Error(`drill exited ${run.code}: ${run.stdout}${run.stderr}`);
      const report = JSON.parse(run.stdout) as Report;
      const silence = (await silencesOn(nodes[0] as { url: string })).find((s) => s.id === report.silence.id);
      const silencedAt = Date.parse(silence?.startsAt ?? '');
      const flip = (await rig.watch.store.listFlips(CHECK_UUID, { from: silencedAt }))
        .filter((f) => f.to === 'down')
        .sort((a, b) => a.at - b.at)[0];
      if (!flip) throw new Error('no down flip recorded');
      const truth = (flip.at - silencedAt) / 1000;
      const error = report.timeToPageSeconds - truth;
      const seenAt = Date.parse(report.steps.find((s) => s.name === 'page')?.at ?? '');
      const lag = (seenAt - flip.at) / 1000;
      errors.push(error);
      lags.push(lag);
      process.stdout.write(
        `run ${i + 1}: reported ${report.timeToPageSeconds.toFixed(1)} s, truth ${truth.toFixed(3)} s (watch flip − Alertmanager silence start), error ${error >= 0 ? '+' : ''}${error.toFixed(3)} s; drill saw the flip ${lag.toFixed(3)} s after it\n`,
      );
    }
  } finally {
    for (const n of nodes) await n.stop();
    await rig.close();
  }
  const max = (xs: number[]) => Math.max(...xs.map(Math.abs));
  process.stdout.write(
    `${RUNS} drills, period 2 s + grace 3 s: time-to-page error max ${max(errors).toFixed(3)} s (goal ≤ 2 s); flip seen by polling after max ${Math.max(...lags).toFixed(3)} s, mean ${(lags.reduce((a, b) => a + b, 0) / lags.length).toFixed(3)} s\n`,
  );
}
