import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEPLOYED, groupsOf, readRepoFile } from './helpers.js';

/** What the operator reads and what the contract fixes, in the rule file as deployed. */

const rules = groupsOf(readRepoFile(DEPLOYED.rules)).flatMap((g) => g.rules);
const byAlert = new Map(rules.map((r) => [r.alert, r]));
const rule = (name: string) => {
  const r = byAlert.get(name);
  assert.ok(r, `${name} is in the pack`);
  return r;
};

describe('the rule pack as deployed', () => {
  it('Watchdog is vector(1) with severity none and the kube-prometheus annotations', () => {
    const w = rule('Watchdog');
    assert.equal(w.expr, 'vector(1)');
    assert.equal(w.for, undefined);
    assert.deepEqual(w.labels, { severity: 'none' });
    assert.deepEqual(Object.keys(w.annotations ?? {}).sort(), ['description', 'runbook_url', 'summary']);
  });

  it('every alert has a severity, a summary and a description that says what to do', () => {
    assert.equal(rules.length, 19);
    for (const r of rules) {
      assert.match(r.labels?.severity ?? '', /^(none|info|warning|critical)$/, `${r.alert}`);
      assert.ok((r.annotations?.summary ?? '').length > 20, `${r.alert} summary`);
      assert.ok((r.annotations?.description ?? '').length > 120, `${r.alert} description`);
    }
  });

  it('PveGuestDown joins onboot guests to their info and silences by an anchored tag match', () => {
    const r = rule('PveGuestDown');
    assert.match(r.expr, /pve_up\{id=~"\(qemu\|lxc\)\/\.\*"\} == 0/);
    assert.match(r.expr, /and on \(id, instance\) pve_onboot_status == 1/);
    assert.match(r.expr, /\* on \(id, instance\) group_left \(name, node, tags\)/);
    assert.ok(r.expr.includes('tags!~"(.*;)?(no-alert|maintenance)(;.*)?"'), r.expr);
    assert.equal(r.for, '5m');
    const d = r.annotations?.description ?? '';
    assert.ok(d.includes('`qm set <vmid> --tags maintenance`'), d);
    assert.ok(d.includes('`pct set <vmid> --tags maintenance`'), d);
  });

  it('PveNodeDown covers hosts whose guests vanished; the stale tag pages after 24 h', () => {
    assert.match(rule('PveNodeDown').expr, /pve_up\{id=~"node\/\.\*"\}\) == 0/);
    assert.equal(rule('PveNodeDown').for, '2m');
    const stale = rule('PveGuestMaintenanceTagStale');
    assert.equal(stale.for, '24h');
    assert.equal(stale.labels?.severity, 'info');
    assert.ok(stale.expr.includes('tags=~"(.*;)?(maintenance)(;.*)?"'), stale.expr);
  });

  it('quorum, QDevice and exporter rules read the metrics the contract names', () => {
    const q = rule('PveQuorumDegraded').expr;
    assert.match(q, /pve_up\{id=~"cluster\/\.\*"\}/);
    assert.match(q, /alertpath_pvecm_expected_votes > alertpath_pvecm_total_votes/);
    assert.equal(rule('PveQDeviceDown').expr, 'pve_qdevice_up == 0');
    assert.equal(rule('PveExporterDown').expr, 'up{job=~".*pve.*"} == 0');
    assert.match(rule('PveHaGuestError').expr, /pve_ha_state\{id=~"\(qemu\|lxc\)\/\.\*", state="error"\}/);
  });

  it('the relay, watch and Alertmanager rules read the metrics those services export', () => {
    assert.match(
      rule('AlertmanagerNotificationsFailing').expr,
      /rate\(alertmanager_notifications_failed_total\[5m\]\)\) > 0/,
    );
    assert.match(rule('AlertmanagerClusterDegraded').expr, /alertmanager_cluster_members/);
    assert.match(rule('AlertmanagerConfigReloadFailed').expr, /alertmanager_config_last_reload_successful/);
    assert.match(
      rule('AlertpathRelayDeliveryFailing').expr,
      /alertpath_relay_notifications_total\{outcome=~"unavailable\|rejected"\}/,
    );
    assert.match(rule('AlertpathRelayRateLimited').expr, /alertpath_relay_discord_rate_limited_total/);
    assert.match(
      rule('AlertpathRelayReplicasLow').expr,
      /kube_deployment_status_replicas_available\{deployment="alertpath-relay"\} < 2/,
    );
    assert.match(rule('AlertpathRelayHeartbeatFailing').expr, /alertpath_relay_heartbeat_failures_total/);
    assert.match(
      rule('AlertpathWatchNotificationFailing').expr,
      /alertpath_watch_notifications_total\{outcome="failed"\}/,
    );
    assert.match(rule('AlertpathWatchChecksWithoutChannel').expr, /alertpath_watch_checks_unrouted > 0/);
    assert.match(
      rule('NodeRebootRequiredStale').expr,
      /time\(\) - node_textfile_mtime_seconds\{file=~"\.\*"\} > 3 \* 600/,
    );
    assert.match(rule('NodeTextfileScrapeError').expr, /node_textfile_scrape_error == 1/);
  });
});

describe('docs/rules.md', () => {
  const docs = readRepoFile('docs/rules.md');

  it('explains every alert', () => {
    for (const r of rules)
      assert.match(docs, new RegExp(`\\*\\*${r.alert}\\*\\* \\(\`${r.labels?.severity}\`\\)`), `${r.alert}`);
  });

  it('lists every --set key with its default, as --list does', async () => {
    const { SETTINGS } = await import('../../src/rules/settings.js');
    assert.ok(SETTINGS.length >= 20);
    for (const s of SETTINGS) {
      const row = docs.split('\n').find((l) => l.startsWith(`| \`${s.key}\` |`));
      assert.ok(row, `docs/rules.md has a row for ${s.key}`);
      assert.ok(
        row.includes(s.default === '' ? '(none)' : `\`${s.default}\``),
        `${s.key}: default ${s.default} in ${row}`,
      );
    }
  });
});
