import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { defaultAuditConfig } from '../src/audit/config.js';
import { runAudit } from '../src/audit/index.js';
import { renderReport } from '../src/audit/report/index.js';

/**
 * `alertpath audit` over 10 000 manifests (~50 MB; one in ten a Flux HelmRelease and one in ten an
 * Argo CD Application of kube-prometheus-stack, with large values): the time the `yaml` library alone takes to
 * read and parse them, against a full audit (discovery, parsing with positions, alert-path
 * discovery, every rule, the JSON report). Goal: the audit within 2× the parse alone.
 */
const FILES = 10_000;

/** kube-prometheus-stack-like values of some size: an Alertmanager config, rules, images. */
function chartValues(i: number): string {
  const routes = Array.from(
    { length: 30 },
    (_, r) =>
      `      - receiver: team-${r % 5}\n        matchers: ['team="t${r}"', 'severity=~"warning|critical"']\n        group_by: [alertname, namespace]`,
  ).join('\n');
  const receivers = Array.from(
    { length: 5 },
    (_, r) =>
      `    - name: team-${r}\n      webhook_configs:\n        - url: http://relay-${i}.team-${i % 50}.svc.cluster.local:9095/alert/${r}`,
  ).join('\n');
  const rules = Array.from(
    { length: 40 },
    (_, r) =>
      `        - alert: Rule${r}\n          expr: up{job="job-${r}"} == 0\n          for: 5m\n          labels: { severity: warning }\n          annotations: { summary: "job ${r} of release ${i} is down" }`,
  ).join('\n');
  return `alertmanager:
  alertmanagerSpec:
    replicas: ${1 + (i % 3)}
    priorityClassName: high
    podAntiAffinity: hard
    image: { registry: quay.io, repository: prometheus/alertmanager, tag: v0.28.1 }
  podDisruptionBudget: { enabled: true }
  config:
    route:
      receiver: team-0
      routes:
      - receiver: deadman
        matchers: ['alertname="Watchdog"']
        repeat_interval: 1m
${routes}
    receivers:
    - name: deadman
      webhook_configs: [{ url: "https://watch.example.net/ping/${i}", send_resolved: false }]
${receivers}
additionalPrometheusRulesMap:
  release-${i}:
    groups:
      - name: g${i}
        rules:
${rules}
grafana:
  enabled: false
prometheus:
  prometheusSpec:
    retention: 14d
    image: { registry: quay.io, repository: prometheus/prometheus, tag: v3.1.0 }
`;
}

function indentBy(text: string, by: number): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `${' '.repeat(by)}${l}`))
    .join('\n');
}

/** Every 10th manifest is a Flux HelmRelease, every 10th + 5 an Argo CD Application, with large values. */
function chartManifest(i: number): string {
  const ns = `team-${i % 50}`;
  if (i % 10 === 0)
    return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: kps-${i}
  namespace: ${ns}
spec:
  interval: 1h
  chart:
    spec:
      chart: kube-prometheus-stack
      version: 66.2.1
      sourceRef: { kind: HelmRepository, name: prometheus-community, namespace: flux-system }
  values:
${indentBy(chartValues(i), 4)}`;
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: kps-${i}
  namespace: argocd
spec:
  destination: { server: https://kubernetes.default.svc, namespace: ${ns} }
  source:
    repoURL: https://prometheus-community.github.io/helm-charts
    chart: kube-prometheus-stack
    targetRevision: 66.2.1
    helm:
      values: |
${indentBy(chartValues(i), 8)}`;
}

function manifest(i: number): string {
  if (i % 10 === 0 || i % 10 === 5) return chartManifest(i);
  const name = `svc-${i}`;
  const ns = `team-${i % 50}`;
  const script = Array.from(
    { length: 40 },
    (_, l) => `    echo "step ${l} of the start-up script for ${name}: checking configuration and state" >&2`,
  ).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels: { app: ${name}, tier: backend, team: team-${i % 50} }
  annotations:
    description: "generated for the audit benchmark, manifest number ${i}"
spec:
  replicas: ${1 + (i % 3)}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name}, tier: backend }
    spec:
      priorityClassName: ${i % 2 ? 'high' : 'normal'}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector: { matchLabels: { app: ${name} } }
      initContainers:
        - name: init
          image: registry.example.com/tools/init:1.${i % 20}.0
          command: ["sh", "-c", "test -f /config/app.yaml"]
      containers:
        - name: app
          image: ${i % 7 === 0 ? `registry:5000/app-${i}` : `ghcr.io/example/${name}:2.${i % 10}.1`}
          command: ["/scripts/start.sh"]
          args: ["--listen", "0.0.0.0:8080", "--log-level", "info"]
          env:
            - { name: NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
            - { name: MODE, value: production }
          resources:
            requests: { cpu: 50m, memory: 64Mi }
            limits: { memory: 256Mi }
          volumeMounts:
            - { name: scripts, mountPath: /scripts }
            - { name: config, mountPath: /config }
      volumes:
        - name: scripts
          configMap: { name: ${name}-scripts, defaultMode: 0755 }
        - name: config
          configMap: { name: ${name}-config }
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector: { app: ${name} }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  maxUnavailable: 1
  selector: { matchLabels: { app: ${name} } }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-scripts
  namespace: ${ns}
data:
  start.sh: |
    #!/bin/sh
    set -eu
${script}
    ${i % 13 === 0 ? 'pip install requests' : 'true'}
    exec /app/server "$@"
`;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `team-${i % 50}`);
    if (i < 50) mkdirSync(sub, { recursive: true });
    const text = manifest(i);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(sub, `svc-${i}.yaml`), text);
  }
  const files = walk(dir);
  // one warm-up pass over a few files for both, so neither pays the JIT alone
  for (const f of files.slice(0, 200)) parseAllDocuments(readFileSync(f, 'utf8'));

  // CPU time as well as wall time: on a shared machine, other processes stretch the wall clock
  const cpu = (since?: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let docs = 0;
  for (const f of files) docs += (parseAllDocuments(readFileSync(f, 'utf8')) as unknown[]).length;
  const parseMs = performance.now() - t0;
  const parseCpu = cpu(c0);

  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const result = await runAudit({
    paths: ['.'],
    cwd: dir,
    config: defaultAuditConfig(),
    readStdin: async () => Buffer.alloc(0),
  });
  const report = renderReport(result, 'json', { color: false, version: 'bench' });
  const auditMs = performance.now() - t1;
  const auditCpu = cpu(c1);
  rmSync(dir, { recursive: true, force: true });

  process.stdout.write(
    [
      `audit of ${files.length} manifests (${docs} documents, ${(bytes / 1024 / 1024).toFixed(1)} MB):`,
      `  yaml library alone (read + parseAllDocuments): ${(parseMs / 1000).toFixed(2)} s (CPU ${(parseCpu / 1000).toFixed(2)} s)`,
      `  full audit (${result.findings.length} findings, ${(report.length / 1024 / 1024).toFixed(1)} MB JSON report): ${(auditMs / 1000).toFixed(2)} s (CPU ${(auditCpu / 1000).toFixed(2)} s)`,
      `  ratio ${(auditMs / parseMs).toFixed(2)}× wall, ${(auditCpu / parseCpu).toFixed(2)}× CPU (goal ≤ 2×)`,
      '',
    ].join('\n'),
  );
}
