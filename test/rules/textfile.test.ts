import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { missingBinaryMessage, repoRoot } from '../helpers/cli.js';
import {
  DEPLOYED,
  expandAnnotations,
  groupsOf,
  promtool,
  readRepoFile,
  runPromtool,
  tempDir,
} from './helpers.js';

/**
 * deploy/rules/pve-quorum-textfile.sh, run by /bin/sh with a stand-in `pvecm` that prints real
 * `pvecm status` output (test/fixtures/rules/); its file is checked by `promtool check metrics`
 * and then fed, as node_exporter would serve it, to the pack's PveQuorumDegraded.
 */

const SCRIPT = join(repoRoot, 'deploy/rules/pve-quorum-textfile.sh');
const FIXTURES = join(repoRoot, 'test/fixtures/rules');

function fakePvecm(dir: string, body: string): string {
  const path = join(dir, 'pvecm');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function runScript(dir: string, pvecm: string, extra: Record<string, string> = {}) {
  const r = spawnSync('/bin/sh', [SCRIPT], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TEXTFILE_DIR: dir,
      PVECM: pvecm,
      COROSYNC_CONF: join(FIXTURES, 'corosync.conf'),
      ...extra,
    },
  });
  const file = join(dir, 'pve_quorum.prom');
  return {
    code: r.status,
    stderr: r.stderr,
    file,
    text: existsSync(file) ? readFileSync(file, 'utf8') : undefined,
  };
}

/** The samples of a text exposition, `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [series, value] = line.split(' ');
    out.set(series as string, Number(value));
  }
  return out;
}

function fixture(name: string): string {
  return `cat '${join(FIXTURES, name)}'`;
}

describe('pve-quorum-textfile.sh', () => {
  it('writes the votes of a cluster at 2 of 3 (QDevice vote lost), atomically, in valid exposition format', (t) => {
    const dir = tempDir('textfile');
    const r = runScript(dir, fakePvecm(dir, fixture('pvecm-status-degraded.txt')));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.text, 'the file was written');
    assert.deepEqual(Object.fromEntries(samples(r.text)), {
      'alertpath_pvecm_up{cluster="pvec"}': 1,
      'alertpath_pvecm_expected_votes{cluster="pvec"}': 3,
      'alertpath_pvecm_total_votes{cluster="pvec"}': 2,
      'alertpath_pvecm_quorum_votes{cluster="pvec"}': 2,
      'alertpath_pvecm_nodes{cluster="pvec"}': 2,
      'alertpath_pvecm_quorate{cluster="pvec"}': 1,
    });
    assert.deepEqual(readdirSync(dir).sort(), ['pve_quorum.prom', 'pvecm'], 'no temporary file left behind');
    if (!promtool) return t.skip(missingBinaryMessage('promtool', 'prometheus'));
    const check = spawnSync(promtool, ['check', 'metrics'], { input: r.text, encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  });

  it('reports a cluster that lost quorum, and a healthy one', () => {
    const dir = tempDir('textfile');
    const lost = runScript(dir, fakePvecm(dir, fixture('pvecm-status-no-quorum.txt')));
    assert.equal(lost.code, 0, lost.stderr);
    const s = samples(lost.text ?? '');
    assert.equal(s.get('alertpath_pvecm_quorate{cluster="pvec"}'), 0);
    assert.equal(s.get('alertpath_pvecm_total_votes{cluster="pvec"}'), 1);
    assert.equal(s.get('alertpath_pvecm_quorum_votes{cluster="pvec"}'), 2);

    const healthy = runScript(dir, fakePvecm(dir, fixture('pvecm-status-healthy.txt')));
    const h = samples(healthy.text ?? '');
    assert.equal(h.get('alertpath_pvecm_expected_votes{cluster="pvec"}'), 3);
    assert.equal(h.get('alertpath_pvecm_total_votes{cluster="pvec"}'), 3);
    assert.equal(h.get('alertpath_pvecm_quorate{cluster="pvec"}'), 1);
  });

  it('writes alertpath_pvecm_up 0 when pvecm fails, hangs past PVECM_TIMEOUT, or prints nothing it understands', () => {
    const dir = tempDir('textfile');
    const cases: Array<[string, string]> = [
      ['fails', "echo 'Cannot initialize CMAP service' >&2; exit 2"],
      ['hangs', 'exec sleep 30'],
      ['garbles', "echo 'Cluster information'; echo 'Name: pvec'"],
    ];
    for (const [what, body] of cases) {
      const started = Date.now();
      const r = runScript(dir, fakePvecm(dir, body), { PVECM_TIMEOUT: '1' });
      assert.equal(r.code, 0, `${what}: ${r.stderr}`);
      assert.deepEqual(
        Object.fromEntries(samples(r.text ?? '')),
        { 'alertpath_pvecm_up{cluster="pvec"}': 0 },
        what,
      );
      assert.ok(Date.now() - started < 15_000, `${what}: bounded by PVECM_TIMEOUT`);
    }
    assert.equal(cases.length, 3);
  });

  it('removes its file on a node that is not in a cluster', () => {
    const dir = tempDir('textfile');
    const pvecm = fakePvecm(dir, fixture('pvecm-status-healthy.txt'));
    assert.ok(runScript(dir, pvecm).text);
    const r = runScript(dir, pvecm, { COROSYNC_CONF: join(dir, 'absent.conf') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.text, undefined);
  });

  it('its output, served by node_exporter, fires PveQuorumDegraded within 15 minutes (promtool)', (t) => {
    if (!promtool) return t.skip(missingBinaryMessage('promtool', 'prometheus'));
    const dir = tempDir('textfile');
    const r = runScript(dir, fakePvecm(dir, fixture('pvecm-status-degraded.txt')));
    assert.equal(r.code, 0, r.stderr);
    const scraped = [...samples(r.text ?? '')].map(([series, value]) => ({
      series: series.replace('}', ',instance="pve:9100",job="node"}'),
      values: `${value}x20`,
    }));
    assert.equal(scraped.length, 6);
    const rule = groupsOf(readRepoFile(DEPLOYED.rules))
      .flatMap((g) => g.rules)
      .find((x) => x.alert === 'PveQuorumDegraded');
    assert.ok(rule);
    const labels = { severity: 'critical', cluster: 'pvec', instance: 'pve:9100', job: 'node' };
    const exp_annotations = expandAnnotations(rule, { ...labels, alertname: 'PveQuorumDegraded' }, undefined);
    const test = {
      rule_files: [join(repoRoot, DEPLOYED.rules)],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: scraped,
          alert_rule_test: [
            { eval_time: '4m', alertname: 'PveQuorumDegraded', exp_alerts: [] },
            {
              eval_time: '15m',
              alertname: 'PveQuorumDegraded',
              exp_alerts: [{ exp_labels: labels, exp_annotations }],
            },
          ],
        },
      ],
    };
    const file = join(dir, 'quorum.test.yml');
    writeFileSync(file, stringify(test, { lineWidth: 0 }));
    const run = runPromtool(['test', 'rules', file], dir);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /SUCCESS/);
  });
});
