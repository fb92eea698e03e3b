import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { AUDIT_FIXTURES, auditJson, byRule, indent, tempRepos } from './helpers.js';

/**
 * Issue 12, piece by piece: values read by chart, Flux valuesFrom, Argo CD values strings, SOPS,
 * templates, not-deployed paths, and bad input (never a crash, always a finding or a note with
 * file:line).
 */

const { repo, cleanup } = tempRepos();
after(cleanup);

function helmRelease(chart: string, values: string, extra = ''): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${chart}
  namespace: monitoring
spec:
  interval: 1h
  chart:
    spec:
      chart: ${chart}
      sourceRef: { kind: HelmRepository, name: prometheus-community, namespace: flux-system }
${extra}${values ? `  values:\n${indent(values, 4)}` : ''}`;
}

const DEADMAN_CONFIG = `config:
  route:
    receiver: team
    routes:
      - matchers: ['alertname="Watchdog"']
        receiver: deadman
        repeat_interval: 1m
  receivers:
    - name: team
      webhook_configs: [{ url: "https://chat.example.net/hook" }]
    - name: deadman
      webhook_configs: [{ url: "https://watch.example.net/ping/abc", send_resolved: false }]
`;

function lineOfText(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i + 1;
}

describe('kube-prometheus-stack in a HelmRelease', () => {
  it('no alertmanager.config: the chart default routes Watchdog to "null", reported at the values', async () => {
    const hr = helmRelease(
      'kube-prometheus-stack',
      'grafana:\n  enabled: false\nalertmanager:\n  ingress: { enabled: true }\n',
    );
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr }) });
    const [f] = byRule(res.report, 'deadman-to-null');
    assert.equal(f?.line, lineOfText(hr, '    alertmanager:'));
    assert.match(f?.message ?? '', /kube-prometheus-stack chart's default Alertmanager config/);
    assert.deepEqual(f?.object, {
      kind: 'HelmRelease',
      namespace: 'monitoring',
      name: 'kube-prometheus-stack',
    });
    assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), [], 'defaultRules are on by default');
    const [single] = byRule(res.report, 'alert-path-single-replica');
    assert.equal(single?.severity, 'warning', 'Alertmanager itself: a warning');
    assert.match(single?.message ?? '', /kube-prometheus-stack-alertmanager runs 1 replica/);
  });

  it('defaultRules.create: false or rules.general: false: deadman-rule-missing', async () => {
    for (const off of ['defaultRules:\n  create: false\n', 'defaultRules:\n  rules:\n    general: false\n']) {
      const hr = helmRelease('kube-prometheus-stack', `${off}alertmanager:\n${indent(DEADMAN_CONFIG, 2)}`);
      const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr }) });
      assert.equal(byRule(res.report, 'deadman-rule-missing').length, 1, off);
      assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
    }
  });

  it('stringConfig with tplConfig: read as YAML, line numbers into the string, template expressions allowed', async () => {
    const values = `alertmanager:
  tplConfig: true
  stringConfig: |
    route:
      receiver: {{ .Values.receiver | quote }}
      routes:
        - matchers: ['alertname="Watchdog"']
          receiver: blackhole
    receivers:
      - name: blackhole
      - name: {{ .Values.receiver | quote }}
        webhook_configs: [{ url: "https://chat.example.net/hook" }]
`;
    const hr = helmRelease('kube-prometheus-stack', values);
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr }) });
    const [f] = byRule(res.report, 'deadman-to-null');
    assert.equal(f?.line, lineOfText(hr, 'receiver: blackhole'));
    assert.equal(f?.column, (hr.split('\n')[(f?.line ?? 1) - 1] ?? '').indexOf('receiver') + 1);
    assert.deepEqual(byRule(res.report, 'yaml-invalid'), []);
  });

  it('stringConfig without tplConfig is not used (as in the chart): a note, and config is read', async () => {
    const values = `alertmanager:\n  stringConfig: "route: {receiver: x}"\n${indent(DEADMAN_CONFIG, 2)}`;
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'hr.yaml': helmRelease('kube-prometheus-stack', values) }),
    });
    assert.ok(
      res.report.notes.some((n) => /stringConfig is used only when tplConfig is true/.test(n.message)),
    );
    assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
  });

  it('valuesFrom a Secret (stringData) and a ConfigMap with targetPath; spec.values wins', async () => {
    const secret = `apiVersion: v1
kind: Secret
metadata: { name: kps-secret-values, namespace: monitoring }
stringData:
  values.yaml: |
    alertmanager:
      config:
        route:
          receiver: "null"
        receivers:
          - name: "null"
`;
    const cm = `apiVersion: v1
kind: ConfigMap
metadata: { name: kps-replicas, namespace: monitoring }
data:
  replicas: "3"
`;
    const from = `  valuesFrom:
    - kind: Secret
      name: kps-secret-values
    - kind: ConfigMap
      name: kps-replicas
      valuesKey: replicas
      targetPath: alertmanager.alertmanagerSpec.replicas
`;
    const hr = helmRelease('kube-prometheus-stack', '', from);
    const dir = repo({ 'hr.yaml': hr, 'secret.yaml': secret, 'cm.yaml': cm });
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: dir });
    const [f] = byRule(res.report, 'deadman-to-null');
    assert.equal(f?.file, 'secret.yaml');
    assert.equal(f?.line, lineOfText(secret, 'receiver: "null"'));
    assert.equal(byRule(res.report, 'deadman-unrouted')[0]?.file, 'secret.yaml');
    assert.deepEqual(byRule(res.report, 'alert-path-single-replica'), [], 'targetPath set replicas to 3');
    // spec.values on top of valuesFrom: its config wins
    const hr2 = helmRelease('kube-prometheus-stack', `alertmanager:\n${indent(DEADMAN_CONFIG, 2)}`, from);
    const res2 = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'hr.yaml': hr2, 'secret.yaml': secret, 'cm.yaml': cm }),
    });
    assert.deepEqual(byRule(res2.report, 'deadman-to-null'), []);
  });

  it('a ConfigMap or Secret valuesFrom names that is SOPS-encrypted: a note, nothing claimed', async () => {
    const sops = `apiVersion: v1
kind: Secret
metadata: { name: kps-values, namespace: monitoring }
stringData:
  values.yaml: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]
sops:
  age: [{ recipient: age1xyz, enc: "x" }]
  lastmodified: "2025-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]
  version: 3.9.0
`;
    const hr = helmRelease(
      'kube-prometheus-stack',
      `alertmanager:\n${indent(DEADMAN_CONFIG, 2)}`,
      '  valuesFrom:\n    - kind: Secret\n      name: kps-values\n',
    );
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'hr.yaml': hr, 'values.sops.yaml': sops }),
    });
    assert.ok(res.report.notes.some((n) => /valuesFrom Secret kps-values is encrypted/.test(n.message)));
    assert.deepEqual(byRule(res.report, 'input-unreadable'), []);
  });
});

describe('other charts', () => {
  it('the alertmanager chart: its default config has one receiver with no integrations', async () => {
    const hr = helmRelease(
      'alertmanager',
      'replicaCount: 2\npodAntiAffinity: hard\npriorityClassName: high\npodDisruptionBudget: { maxUnavailable: 1 }\n',
    );
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr }) });
    assert.equal(byRule(res.report, 'deadman-to-null').length, 1);
    assert.equal(byRule(res.report, 'deadman-unrouted').length, 1);
    assert.deepEqual(byRule(res.report, 'alert-path-single-replica'), []);
    assert.deepEqual(byRule(res.report, 'alert-path-no-pdb'), []);
    assert.deepEqual(byRule(res.report, 'alert-path-no-spread'), []);
  });

  it('the prometheus chart: the bundled alertmanager and serverFiles rules', async () => {
    const values = `alertmanager:\n  replicaCount: 1\n${indent(DEADMAN_CONFIG, 2)}serverFiles:\n  alerting_rules.yml:\n    groups:\n      - name: deadman\n        rules:\n          - alert: Watchdog\n            expr: vector(1)\n`;
    const hr = helmRelease('prometheus', values);
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr }) });
    assert.deepEqual(byRule(res.report, 'deadman-rule-missing'), []);
    assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
    const [single] = byRule(res.report, 'alert-path-single-replica');
    assert.equal(single?.line, lineOfText(hr, 'replicaCount: 1'));
    // switched off: nothing about an Alertmanager
    const off = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'hr.yaml': helmRelease('prometheus', 'alertmanager:\n  enabled: false\n') }),
    });
    assert.deepEqual(off.report.findings, []);
  });

  it('victoria-metrics-k8s-stack: alertmanager.config, alertmanager.spec, defaultRules', async () => {
    const values = `alertmanager:\n  spec:\n    replicaCount: 2\n    priorityClassName: high\n    podDisruptionBudget: { minAvailable: 1 }\n    topologySpreadConstraints:\n      - { maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule }\n${indent(DEADMAN_CONFIG, 2)}`;
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'hr.yaml': helmRelease('victoria-metrics-k8s-stack', values) }),
    });
    assert.deepEqual(res.report.findings, []);
    const plain = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'hr.yaml': helmRelease('victoria-metrics-k8s-stack', 'defaultRules:\n  create: false\n') }),
    });
    assert.match(byRule(plain.report, 'deadman-to-null')[0]?.message ?? '', /"blackhole"/);
    assert.equal(byRule(plain.report, 'deadman-rule-missing').length, 1);
  });

  it('a chart audit does not know: its images are read, nothing is assumed about Alertmanager', async () => {
    const hr = helmRelease(
      'app-template',
      'controllers:\n  main:\n    containers:\n      app:\n        image:\n          repository: ghcr.io/example/app\n          tag: latest\n',
    );
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr }) });
    const [f] = byRule(res.report, 'image-mutable-tag');
    assert.deepEqual(f?.object, { kind: 'HelmRelease', namespace: 'monitoring', name: 'app-template' });
    assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
  });
});

describe('Argo CD helm.values', () => {
  it('a values string that does not parse: yaml-invalid at its line in the file', async () => {
    const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: kps, namespace: argocd }
spec:
  destination: { namespace: monitoring }
  source:
    chart: kube-prometheus-stack
    helm:
      values: |
        alertmanager:
          config: [unclosed
        other: 1
`;
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'app.yaml': app }) });
    const [f] = byRule(res.report, 'yaml-invalid');
    assert.equal(f?.file, 'app.yaml');
    assert.ok((f?.line ?? 0) >= 11, JSON.stringify(f));
    assert.match(f?.message ?? '', /helm\.values of Application argocd\/kps/);
  });
});

describe('bad input never crashes', () => {
  it('valuesFrom naming a missing object, the same object twice, a bad kind, and a self-reference', async () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata: { name: loop, namespace: monitoring }
data:
  values.yaml: |
${indent(helmRelease('kube-prometheus-stack', '', '  valuesFrom:\n    - kind: ConfigMap\n      name: loop\n'), 4)}`;
    const from = `  valuesFrom:
    - kind: ConfigMap
      name: missing
    - kind: ConfigMap
      name: loop
    - kind: ConfigMap
      name: loop
    - kind: Bucket
      name: x
`;
    const hr = helmRelease('kube-prometheus-stack', `alertmanager:\n${indent(DEADMAN_CONFIG, 2)}`, from);
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr, 'cm.yaml': cm }) });
    assert.equal(res.code, 0, res.stderr);
    const [missing] = byRule(res.report, 'input-unreadable');
    assert.equal(missing?.line, lineOfText(hr, 'name: missing') - 1);
    assert.match(missing?.message ?? '', /valuesFrom ConfigMap missing is not in the repository/);
    assert.ok(res.report.notes.some((n) => /listed more than once/.test(n.message)));
    assert.equal(byRule(res.report, 'yaml-invalid')[0]?.line, lineOfText(hr, 'kind: Bucket'));
  });

  it('a 50 MB values string on stdin: a note-like finding at its line, bounded', async () => {
    const big = 'x'.repeat(50 * 1024 * 1024);
    const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: big, namespace: argocd }
spec:
  source:
    chart: kube-prometheus-stack
    helm:
      values: "${big}"
`;
    const res = await auditJson(['--fail-on', 'never', '-'], { input: app });
    assert.equal(res.code, 0, res.stderr.slice(0, 500));
    const [f] = byRule(res.report, 'input-unreadable');
    assert.equal(f?.line, 8);
    assert.match(f?.message ?? '', /50\.0 MB, over the 4 MB/);
  });

  it('a YAML file whose parse error is on a template line is skipped with a note, not yaml-invalid', async () => {
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({
        'inventory/group_vars/all.yml':
          'relay_port: 8080\n{% if relay_tls %}\nrelay_scheme: https\n{% endif %}\n',
      }),
    });
    assert.deepEqual(byRule(res.report, 'yaml-invalid'), []);
    assert.ok(res.report.notes.some((n) => /Jinja or Go template/.test(n.message)));
  });
});

describe('not-deployed paths', () => {
  const pod =
    'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers: [{ name: c, image: "busybox:latest" }]\n';
  it('image findings under hack/ and tests/ are info; elsewhere they keep their severity', async () => {
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'hack/pod.yaml': pod, 'apps/tests/pod.yaml': pod, 'apps/pod.yaml': pod }),
    });
    const sev = Object.fromEntries(byRule(res.report, 'image-mutable-tag').map((f) => [f.file, f.severity]));
    assert.deepEqual(sev, {
      'apps/pod.yaml': 'warning',
      'apps/tests/pod.yaml': 'info',
      'hack/pod.yaml': 'info',
    });
  });

  it('notDeployedPaths in .alertpath.yaml replaces the list', async () => {
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({
        '.alertpath.yaml': 'notDeployedPaths: ["sandbox/**"]\n',
        'hack/pod.yaml': pod,
        'sandbox/pod.yaml': pod,
      }),
    });
    const sev = Object.fromEntries(byRule(res.report, 'image-mutable-tag').map((f) => [f.file, f.severity]));
    assert.deepEqual(sev, { 'hack/pod.yaml': 'warning', 'sandbox/pod.yaml': 'info' });
  });
});

describe('SOPS', () => {
  it('an encrypted HelmRelease with Alertmanager values: input-encrypted, and no deadman claim from it', async () => {
    const hr = `${helmRelease('kube-prometheus-stack', 'alertmanager:\n  config: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\n')}sops:
  age: [{ recipient: age1xyz, enc: "x" }]
  lastmodified: "2025-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]
  encrypted_regex: ^(config)$
  version: 3.9.0
`;
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.sops.yaml': hr }) });
    const [f] = byRule(res.report, 'input-encrypted');
    assert.equal(f?.file, 'hr.sops.yaml');
    assert.equal(f?.severity, 'warning');
    assert.match(f?.message ?? '', /sops -d hr\.sops\.yaml \| alertpath audit -/);
    assert.deepEqual(
      res.report.findings.filter((x) => x.rule.startsWith('deadman-') || x.rule.startsWith('alert-path-')),
      [],
    );
  });
});

describe('kustomize overlays (--render)', () => {
  const fixture = (v: string) => join(AUDIT_FIXTURES, 'real', 'kustomize-overlay', v);
  const hasTool = ['kustomize', 'kubectl'].some((bin) =>
    (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, bin))),
  );

  it('--render=off reports on the base as written', async () => {
    const res = await auditJson(['--fail-on', 'never', '--render', 'off', '.'], { cwd: fixture('negative') });
    const [f] = byRule(res.report, 'alert-path-single-replica');
    assert.equal(f?.file, 'apps/alerting/relay/base/deployment.yaml');
    assert.equal(f?.severity, 'error');
  });

  it('--render=kustomize builds the overlay with kustomize or kubectl kustomize', {
    skip: hasTool ? false : 'SKIPPED LOUDLY: neither kustomize nor kubectl on PATH',
  }, async () => {
    const good = await auditJson(['--fail-on', 'never', '--render', 'kustomize', '.'], {
      cwd: fixture('negative'),
    });
    assert.deepEqual(good.report.findings, []);
    assert.ok(
      good.report.notes.some((n) => /rendered with (kustomize build|kubectl kustomize)/.test(n.message)),
    );
    // a build that fails falls back to the native rendering, with a note
    const bad = await auditJson(['--fail-on', 'never', '--render', 'kustomize', '.'], {
      cwd: fixture('positive'),
    });
    assert.ok(bad.report.notes.some((n) => /kustomize build failed/.test(n.message)));
    assert.ok(byRule(bad.report, 'alert-path-no-pdb').every((f) => f.severity === 'info'));
  });

  it('--render with another value is a usage error', async () => {
    const res = await runCli(['audit', '--render', 'helm', '.'], { cwd: fixture('negative') });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /--render must be auto, kustomize or off/);
  });
});

describe('more of where the config lives', () => {
  it('an ExternalSecret whose alertmanager.yaml comes whole from the store: input-unreadable at the entry', async () => {
    const es = `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: { name: alertmanager-main, namespace: monitoring }
spec:
  secretStoreRef: { kind: ClusterSecretStore, name: vault }
  target: { name: alertmanager-main }
  data:
    - secretKey: alertmanager.yaml
      remoteRef: { key: monitoring/alertmanager }
`;
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'es.yaml': es }) });
    const [f] = byRule(res.report, 'input-unreadable');
    assert.equal(f?.line, 8);
    assert.match(f?.message ?? '', /comes whole from the secret store/);
  });

  it('kube-prometheus-stack with alertmanagerConfiguration: that AlertmanagerConfig is the global config', async () => {
    const hr = helmRelease(
      'kube-prometheus-stack',
      'alertmanager:\n  alertmanagerSpec:\n    replicas: 2\n    alertmanagerConfiguration:\n      name: global-config\n',
    );
    const crd = `apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata: { name: global-config, namespace: monitoring }
spec:
  route:
    receiver: "null"
    routes:
      - matchers: [{ name: alertname, value: Watchdog }]
        receiver: "null"
  receivers:
    - name: "null"
`;
    const res = await auditJson(['--fail-on', 'never', '.'], {
      cwd: repo({ 'hr.yaml': hr, 'amc.yaml': crd }),
    });
    const found = byRule(res.report, 'deadman-to-null');
    assert.deepEqual(
      found.map((f) => [f.file, f.line]),
      [['amc.yaml', 9]],
      'the chart default is not assumed, the CRD is the main config',
    );
  });

  it('useExistingSecret: the chart default is not assumed, a note says where the config is', async () => {
    const hr = helmRelease(
      'kube-prometheus-stack',
      'alertmanager:\n  alertmanagerSpec:\n    useExistingSecret: true\n    configSecret: am-config\n',
    );
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr }) });
    assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
    assert.ok(res.report.notes.some((n) => /existing Secret am-config/.test(n.message)));
  });

  it('configSecret without useExistingSecret: the operator reads that Secret, so the chart default is not assumed', async () => {
    const hr = helmRelease(
      'kube-prometheus-stack',
      'alertmanager:\n  alertmanagerSpec:\n    replicas: 2\n    configSecret: am-config\n',
    );
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'hr.yaml': hr }) });
    assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
    assert.ok(res.report.notes.some((n) => /existing Secret am-config/.test(n.message)));
    // The Secret is not in the tree (made by hand): its routes went unread, and that is said.
    const unread = byRule(res.report, 'input-unreadable');
    assert.equal(unread.length, 1);
    assert.match(unread[0]?.message ?? '', /Secret am-config, which is not in the audited tree/);
  });

  it('an Application of an umbrella chart in the repository named like its dependency reads the umbrella, not the chart default', async () => {
    // The layout of a real homelab repository: an Application per component with `path:` into
    // the repository and `valueFiles: [values.yaml]`, an umbrella chart called
    // kube-prometheus-stack whose values point Alertmanager at a Secret kept beside it.
    const files = {
      'monitoring/application.yaml': `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: kube-prometheus-stack, namespace: argocd }
spec:
  source:
    repoURL: https://git.example.net/lab/k8s.git
    path: monitoring/kube-prometheus-stack
    helm:
      valueFiles: [values.yaml]
  destination: { namespace: monitoring }
`,
      'monitoring/kube-prometheus-stack/Chart.yaml': `apiVersion: v2
name: kube-prometheus-stack
version: 1.0.0
dependencies:
  - name: kube-prometheus-stack
    version: 65.1.1
    repository: https://prometheus-community.github.io/helm-charts
`,
      'monitoring/kube-prometheus-stack/values.yaml': `kube-prometheus-stack:
  alertmanager:
    alertmanagerSpec:
      replicas: 2
      podAntiAffinity: soft
      priorityClassName: system-cluster-critical
      configSecret: alertmanager-lab
    podDisruptionBudget: { enabled: true, minAvailable: 1 }
`,
      'monitoring/alertmanager-config.yaml': `apiVersion: v1
kind: Secret
metadata: { name: alertmanager-lab, namespace: monitoring }
stringData:
  alertmanager.yaml: |
    route:
      receiver: discord
      routes:
        - matchers: [alertname = "Watchdog"]
          receiver: deadman
          repeat_interval: 1m
    receivers:
      - name: discord
        webhook_configs: [{ url: "http://alertpath-relay.monitoring.svc:9095/webhook" }]
      - name: deadman
        webhook_configs: [{ url: "https://watch.example.net/ping/abc", send_resolved: false }]
`,
    };
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo(files) });
    const deadman = res.report.findings.filter((f) => f.rule.startsWith('deadman-'));
    assert.deepEqual(deadman, [], JSON.stringify(deadman));
    assert.deepEqual(byRule(res.report, 'alert-path-single-replica'), []);
    assert.deepEqual(byRule(res.report, 'alert-path-no-pdb'), []);
    assert.deepEqual(byRule(res.report, 'input-unreadable'), [], 'the config Secret is in the tree');
  });

  it('Argo CD sources[]: each helm source is read; valueFiles are noted', async () => {
    const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: monitoring, namespace: argocd }
spec:
  destination: { namespace: monitoring }
  sources:
    - repoURL: https://prometheus-community.github.io/helm-charts
      chart: alertmanager
      targetRevision: 1.13.1
      helm:
        valueFiles: [$values/monitoring/alertmanager.yaml]
        valuesObject:
          replicaCount: 2
          podAntiAffinity: soft
          priorityClassName: high
          podDisruptionBudget: { minAvailable: 1 }
    - repoURL: https://github.com/example/home-ops.git
      targetRevision: main
      ref: values
`;
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo({ 'app.yaml': app }) });
    assert.ok(res.report.notes.some((n) => /valueFiles/.test(n.message)));
    // The value file may set the config: the chart's default (Watchdog → "null") is not assumed,
    // and "not read" is said as input-unreadable, so no finding never means "read and fine".
    assert.deepEqual(byRule(res.report, 'deadman-to-null'), []);
    const unread = byRule(res.report, 'input-unreadable');
    assert.equal(unread.length, 1);
    assert.match(unread[0]?.message ?? '', /helm\.valueFiles.*chart's default config is not assumed/);
    assert.deepEqual(byRule(res.report, 'alert-path-single-replica'), []);
  });
});

describe('a HelmRelease of an umbrella chart kept in the repository', () => {
  it("its values are read under each dependency's key", async () => {
    const hr = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: monitoring, namespace: monitoring }
spec:
  chart:
    spec:
      chart: ./charts/monitoring
      sourceRef: { kind: GitRepository, name: home-ops, namespace: flux-system }
  values:
    stack:
      alertmanager:
        config:
          route:
            receiver: "null"
          receivers:
            - name: "null"
`;
    const dir = repo({
      'clusters/home/monitoring.yaml': hr,
      'charts/monitoring/Chart.yaml':
        'apiVersion: v2\nname: monitoring\nversion: 1.0.0\ndependencies:\n  - name: kube-prometheus-stack\n    alias: stack\n    version: 66.2.1\n    repository: https://prometheus-community.github.io/helm-charts\n',
      'charts/monitoring/values.yaml': 'stack:\n  alertmanager:\n    alertmanagerSpec:\n      replicas: 2\n',
    });
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: dir });
    const release = res.report.findings.filter((f) => f.file === 'clusters/home/monitoring.yaml');
    const [f] = release.filter((x) => x.rule === 'deadman-to-null');
    assert.equal(f?.line, lineOfText(hr, 'receiver: "null"'));
    assert.deepEqual(
      release.filter((x) => x.rule === 'alert-path-single-replica'),
      [],
      "the chart's values.yaml (replicas: 2) is under the release's values",
    );
  });
});

describe('a vendored chart with many config-shaped templates', () => {
  it('is one input-unreadable for its templates/ folder, counting them', async () => {
    const files: Record<string, string> = {
      'charts/kps/Chart.yaml': 'apiVersion: v2\nname: kps\nversion: 1.0.0\n',
    };
    for (let i = 0; i < 5; i++)
      files[`charts/kps/templates/rules/r${i}.yaml`] =
        `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: {{ .Release.Name }}-${i}\n`;
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: repo(files) });
    const found = byRule(res.report, 'input-unreadable');
    assert.equal(found.length, 1);
    assert.match(found[0]?.message ?? '', /charts\/kps\/templates\/ holds 5 templates/);
    assert.deepEqual(byRule(res.report, 'yaml-invalid'), []);
  });
});
