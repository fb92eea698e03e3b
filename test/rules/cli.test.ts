import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { cliArgv, repoRoot, runCli } from '../helpers/cli.js';
import { DEPLOYED, groupsOf, readRepoFile, tempDir } from './helpers.js';

/** `alertpath rules` through the real binary: formats, options, bad input, the committed copies. */

const SPEC_GROUPS: Record<string, string[]> = {
  deadman: ['Watchdog'],
  alertmanager: [
    'AlertmanagerNotificationsFailing',
    'AlertmanagerClusterDegraded',
    'AlertmanagerConfigReloadFailed',
  ],
  relay: [
    'AlertpathRelayDeliveryFailing',
    'AlertpathRelayRateLimited',
    'AlertpathRelayReplicasLow',
    'AlertpathRelayHeartbeatFailing',
  ],
  watch: ['AlertpathWatchNotificationFailing', 'AlertpathWatchChecksWithoutChannel'],
  pve: [
    'PveGuestDown',
    'PveNodeDown',
    'PveGuestMaintenanceTagStale',
    'PveQuorumDegraded',
    'PveQDeviceDown',
    'PveExporterDown',
    'PveHaGuestError',
  ],
  host: ['NodeRebootRequiredStale', 'NodeTextfileScrapeError'],
};

function alertsByGroup(text: string): Record<string, string[]> {
  return Object.fromEntries(groupsOf(text).map((g) => [g.name, g.rules.map((r) => r.alert ?? '')]));
}

async function rules(...args: string[]) {
  const r = await runCli(['rules', ...args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

describe('alertpath rules', () => {
  it('prints a plain rule file by default, with exactly the groups and alert names of the contract', async () => {
    const out = await rules();
    const doc = parse(out) as { groups: unknown[] };
    assert.ok(Array.isArray(doc.groups));
    assert.deepEqual(alertsByGroup(out), SPEC_GROUPS);
  });

  it('--format prometheusrule: a monitoring.coreos.com/v1 PrometheusRule that kube-prometheus-stack selects', async () => {
    const doc = parse(await rules('--format', 'prometheusrule')) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace: string; labels: Record<string, string> };
    };
    assert.equal(doc.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(doc.kind, 'PrometheusRule');
    assert.equal(doc.metadata.namespace, 'monitoring');
    assert.equal(doc.metadata.labels.release, 'kube-prometheus-stack');

    const custom = await rules(
      '--format',
      'prometheusrule',
      '--namespace',
      'observability',
      '--set',
      'kps.release=prom',
    );
    const c = parse(custom) as { metadata: { namespace: string; labels: Record<string, string> } };
    assert.equal(c.metadata.namespace, 'observability');
    assert.equal(c.metadata.labels.release, 'prom');
    assert.deepEqual(alertsByGroup(custom), SPEC_GROUPS);
    // the other formats have no namespace of their own: the option changes nothing there
    assert.equal(await rules('--namespace', 'observability'), await rules());
  });

  it('--format kps-values: an additionalPrometheusRulesMap entry with the same groups', async () => {
    const out = await rules('--format', 'kps-values');
    const doc = parse(out) as { additionalPrometheusRulesMap: Record<string, { groups: unknown[] }> };
    assert.deepEqual(Object.keys(doc.additionalPrometheusRulesMap), ['alertpath']);
    assert.deepEqual(alertsByGroup(out), SPEC_GROUPS);
    // the rules are the same in every format
    assert.deepEqual(groupsOf(out), groupsOf(await rules()));
    assert.deepEqual(groupsOf(out), groupsOf(await rules('--format', 'prometheusrule')));
  });

  it('--select renders only the named groups, in pack order', async () => {
    const out = await rules('--select', 'pve,deadman');
    assert.deepEqual(Object.keys(alertsByGroup(out)), ['deadman', 'pve']);
  });

  it('--set moves a threshold into the rendered rules (for:, the expression and the text)', async () => {
    const out = await rules(
      '--set',
      'pve.guestDownFor=10m',
      '--set',
      'maintenance.staleAfter=48h',
      '--set',
      'relay.deployment=relay',
      '--set',
      'relay.selector=namespace="monitoring"',
      '--set',
      'host.textfilePeriod=90s',
    );
    const byAlert = new Map(groupsOf(out).flatMap((g) => g.rules.map((r) => [r.alert, r] as const)));
    assert.equal(byAlert.get('PveGuestDown')?.for, '10m');
    assert.match(byAlert.get('PveGuestDown')?.annotations?.description ?? '', /for 10m/);
    assert.equal(byAlert.get('PveGuestMaintenanceTagStale')?.for, '48h');
    assert.match(byAlert.get('AlertpathRelayReplicasLow')?.expr ?? '', /deployment="relay"/);
    assert.match(
      byAlert.get('AlertpathRelayDeliveryFailing')?.expr ?? '',
      /\{outcome=~"unavailable\|rejected",namespace="monitoring"\}/,
    );
    assert.match(byAlert.get('NodeRebootRequiredStale')?.expr ?? '', /> 3 \* 90$/);
    // the header says how to reproduce it
    assert.match(
      out,
      /^# .*`alertpath rules --set pve\.guestDownFor=10m .*--set 'relay\.selector=namespace="monitoring"'/,
    );
  });

  it('--list shows the groups and alerts, and every --set key with its default', async () => {
    const out = await rules('--list');
    for (const [group, alerts] of Object.entries(SPEC_GROUPS)) {
      assert.match(out, new RegExp(`^  ${group} `, 'm'));
      for (const a of alerts) assert.match(out, new RegExp(`^ +${a} `, 'm'));
    }
    const defaults: Array<[string, string]> = [
      ['pve.guestDownFor', '5m'],
      ['maintenance.staleAfter', '24h'],
      ['pve.nodeDownFor', '2m'],
      ['relay.minReplicas', '2'],
      ['kps.release', 'kube-prometheus-stack'],
      ['host.textfilePeriod', '10m'],
    ];
    for (const [key, def] of defaults)
      assert.match(out, new RegExp(`^  ${key.replace('.', '\\.')} +${def} `, 'm'));
    assert.match(out, /pve\.guestDownFor .*\(PveGuestDown\)/);
  });

  describe('bad input: exit 2 with one line', () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['an unknown --set key', ['--set', 'pve.guestDwnFor=10m'], /unknown key "pve\.guestDwnFor"/],
      ['a bad duration', ['--set', 'pve.guestDownFor=soon'], /pve\.guestDownFor="soon": expected a duration/],
      ['a negative duration', ['--set', 'maintenance.staleAfter=-1h'], /expected a duration/],
      ['a --set without =', ['--set', 'pve.guestDownFor'], /expected KEY=VALUE/],
      ['a bad count', ['--set', 'relay.minReplicas=0'], /relay\.minReplicas="0": expected a whole number/],
      ['bad label matchers', ['--set', 'relay.selector=job=relay'], /expected label matchers/],
      ['a bad Proxmox tag', ['--set', 'maintenance.tag=a;b'], /expected a Proxmox tag/],
      ['an unknown --format', ['--format', 'jsonnet'], /jsonnet.*(rules, prometheusrule, kps-values)/],
      ['an unknown group', ['--select', 'pve,k8s'], /unknown group "k8s" \(groups: deadman, alertmanager/],
      [
        'an invalid namespace',
        ['--format', 'prometheusrule', '--namespace', 'Bad_NS'],
        /--namespace "Bad_NS"/,
      ],
      ['an unknown option', ['--frobnicate'], /unknown option '--frobnicate'/],
    ];
    for (const [what, args, pattern] of cases)
      it(what, async () => {
        const r = await runCli(['rules', ...args]);
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, /^alertpath: /);
        assert.match(r.stderr, pattern);
      });
  });

  it('the copies committed under deploy/rules/ are what the command prints (regenerate them if this fails)', async () => {
    const stale: string[] = [];
    for (const [format, path] of Object.entries(DEPLOYED)) {
      const printed = await rules(...(format === 'rules' ? [] : ['--format', format]));
      if (printed !== readRepoFile(path))
        stale.push(
          `${path}: node dist/src/cli/index.js rules${format === 'rules' ? '' : ` --format ${format}`} > ${path}`,
        );
    }
    assert.deepEqual(stale, []);
  });

  it('loads none of the other commands or their libraries', () => {
    const trace = join(tempDir('trace'), 'imports.txt');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        join(repoRoot, 'test/helpers/trace-imports.mjs'),
        ...cliArgv(['rules', '--select', 'deadman']),
      ],
      { env: { ...process.env, ALERTPATH_TRACE_IMPORTS: trace }, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const loaded = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      loaded.some((url) => /\/src\/rules\/render\.(js|ts)$/.test(url)),
      'the trace saw the pack render',
    );
    const foreign = loaded.filter((url) =>
      /\/src\/(relay|watch|wait|audit|drill|discord|alertmanager|probe)\/|\/node_modules\/(undici|hono|pino|zod|better-sqlite3|pg|prom-client)\//.test(
        url,
      ),
    );
    assert.deepEqual(foreign, []);
  });
});
