import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot, runCli } from '../helpers/cli.js';
import { auditJson, byRule, indent, tempRepos } from './helpers.js';

/**
 * Issue 15: a repository that deploys alertpath's own rule pack (`alertpath rules`, committed under
 * deploy/rules/) has its deadman rule, in each of the three forms the pack is rendered in; and
 * deadman-rule-missing tells how to get it.
 */

const { repo, cleanup } = tempRepos();
after(cleanup);

const AM = `route:
  receiver: team
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: deadman
      repeat_interval: 1m
receivers:
  - name: team
    webhook_configs: [{ url: "https://chat.example.com/hook" }]
  - name: deadman
    webhook_configs: [{ url: "https://watch.example.com/ping/abc", send_resolved: false }]
`;

async function rendered(...args: string[]): Promise<string> {
  const res = await runCli(['rules', ...args]);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout;
}

describe('alertpath rule pack recognised by audit', () => {
  for (const format of ['rules', 'prometheusrule', 'kps-values'] as const) {
    it(`\`alertpath rules --format ${format}\` defines the deadman rule`, async () => {
      const dir = repo({
        'alertmanager.yaml': AM,
        'rules/alertpath.yaml': await rendered('--format', format),
      });
      const res = await auditJson(['.'], { cwd: dir });
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), []);
      assert.deepEqual(byRule(res.report, 'yaml-invalid'), []);
    });
  }

  it('the committed deploy/rules/ copies define it too', async () => {
    for (const name of ['alertpath.rules.yaml', 'prometheusrule.yaml', 'kps-values.yaml']) {
      const text = readFileSync(join(repoRoot, 'deploy/rules', name), 'utf8');
      const dir = repo({ 'alertmanager.yaml': AM, [name]: text });
      const res = await auditJson(['.'], { cwd: dir });
      assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), [], name);
    }
  });

  it('the PrometheusRule in a Secret-based setup (config in a Secret, pack as a CRD)', async () => {
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: alertmanager-main\n  namespace: monitoring\nstringData:\n  alertmanager.yaml: |\n${indent(AM, 4)}`;
    const dir = repo({
      'secret.yaml': secret,
      'prometheusrule.yaml': await rendered('--format', 'prometheusrule', '--select', 'deadman'),
    });
    const res = await auditJson(['.'], { cwd: dir });
    assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), []);
  });

  it('a pack rendered without the deadman group does not count, and the fix shows the command', async () => {
    const dir = repo({
      'alertmanager.yaml': AM,
      'rules.yaml': await rendered('--select', 'pve,host'),
    });
    const res = await auditJson(['.'], { cwd: dir });
    const [f] = byRule(res.report, 'deadman-rule-missing');
    assert.equal(f?.file, 'alertmanager.yaml');
    assert.match(f?.remediation ?? '', /`alertpath rules > alertpath\.rules\.yaml`/);
    assert.match(f?.remediation ?? '', /`alertpath rules --format prometheusrule`/);
    assert.match(f?.remediation ?? '', /`alertpath rules --format kps-values`/);
    assert.match(f?.remediation ?? '', /--select deadman/);
  });

  it('the command in the fix renders a pack that audit accepts', async () => {
    const res = await auditJson(['.'], { cwd: repo({ 'alertmanager.yaml': AM }) });
    const fix = byRule(res.report, 'deadman-rule-missing')[0]?.remediation ?? '';
    const command = /`alertpath (rules --format prometheusrule)`/.exec(fix)?.[1]?.split(' ') ?? [];
    assert.ok(command.length > 0, fix);
    const dir = repo({ 'alertmanager.yaml': AM, 'pack.yaml': await rendered(...command.slice(1)) });
    const again = await auditJson(['.'], { cwd: dir });
    assert.deepEqual(byRule(again.report, 'deadman-rule-missing'), []);
  });
});
