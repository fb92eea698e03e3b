import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { AUDIT_FIXTURES, auditJson, byRule, columnOf, lineOf } from './helpers.js';

/**
 * The three failures of the post-mortem, in a repository shaped like the one that had them, and
 * its fixed twin: the audit fails the first (exit 1) and passes the second (exit 0).
 */
const BROKEN = join(AUDIT_FIXTURES, 'seed', 'broken');
const FIXED = join(AUDIT_FIXTURES, 'seed', 'fixed');
const MONITORING = 'infrastructure/monitoring';

describe('the seed repository', () => {
  it('finds all three failures, with file:line:column, and exits 1', async () => {
    const res = await auditJson(['.'], { cwd: BROKEN });
    assert.equal(res.code, 1, res.stderr);

    // 1. Watchdog → null, inside the Secret's stringData, at the line of the outer file.
    const secret = join(BROKEN, MONITORING, 'alertmanager-config.yaml');
    const nullRoute = byRule(res.report, 'deadman-to-null');
    assert.equal(nullRoute.length, 1);
    const routeLine = lineOf(secret, 'receiver: "null"');
    assert.deepEqual(
      {
        file: nullRoute[0]?.file,
        line: nullRoute[0]?.line,
        column: nullRoute[0]?.column,
        severity: nullRoute[0]?.severity,
      },
      {
        file: `${MONITORING}/alertmanager-config.yaml`,
        line: routeLine,
        column: columnOf(secret, routeLine, 'receiver'),
        severity: 'error',
      },
    );
    assert.deepEqual(nullRoute[0]?.object, {
      kind: 'Secret',
      namespace: 'monitoring',
      name: 'alertmanager-main',
    });
    assert.match(
      nullRoute[0]?.message ?? '',
      /Watchdog is routed to receiver "null", which has no integrations/,
    );

    // 2. The Discord relay, found through the receiver URL → Service → selector, no annotation.
    const proxy = join(BROKEN, MONITORING, 'discord-alert-proxy.yaml');
    const about = (rule: string) =>
      byRule(res.report, rule).filter(
        (f) => f.object?.kind === 'Deployment' && f.object.name === 'discord-alert-proxy',
      );
    const single = about('alert-path-single-replica');
    assert.equal(single.length, 1);
    assert.equal(single[0]?.severity, 'error');
    assert.equal(single[0]?.line, lineOf(proxy, 'replicas: 1'));
    assert.match(
      single[0]?.message ?? '',
      /receiver "discord" sends to Service monitoring\/discord-alert-proxy/,
    );
    assert.equal(about('alert-path-no-pdb')[0]?.severity, 'error');
    assert.equal(about('alert-path-no-spread')[0]?.severity, 'warning');
    assert.equal(about('alert-path-no-priority')[0]?.severity, 'warning');

    // 3. pip install from the mounted ConfigMap script, at the script's line in the file.
    const install = about('runtime-install');
    assert.equal(install.length, 1);
    const pipLine = lineOf(proxy, 'pip install');
    assert.equal(install[0]?.file, `${MONITORING}/discord-alert-proxy.yaml`);
    assert.equal(install[0]?.line, pipLine);
    assert.equal(install[0]?.column, columnOf(proxy, pipLine, 'pip install'));
    assert.equal(install[0]?.severity, 'error');
    assert.match(install[0]?.message ?? '', /pip install --no-cache-dir fastapi uvicorn httpx/);

    assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), [], 'the PrometheusRule defines Watchdog');
  });

  it('passes the fixed twin: exit 0 and no findings at all', async () => {
    const res = await auditJson(['.'], { cwd: FIXED });
    assert.equal(res.code, 0, JSON.stringify(res.report.findings, null, 2));
    assert.deepEqual(res.report.findings, []);
    assert.equal(res.report.summary.files, 3);
  });

  it('prints the failures as text, one per line with its fix, and a summary', async () => {
    const res = await runCli(['audit', BROKEN], { env: { NO_COLOR: '1' } });
    assert.equal(res.code, 1);
    assert.doesNotMatch(res.stdout, /\x1b\[/, 'no colour when stdout is not a TTY');
    const lines = res.stdout.trimEnd().split('\n');
    assert.match(
      lines.find((l) => l.includes('deadman-to-null')) ?? '',
      /^test\/fixtures\/audit\/seed\/broken\/infrastructure\/monitoring\/alertmanager-config\.yaml:\d+:\d+ error deadman-to-null Watchdog is routed/,
    );
    const i = lines.findIndex((l) => l.includes(' deadman-to-null '));
    assert.match(lines[i + 1] ?? '', /^ {2}fix: route Watchdog to a webhook_config/);
    assert.match(lines.at(-1) ?? '', /^4 errors, 2 warnings, 1 info in 3 files \(\d+\.\d\d s\)$/);
  });
});

describe('kube-prometheus-stack default values', () => {
  it('reports Watchdog → "null" at the chart default route, and knows the chart defines Watchdog', async () => {
    const dir = join(AUDIT_FIXTURES, 'kube-prometheus-stack');
    const res = await auditJson(['values.yaml'], { cwd: dir });
    assert.equal(res.code, 1);
    const values = join(dir, 'values.yaml');
    const found = byRule(res.report, 'deadman-to-null');
    assert.equal(found.length, 1);
    const line = lineOf(values, "- receiver: 'null'", lineOf(values, 'routes:'));
    assert.equal(found[0]?.line, line);
    assert.equal(found[0]?.column, columnOf(values, line, 'receiver'));
    assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), []);
    assert.deepEqual(byRule(res.report, 'deadman-unrouted'), []);
    // image objects with a tag are read; an empty tag means the chart's appVersion: not judged
    const images = byRule(res.report, 'image-unpinned').map((f) => f.message);
    assert.ok(images.some((m) => m.includes('quay.io/prometheus/alertmanager:v0.28.1')));
    assert.ok(!images.some((m) => m.includes('prometheus-operator')));
  });

  it('drops the implicit Watchdog rule when defaultRules are switched off', async () => {
    const text = `defaultRules:\n  create: false\nalertmanager:\n  config:\n    route:\n      receiver: x\n      routes:\n        - matchers: ['alertname="Watchdog"']\n          receiver: x\n          repeat_interval: 1m\n    receivers:\n      - name: x\n        webhook_configs:\n          - url: https://hc-ping.com/abc\n            send_resolved: false\n`;
    const res = await auditJson(['-'], { input: text });
    assert.equal(byRule(res.report, 'deadman-rule-missing').length, 1);
    assert.equal(res.code, 0, 'a warning does not fail the default --fail-on error');
  });
});
