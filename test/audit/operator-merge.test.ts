import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { auditJson, byRule, tempRepos } from './helpers.js';

/**
 * AlertmanagerConfig CRDs merged as the Prometheus operator merges them, replayed through
 * `alertpath audit` with fixtures of our own. Replayed from prometheus-operator
 * (github.com/prometheus-operator/prometheus-operator, HEAD 6adcebc5):
 *
 * - pkg/alertmanager/amcfg.go `getEnforcer`: `None` → noopEnforcer, no matcher;
 *   `OnNamespaceExceptForAlertmanagerNamespace` → otherNamespaceEnforcer, no matcher for a CRD in
 *   the Alertmanager's namespace; anything else (`OnNamespace`, the default) → namespaceEnforcer,
 *   `namespace="<ns>"` appended to the CRD's top route. All wrapped in `continueToNextRoute`,
 *   which sets `continue: true` on that top route.
 * - amcfg.go `ConfigBuilder.AddAlertmanagerConfigs`: the CRDs' top routes, sorted by
 *   `<ns>/<name>`, are put BEFORE the main config's routes (`append(subRoutes, routes...)`);
 *   `convertRoute` / `makeNamespacedString` rename receivers `<ns>/<name>/<receiver>` (a CRD
 *   only reaches its own receivers).
 * - amcfg.go `initializeFromAlertmanagerConfig`, operator.go `provisionAlertmanagerConfiguration`
 *   and `selectAlertmanagerConfigs`: the CRD named by `alertmanagerConfiguration` (in the
 *   Alertmanager's namespace) is the root, with no namespace matcher, and is skipped as a
 *   namespaced CRD; the other CRDs hang under it.
 * - The golden files pkg/alertmanager/testdata/skeleton_base_simple_CR.golden,
 *   skeleton_base_multiple_alertmanagerconfigs.golden (CRD routes ahead of a main `watchdog`
 *   route), skeleton_base_simple_CR_with_namespaceMatcher_disabled.golden,
 *   skeleton_base_{same,diff}_namespace_simple_CR_with_namespaceMatcher_disabled_other_namespaces.golden
 *   (TestGenerateConfig in amcfg_test.go).
 *
 * The alert: Watchdog as kube-prometheus-stack defines it, {alertname: Watchdog, severity: none},
 * no namespace label.
 */

const { repo, cleanup } = tempRepos();
after(cleanup);

const WATCHDOG_RULE = (labels = 'severity: none') => `groups:
  - name: general
    rules:
      - alert: Watchdog
        expr: vector(1)
        labels: { ${labels} }
`;

/** A main config (as a plain alertmanager.yaml) with a good deadman route. */
const MAIN_GOOD = `route:
  receiver: team
  repeat_interval: 1m
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: deadman
receivers:
  - name: team
    webhook_configs: [{ url: "http://relay.monitoring:9095/alert" }]
  - name: deadman
    webhook_configs: [{ url: "https://hc-ping.com/main", send_resolved: false }]
`;

/** A CRD whose own Watchdog route goes to a webhook with send_resolved on: seen if carried. */
const crd = (ns: string, name = 'team-routes', extra = '') => `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: ${name}, namespace: ${ns} }
spec:
  route:
    receiver: crd-team
    routes:
      - matchers: [{ name: alertname, value: Watchdog, matchType: "=" }]
        receiver: crd-deadman${extra}
  receivers:
    - name: crd-team
      webhookConfigs: [{ url: "http://relay.monitoring:9095/alert", sendResolved: false }]
    - name: crd-deadman
      webhookConfigs: [{ url: "https://hc-ping.com/crd", sendResolved: true }]
`;

const am = (spec: string) => `apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: { name: main, namespace: monitoring }
spec:
  replicas: 2
${spec}`;

async function audit(files: Record<string, string>) {
  const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo(files) });
  return res.report;
}

const files = (rs: Array<{ file: string }>) => rs.map((f) => f.file).sort();

describe('AlertmanagerConfig merged as the operator merges it (getEnforcer, AddAlertmanagerConfigs)', () => {
  it('default strategy (OnNamespace): the CRD route gets namespace="apps", so Watchdog never reaches it', async () => {
    for (const spec of [
      '  alertmanagerConfigSelector: {}\n',
      '  alertmanagerConfigMatcherStrategy: { type: OnNamespace }\n',
    ]) {
      const report = await audit({
        'rules.yaml': WATCHDOG_RULE(),
        'alertmanager.yaml': MAIN_GOOD,
        'amc.yaml': crd('apps'),
        'am.yaml': am(spec),
      });
      assert.deepEqual(byRule(report, 'deadman-send-resolved'), [], spec);
      assert.deepEqual(byRule(report, 'deadman-unrouted'), [], spec);
      assert.deepEqual(byRule(report, 'deadman-to-null'), [], spec);
      assert.ok(
        report.notes.some((n) => n.file === 'amc.yaml' && /namespace="apps"/.test(n.message)),
        JSON.stringify(report.notes),
      );
    }
  });

  it('an alert with namespace=apps is routed by the CRD in apps, not by one in another namespace', async () => {
    const report = await audit({
      'rules.yaml': WATCHDOG_RULE('severity: none, namespace: apps'),
      'alertmanager.yaml': MAIN_GOOD,
      'apps.yaml': crd('apps'),
      'other.yaml': crd('other'),
    });
    assert.deepEqual(files(byRule(report, 'deadman-send-resolved')), ['apps.yaml']);
  });

  it('None: no namespace matcher, the CRD route carries Watchdog (and continue: true lets the main route take it too)', async () => {
    const report = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'alertmanager.yaml': MAIN_GOOD,
      'amc.yaml': crd('apps'),
      'am.yaml': am('  alertmanagerConfigMatcherStrategy: { type: None }\n'),
    });
    const [f] = byRule(report, 'deadman-send-resolved');
    assert.equal(f?.file, 'amc.yaml');
    assert.deepEqual(f?.object, { kind: 'AlertmanagerConfig', namespace: 'apps', name: 'team-routes' });
    assert.equal(
      byRule(report, 'deadman-send-resolved').length,
      1,
      'the main deadman has send_resolved: false',
    );
    assert.deepEqual(byRule(report, 'deadman-unrouted'), []);
  });

  it('OnNamespaceExceptForAlertmanagerNamespace: the CRD in the Alertmanager namespace has no matcher, one elsewhere has', async () => {
    const report = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'alertmanager.yaml': MAIN_GOOD,
      'own.yaml': crd('monitoring'),
      'apps.yaml': crd('apps'),
      'am.yaml': am(
        '  alertmanagerConfigMatcherStrategy: { type: OnNamespaceExceptForAlertmanagerNamespace }\n',
      ),
    });
    assert.deepEqual(files(byRule(report, 'deadman-send-resolved')), ['own.yaml']);
  });

  it('the CRD named by alertmanagerConfiguration is the root: its default receiver takes an unrouted Watchdog', async () => {
    const global = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: global, namespace: monitoring }
spec:
  route:
    receiver: blackhole
    repeatInterval: 1m
  receivers:
    - name: blackhole
`;
    const report = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'global.yaml': global,
      'apps.yaml': crd('apps'),
      'am.yaml': am('  alertmanagerConfiguration: { name: global }\n'),
    });
    const toNull = byRule(report, 'deadman-to-null');
    assert.deepEqual(
      toNull.map((f) => [f.file, f.line]),
      [['global.yaml', 6]],
      'receiver: blackhole, the root of the merged config',
    );
    assert.deepEqual(files(byRule(report, 'deadman-unrouted')), ['global.yaml']);
    assert.deepEqual(byRule(report, 'deadman-send-resolved'), [], 'the apps CRD still gets namespace="apps"');
  });

  it('CRD routes come before the main routes with continue: true: a CRD that takes Watchdog keeps it out of the main default receiver', async () => {
    // Main config: no Watchdog route, default receiver "null". Merged (None): the CRD's top route
    // is tried first and matches, so the root's "null" is never the answer.
    const main = `route:
  receiver: "null"
  routes:
    - matchers: ['severity="critical"']
      receiver: team
receivers:
  - name: "null"
  - name: team
    webhook_configs: [{ url: "http://relay.monitoring:9095/alert" }]
`;
    const good = crd('apps')
      .replace('sendResolved: true', 'sendResolved: false')
      .replace('receiver: crd-deadman', 'receiver: crd-deadman\n        repeatInterval: 1m');
    const report = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'alertmanager.yaml': main,
      'amc.yaml': good,
      'am.yaml': am('  alertmanagerConfigMatcherStrategy: { type: None }\n'),
    });
    assert.deepEqual(byRule(report, 'deadman-to-null'), [], JSON.stringify(report.findings));
    assert.deepEqual(byRule(report, 'deadman-unrouted'), []);
    // With the default strategy the same CRD does not match: Watchdog lands in "null".
    const scoped = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'alertmanager.yaml': main,
      'amc.yaml': good,
    });
    assert.deepEqual(files(byRule(scoped, 'deadman-to-null')), ['alertmanager.yaml']);
    assert.deepEqual(files(byRule(scoped, 'deadman-unrouted')), ['alertmanager.yaml']);
  });

  it('continue: true on the CRD route: a main Watchdog route to "null" still runs, and the CRD webhook delivers', async () => {
    const main = `route:
  receiver: team
  repeat_interval: 1m
  routes:
    - matchers: ['alertname="Watchdog"']
      receiver: "null"
receivers:
  - name: team
    webhook_configs: [{ url: "http://relay.monitoring:9095/alert" }]
  - name: "null"
`;
    const report = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'alertmanager.yaml': main,
      'amc.yaml': crd('apps').replace('sendResolved: true', 'sendResolved: false'),
      'am.yaml': am('  alertmanagerConfigMatcherStrategy: { type: None }\n'),
    });
    // Alertmanager sends Watchdog to apps/team-routes/crd-deadman AND to "null": it is delivered.
    assert.deepEqual(byRule(report, 'deadman-to-null'), [], JSON.stringify(report.findings));
    // The CRD route inherits repeat_interval: 1m from the main root it hangs under.
    assert.deepEqual(byRule(report, 'deadman-slow-repeat'), [], JSON.stringify(report.findings));
  });

  it('a CRD receiver with no integration: deadman-to-null at the CRD route when it carries Watchdog, nothing when it cannot', async () => {
    const main = `route:
  receiver: team
  repeat_interval: 1m
  routes:
    - matchers: ['severity="critical"']
      receiver: team
receivers:
  - name: team
    webhook_configs: [{ url: "http://relay.monitoring:9095/alert" }]
`;
    const blackhole = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: quiet, namespace: apps }
spec:
  route:
    receiver: crd-team
    routes:
      - matchers: [{ name: alertname, value: Watchdog }]
        receiver: blackhole
  receivers:
    - name: crd-team
      webhookConfigs: [{ url: "http://relay.monitoring:9095/alert", sendResolved: false }]
    - name: blackhole
`;
    const none = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'alertmanager.yaml': main,
      'amc.yaml': blackhole,
      'am.yaml': am('  alertmanagerConfigMatcherStrategy: { type: None }\n'),
    });
    const [f] = byRule(none, 'deadman-to-null');
    assert.deepEqual([f?.file, f?.line], ['amc.yaml', 9], JSON.stringify(none.findings));
    assert.equal(byRule(none, 'deadman-to-null').length, 1);
    assert.deepEqual(f?.object, { kind: 'AlertmanagerConfig', namespace: 'apps', name: 'quiet' });
    // The root's "team" is not reached (the CRD matched), so Watchdog is not unrouted either.
    assert.deepEqual(byRule(none, 'deadman-unrouted'), []);

    const scoped = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'alertmanager.yaml': main,
      'amc.yaml': blackhole,
    });
    assert.deepEqual(byRule(scoped, 'deadman-to-null'), [], 'namespace="apps" keeps Watchdog out');
    assert.deepEqual(files(byRule(scoped, 'deadman-unrouted')), ['alertmanager.yaml']);
  });

  it('a catch-all CRD route (None) carries Watchdog to its team receiver: not the default receiver, not judged as a deadman route', async () => {
    const main = `route:
  receiver: "null"
receivers:
  - name: "null"
`;
    const catchAll = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: team, namespace: apps }
spec:
  route:
    receiver: crd-team
  receivers:
    - name: crd-team
      webhookConfigs: [{ url: "http://relay.monitoring:9095/alert" }]
`;
    const report = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'alertmanager.yaml': main,
      'amc.yaml': catchAll,
      'am.yaml': am('  alertmanagerConfigMatcherStrategy: { type: None }\n'),
    });
    // Alertmanager: Watchdog matches apps/team/crd-team (continue), nothing else; the root's
    // "null" is not the answer, and the team webhook delivers it.
    assert.deepEqual(byRule(report, 'deadman-to-null'), [], JSON.stringify(report.findings));
    assert.deepEqual(byRule(report, 'deadman-unrouted'), []);
    assert.deepEqual(byRule(report, 'deadman-send-resolved'), []);
    assert.deepEqual(byRule(report, 'deadman-slow-repeat'), []);
  });

  it('under the alertmanagerConfiguration root, a None CRD route that takes Watchdog comes first and delivers it', async () => {
    const global = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: global, namespace: monitoring }
spec:
  route:
    receiver: blackhole
    repeatInterval: 1m
  receivers:
    - name: blackhole
`;
    const report = await audit({
      'rules.yaml': WATCHDOG_RULE(),
      'global.yaml': global,
      'apps.yaml': crd('apps').replace('sendResolved: true', 'sendResolved: false'),
      'am.yaml': am(
        '  alertmanagerConfiguration: { name: global }\n  alertmanagerConfigMatcherStrategy: { type: None }\n',
      ),
    });
    assert.deepEqual(byRule(report, 'deadman-to-null'), [], JSON.stringify(report.findings));
    assert.deepEqual(byRule(report, 'deadman-unrouted'), []);
    assert.deepEqual(byRule(report, 'deadman-slow-repeat'), [], 'repeatInterval: 1m from the global root');
  });
});
