import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { auditJson, byRule, indent, tempRepos } from './helpers.js';

/** Every input source, stdin, line numbers into embedded configs, ignoring, and hostile input. */

const { repo, cleanup } = tempRepos();
after(cleanup);

const AM_NULL = `route:
  receiver: team
  routes:
    - matchers:
        - alertname="Watchdog"
      receiver: "null"
receivers:
  - name: team
    webhook_configs:
      - url: http://relay:9095/alert
  - name: "null"
`;

const RELAY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: relay
  namespace: monitoring
spec:
  replicas: 1
  selector: { matchLabels: { app: relay } }
  template:
    metadata: { labels: { app: relay } }
    spec:
      containers:
        - name: relay
          image: ghcr.io/example/relay:1.0.0@sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
---
apiVersion: v1
kind: Service
metadata:
  name: relay
  namespace: monitoring
spec:
  selector: { app: relay }
`;

describe('Alertmanager config embedded in a Secret', () => {
  it('stringData: findings point at the line and column of the outer file', async () => {
    const secret = `# leading comment
apiVersion: v1
kind: Secret
metadata:
  name: alertmanager-main
  namespace: monitoring
stringData:
  other.tmpl: |
    {{ define "x" }}{{ end }}
  alertmanager.yaml: |-
${indent(AM_NULL, 4)}`;
    const dir = repo({ 'secret.yaml': secret });
    const res = await auditJson(['.'], { cwd: dir });
    const [f] = byRule(res.report, 'deadman-to-null');
    const lines = secret.split('\n');
    const line = lines.findIndex((l) => l.includes('receiver: "null"')) + 1;
    assert.equal(f?.file, 'secret.yaml');
    assert.equal(f?.line, line);
    assert.equal(f?.column, (lines[line - 1] as string).indexOf('receiver') + 1);
    assert.equal(f?.embedded, undefined);
  });

  it('base64 data: findings point at the data value, with the line inside the decoded text', async () => {
    const secret = `apiVersion: v1
kind: Secret
metadata:
  name: alertmanager-main
  namespace: monitoring
data:
  alertmanager.yaml: ${Buffer.from(AM_NULL).toString('base64')}
`;
    const dir = repo({ 'secret.yaml': secret });
    const res = await auditJson(['.'], { cwd: dir });
    const [f] = byRule(res.report, 'deadman-to-null');
    assert.equal(f?.file, 'secret.yaml');
    assert.equal(f?.line, 7);
    assert.equal(f?.column, 22);
    const inner = AM_NULL.split('\n');
    const innerLine = inner.findIndex((l) => l.includes('receiver: "null"')) + 1;
    assert.deepEqual(f?.embedded, {
      name: 'alertmanager.yaml (base64-decoded)',
      line: innerLine,
      column: (inner[innerLine - 1] as string).indexOf('receiver') + 1,
    });
    // the short URL http://relay:9095 resolves in the Secret's namespace
    assert.equal(byRule(res.report, 'alert-path-single-replica').length, 0, 'no relay here');
  });

  it('an embedded config that does not parse is yaml-invalid at the outer line, and the rest is audited', async () => {
    const secret = `apiVersion: v1
kind: Secret
metadata:
  name: am
stringData:
  alertmanager.yaml: |
    route:
      receiver: a
      receiver: b
---
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: nginx
`;
    const dir = repo({ 'secret.yaml': secret });
    const res = await auditJson(['.'], { cwd: dir });
    assert.equal(res.code, 1);
    const [invalid] = byRule(res.report, 'yaml-invalid');
    assert.equal(invalid?.line, 9);
    assert.equal(invalid?.column, 7);
    assert.equal(byRule(res.report, 'image-mutable-tag').length, 1);
  });
});

describe('alert-path discovery through receiver URLs', () => {
  for (const [form, url, secretNs] of [
    ['NAME (namespace of the Secret)', 'http://relay:9095/alert', 'monitoring'],
    ['NAME.NAMESPACE', 'http://relay.monitoring:9095/alert', 'other'],
    ['NAME.NAMESPACE.svc', 'http://relay.monitoring.svc:9095/alert', 'other'],
    ['NAME.NAMESPACE.svc.cluster.local', 'http://relay.monitoring.svc.cluster.local:9095/', 'other'],
  ] as const) {
    it(`finds the workload behind ${form}`, async () => {
      const am = AM_NULL.replace('http://relay:9095/alert', url);
      const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: am\n  namespace: ${secretNs}\nstringData:\n  alertmanager.yaml: |\n${indent(am, 4)}`;
      const dir = repo({ 'secret.yaml': secret, 'relay.yaml': RELAY });
      const res = await auditJson(['.'], { cwd: dir });
      const [f] = byRule(res.report, 'alert-path-single-replica');
      assert.equal(f?.object?.name, 'relay');
      assert.equal(f?.line, 7);
    });
  }

  it('does not take a Service in another namespace for the short name', async () => {
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: am\n  namespace: elsewhere\nstringData:\n  alertmanager.yaml: |\n${indent(AM_NULL, 4)}`;
    const dir = repo({ 'secret.yaml': secret, 'relay.yaml': RELAY });
    const res = await auditJson(['.'], { cwd: dir });
    assert.deepEqual(byRule(res.report, 'alert-path-single-replica'), []);
  });

  it('applies a kustomization namespace to objects that name none', async () => {
    const relay = RELAY.replace(/ {2}namespace: monitoring\n/g, '');
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: am\n  namespace: monitoring\nstringData:\n  alertmanager.yaml: |\n${indent(AM_NULL, 4)}`;
    const dir = repo({
      'am/secret.yaml': secret,
      'relay/kustomization.yaml': 'namespace: monitoring\nresources: [relay.yaml]\n',
      'relay/relay.yaml': relay,
    });
    const res = await auditJson(['.'], { cwd: dir });
    const [f] = byRule(res.report, 'alert-path-single-replica');
    assert.deepEqual(f?.object, { kind: 'Deployment', namespace: 'monitoring', name: 'relay' });
  });
});

describe('AlertmanagerConfig CRD (camelCase, namespace-scoped)', () => {
  it('reads webhookConfigs, sendResolved and object matchers', async () => {
    const crd = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata:
  name: deadman
  namespace: monitoring
spec:
  route:
    receiver: team
    routes:
      - matchers:
          - name: alertname
            value: Watchdog
            matchType: "="
        receiver: deadman
        repeatInterval: 1m
      - matchers:
          - { name: alertname, value: "Quiet.*", regex: true }
        receiver: blackhole
  receivers:
    - name: team
      webhookConfigs:
        - url: http://relay.monitoring:9095/alert
          sendResolved: true
    - name: deadman
      webhookConfigs:
        - url: https://hc-ping.com/abc
          sendResolved: true
    - name: blackhole
`;
    // As the operator merges it (matcherStrategy None): the CRD's route sees every namespace.
    const none = `apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: { name: main, namespace: monitoring }
spec:
  replicas: 2
  alertmanagerConfigMatcherStrategy: { type: None }
`;
    const dir = repo({ 'amc.yaml': crd, 'relay.yaml': RELAY, 'am.yaml': none });
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: dir });
    const resolved = byRule(res.report, 'deadman-send-resolved');
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0]?.line, 27);
    assert.deepEqual(resolved[0]?.object, {
      kind: 'AlertmanagerConfig',
      namespace: 'monitoring',
      name: 'deadman',
    });
    assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
    assert.deepEqual(byRule(res.report, 'deadman-slow-repeat'), []);
    assert.deepEqual(byRule(res.report, 'deadman-unrouted'), [], 'a namespaced CRD is not the global route');
    assert.equal(byRule(res.report, 'alert-path-single-replica')[0]?.object?.name, 'relay');
  });

  it('with the default matcher strategy, the namespace matcher keeps Watchdog (no namespace label) out of the CRD route', async () => {
    const crd = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: deadman, namespace: monitoring }
spec:
  route:
    receiver: deadman
    routes:
      - matchers: [{ name: alertname, value: Watchdog }]
        receiver: deadman
  receivers:
    - name: deadman
      webhookConfigs: [{ url: "https://hc-ping.com/abc", sendResolved: true }]
`;
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'amc.yaml': crd }) });
    assert.deepEqual(byRule(res.report, 'deadman-send-resolved'), [], 'the route never carries Watchdog');
    assert.ok(
      res.report.notes.some((n) => n.file === 'amc.yaml' && /never carries it/.test(n.message)),
      JSON.stringify(res.report.notes),
    );
  });

  it('OnNamespaceExceptForAlertmanagerNamespace: a CRD beside the Alertmanager sees every alert, one elsewhere does not', async () => {
    const crd = (ns: string) => `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: deadman, namespace: ${ns} }
spec:
  route:
    receiver: deadman
    routes:
      - matchers: [{ name: alertname, value: Watchdog }]
        receiver: deadman
  receivers:
    - name: deadman
      webhookConfigs: [{ url: "https://hc-ping.com/abc", sendResolved: true }]
`;
    const am = `apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: { name: main, namespace: monitoring }
spec:
  replicas: 2
  alertmanagerConfigMatcherStrategy: { type: OnNamespaceExceptForAlertmanagerNamespace }
`;
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'own.yaml': crd('monitoring'), 'other.yaml': crd('apps'), 'am.yaml': am }),
    });
    assert.deepEqual(
      byRule(res.report, 'deadman-send-resolved').map((f) => f.file),
      ['own.yaml'],
    );
  });

  it('the CRD named by alertmanagerConfiguration is the global config: its root takes Watchdog', async () => {
    const crd = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: global, namespace: monitoring }
spec:
  route:
    receiver: blackhole
  receivers:
    - name: blackhole
`;
    const am = `apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata: { name: main, namespace: monitoring }
spec:
  replicas: 2
  alertmanagerConfiguration: { name: global }
`;
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'amc.yaml': crd, 'am.yaml': am }),
    });
    const [f] = byRule(res.report, 'deadman-to-null');
    assert.equal(f?.file, 'amc.yaml');
    assert.equal(f?.line, 6);
    assert.equal(byRule(res.report, 'deadman-unrouted').length, 1);
  });
});

describe('other sources', () => {
  it('reads rule files, PrometheusRule CRDs and additionalPrometheusRulesMap', async () => {
    const am = AM_NULL.replace('"null"\n', 'deadman\n');
    const sources: Array<Record<string, string>> = [
      { 'rules.yml': 'groups:\n  - name: g\n    rules:\n      - alert: Watchdog\n        expr: vector(1)\n' },
      {
        'pr.yaml':
          'apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: { name: r }\nspec:\n  groups:\n    - name: g\n      rules:\n        - { alert: Watchdog, expr: vector(1) }\n',
      },
      {
        'values.yaml':
          'additionalPrometheusRulesMap:\n  deadman:\n    groups:\n      - name: g\n        rules:\n          - alert: Watchdog\n            expr: vector(1)\n',
      },
    ];
    for (const rules of sources) {
      const dir = repo({ 'am.yml': am, ...rules });
      const res = await auditJson(['.'], { cwd: dir });
      assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), [], Object.keys(rules)[0]);
    }
    const none = await auditJson(['.'], { cwd: repo({ 'am.yml': am }) });
    assert.equal(byRule(none.report, 'deadman-rule-missing').length, 1);
  });

  it('reads an Alertmanager config from a ConfigMap (alertmanager.yml), lines into the outer file', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alertmanager\n  namespace: monitoring\ndata:\n  alertmanager.yml: |\n${indent(AM_NULL, 4)}`;
    const res = await auditJson(['.'], { cwd: repo({ 'cm.yaml': cm, 'relay.yaml': RELAY }) });
    const [f] = byRule(res.report, 'deadman-to-null');
    const lines = cm.split('\n');
    const line = lines.findIndex((l) => l.includes('receiver: "null"')) + 1;
    assert.equal(f?.line, line);
    assert.equal(f?.column, (lines[line - 1] as string).indexOf('receiver') + 1);
    assert.deepEqual(f?.object, { kind: 'ConfigMap', namespace: 'monitoring', name: 'alertmanager' });
    assert.equal(byRule(res.report, 'alert-path-single-replica')[0]?.object?.name, 'relay');
  });

  it('reads Ansible image: keys, skipping templated ones with a note', async () => {
    const dir = repo({
      'site.yml':
        '- hosts: edge\n  tasks:\n    - name: relay\n      community.docker.docker_container:\n        name: relay\n        image: "{{ relay_image }}"\n    - name: cache\n      community.docker.docker_container:\n        name: cache\n        image: redis\n',
    });
    const res = await auditJson(['.'], { cwd: dir });
    const [f] = byRule(res.report, 'image-mutable-tag');
    assert.equal(f?.line, 10);
    assert.equal(f?.column, 16);
    assert.ok(res.report.notes.some((n) => n.message.includes('{{ relay_image }}')));
  });

  it('reads Dockerfile FROM: skips stage names, scratch and build ARGs (with a note)', async () => {
    const dir = repo({
      'Dockerfile.prod':
        'ARG BASE=debian:12\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM ${BASE}\nFROM build AS test\nFROM scratch\nCOPY --from=build /app /app\n',
    });
    const res = await auditJson(['.'], { cwd: dir });
    const unpinned = byRule(res.report, 'image-unpinned');
    assert.deepEqual(
      unpinned.map((f) => [f.line, f.column]),
      [[2, 'FROM --platform=$BUILDPLATFORM '.length + 1]],
    );
    assert.ok(res.report.notes.some((n) => n.message.includes('${BASE}')));
  });

  it('skips Helm chart templates with a note, and reads the chart values', async () => {
    const dir = repo({
      'chart/Chart.yaml': 'apiVersion: v2\nname: x\nversion: 1.0.0\n',
      'chart/values.yaml': 'image:\n  repository: ghcr.io/example/x\n  tag: latest\n',
      'chart/templates/deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n',
    });
    const res = await auditJson(['.'], { cwd: dir });
    assert.deepEqual(byRule(res.report, 'yaml-invalid'), []);
    assert.ok(res.report.notes.some((n) => n.file === 'chart/templates' && /helm template/.test(n.message)));
    assert.equal(byRule(res.report, 'image-mutable-tag')[0]?.line, 3, 'at the tag: line, what is wrong');
  });
});

describe('precise locations', () => {
  it('runtime-install points at the install line inside a block scalar; a split command at the command', async () => {
    const deploy = `apiVersion: apps/v1
kind: Deployment
metadata: { name: relay, namespace: monitoring }
spec:
  template:
    spec:
      containers:
        - name: a
          image: python:3.12-slim
          command: ["/bin/sh", "-c"]
          args:
            - |
              set -eu
              echo starting
              pip install --no-cache-dir fastapi uvicorn
              exec uvicorn app:app
        - name: b
          image: python:3.12-slim
          command: ["pip", "install", "requests"]
`;
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'deploy.yaml': deploy }) });
    const found = byRule(res.report, 'runtime-install').map((f) => [f.line, f.column]);
    const lines = deploy.split('\n');
    const pip = lines.findIndex((l) => l.includes('pip install --no-cache-dir')) + 1;
    const split = lines.findIndex((l) => l.includes('["pip", "install"')) + 1;
    assert.deepEqual(found, [
      [pip, (lines[pip - 1] as string).indexOf('pip') + 1],
      [split, (lines[split - 1] as string).indexOf('[') + 1],
    ]);
  });
});

describe('stdin', () => {
  it('audits a multi-document stream from `-`, as after helm template or kustomize build', async () => {
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: am\n  namespace: monitoring\nstringData:\n  alertmanager.yaml: |\n${indent(AM_NULL, 4)}`;
    const stream = `---\n# Source: chart/templates/secret.yaml\n${secret}---\n# Source: chart/templates/relay.yaml\n${RELAY}`;
    const res = await auditJson(['-'], { input: stream });
    assert.equal(res.code, 1, res.stderr);
    const [nullRoute] = byRule(res.report, 'deadman-to-null');
    assert.equal(nullRoute?.file, '<stdin>');
    assert.equal(nullRoute?.line, stream.split('\n').findIndex((l) => l.includes('receiver: "null"')) + 1);
    const [single] = byRule(res.report, 'alert-path-single-replica');
    assert.equal(single?.line, stream.split('\n').findIndex((l) => l.includes('replicas: 1')) + 1);
    assert.equal(res.report.summary.files, 1);
  });

  it('treats an empty stdin as no readable input: exit 2', async () => {
    const res = await runCli(['audit', '-'], { input: '' });
    assert.equal(res.code, 2);
    assert.equal(res.stderr.trim().split('\n').length, 1);
    assert.match(res.stderr, /no readable input/);
  });
});

describe('ignoring', () => {
  const annotated = (where: 'object' | 'template') => {
    const annotation = '    alertpath.dev/ignore: "alert-path-no-pdb, alert-path-no-spread"\n';
    return RELAY.replace(
      where === 'object'
        ? '  namespace: monitoring\nspec:\n  replicas'
        : '    metadata: { labels: { app: relay } }',
      where === 'object'
        ? `  namespace: monitoring\n  annotations:\n${annotation}spec:\n  replicas`
        : `    metadata:\n      labels: { app: relay }\n      annotations:\n    ${annotation}`,
    );
  };
  const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: am\n  namespace: monitoring\nstringData:\n  alertmanager.yaml: |\n${indent(AM_NULL, 4)}`;

  for (const where of ['object', 'template'] as const) {
    it(`alertpath.dev/ignore on the ${where} silences those rules for it only`, async () => {
      const dir = repo({ 'secret.yaml': secret, 'relay.yaml': annotated(where) });
      const res = await auditJson(['.'], { cwd: dir });
      assert.deepEqual(byRule(res.report, 'alert-path-no-pdb'), []);
      assert.deepEqual(byRule(res.report, 'alert-path-no-spread'), []);
      assert.equal(byRule(res.report, 'alert-path-single-replica').length, 1);
      assert.equal(byRule(res.report, 'deadman-to-null').length, 1);
    });
  }

  it('alertpath.dev/ignore on a Secret silences rules about its config', async () => {
    const ignored = secret.replace(
      '  namespace: monitoring\n',
      '  namespace: monitoring\n  annotations:\n    alertpath.dev/ignore: deadman-to-null\n',
    );
    const res = await auditJson(['.'], { cwd: repo({ 'secret.yaml': ignored }) });
    assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
    assert.equal(res.code, 0);
  });

  it('--rule ID=off drops a rule everywhere; --rule ID=LEVEL changes its severity', async () => {
    const dir = repo({ 'secret.yaml': secret, 'relay.yaml': RELAY });
    const off = await auditJson(
      ['--rule', 'deadman-to-null=off', '--rule', 'alert-path-single-replica=info', '.'],
      { cwd: dir },
    );
    assert.deepEqual(byRule(off.report, 'deadman-to-null'), []);
    assert.equal(byRule(off.report, 'alert-path-single-replica')[0]?.severity, 'info');
  });

  it('.alertpath.yaml: rules, ignorePaths and deadmanAlerts', async () => {
    const dir = repo({
      '.alertpath.yaml':
        'rules: { alert-path-no-priority: error, deadman-rule-missing: off }\nignorePaths: ["vendor/**"]\ndeadmanAlerts: [DeadMansSwitch]\n',
      'secret.yaml': secret.replace('alertname="Watchdog"', 'alertname="DeadMansSwitch"'),
      'relay.yaml': RELAY,
      'vendor/chart/bad.yaml': 'a: [unclosed\n',
    });
    const res = await auditJson(['.'], { cwd: dir });
    assert.equal(byRule(res.report, 'alert-path-no-priority')[0]?.severity, 'error');
    assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), []);
    assert.deepEqual(byRule(res.report, 'yaml-invalid'), [], 'vendor/** is not read');
    assert.match(byRule(res.report, 'deadman-to-null')[0]?.message ?? '', /^DeadMansSwitch is routed/);
    assert.equal(res.report.summary.files, 2, 'the config file itself is not audited');
  });

  it('a bad .alertpath.yaml is a config error with file:line:col, exit 2', async () => {
    const dir = repo({ '.alertpath.yaml': 'rules:\n  no-such-rule: off\n', 'x.yaml': 'a: 1\n' });
    const res = await runCli(['audit', '.'], { cwd: dir });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /\.alertpath\.yaml:2:3: .*unknown rule "no-such-rule"/);
  });
});

describe('hostile input', () => {
  it('reports invalid YAML at file:line and audits the rest', async () => {
    const dir = repo({
      'a-bad.yaml': 'key: value\nlist: [1, 2\nother: x\n',
      'b-good.yaml': 'image: nginx\n',
    });
    const res = await auditJson(['.'], { cwd: dir });
    assert.equal(res.code, 1);
    const [bad] = byRule(res.report, 'yaml-invalid');
    assert.equal(bad?.file, 'a-bad.yaml');
    assert.equal(bad?.line, 3);
    assert.equal(byRule(res.report, 'image-mutable-tag')[0]?.file, 'b-good.yaml');
  });

  it('skips binary files and files over 10 MB, with a note each', async () => {
    const big = `# padding\n${'x: 1\n'.repeat(1)}${'#'.repeat(11 * 1024 * 1024)}\n`;
    const dir = repo({
      'binary.yaml': Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02]),
      'big.yaml': big,
      'ok.yaml': 'image: nginx:1.25\n',
    });
    const res = await auditJson(['.'], { cwd: dir });
    assert.equal(res.report.summary.files, 1);
    assert.ok(res.report.notes.some((n) => n.file === 'binary.yaml' && /binary/.test(n.message)));
    assert.ok(res.report.notes.some((n) => n.file === 'big.yaml' && /10 MB/.test(n.message)));
    assert.deepEqual(byRule(res.report, 'yaml-invalid'), []);
  });

  it('refuses an alias bomb as yaml-invalid, quickly, and audits the rest', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]',
      'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]',
      'h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]',
      'i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]',
      'image: [*i]',
      '',
    ].join('\n');
    const dir = repo({ 'bomb.yaml': bomb, 'ok.yaml': 'image: nginx\n' });
    const res = await auditJson(['.'], { cwd: dir, env: {} });
    const [refused] = byRule(res.report, 'yaml-invalid');
    assert.equal(refused?.file, 'bomb.yaml');
    assert.match(refused?.message ?? '', /alias/i);
    assert.equal(byRule(res.report, 'image-mutable-tag')[0]?.file, 'ok.yaml');
  });

  it('survives deep nesting, odd scalars and non-map documents', async () => {
    const deep = `${'['.repeat(500)}${']'.repeat(500)}\n`;
    const dir = repo({
      'deep.yaml': deep,
      'scalar.yaml': '--- just a string\n--- 42\n--- null\n---\n',
      'weird.yaml':
        'apiVersion: v1\nkind: [List]\nitems: 5\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: 7\nspec: { template: [] }\n',
      'list.yaml':
        'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: { name: p }\n    spec: { containers: [{ name: c, image: "registry:5000/app" }] }\n',
    });
    const res = await auditJson(['.'], { cwd: dir });
    assert.equal(res.report.summary.files, 4, res.stderr);
    const [mutable] = byRule(res.report, 'image-mutable-tag');
    assert.equal(mutable?.file, 'list.yaml');
    assert.match(mutable?.message ?? '', /registry:5000\/app" has no tag/);
  });
});
