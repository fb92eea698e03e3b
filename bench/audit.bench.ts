import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { defaultAuditConfig } from '../src/audit/config.js';
import { runAudit } from '../src/audit/index.js';
import { renderReport } from '../src/audit/report/index.js';

/**
 * `alertpath audit` over 10 000 manifests (~50 MB): the time the `yaml` library alone takes to
 * read and parse them, against a full audit (discovery, parsing with positions, alert-path
 * discovery, every rule, the JSON report). Goal: the audit within 2× the parse alone.
 */
const FILES = 10_000;

function manifest(i: number): string {
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

  const t0 = performance.now();
  let docs = 0;
  for (const f of files) docs += (parseAllDocuments(readFileSync(f, 'utf8')) as unknown[]).length;
  const parseMs = performance.now() - t0;

  const t1 = performance.now();
  const result = await runAudit({
    paths: ['.'],
    cwd: dir,
    config: defaultAuditConfig(),
    readStdin: async () => Buffer.alloc(0),
  });
  const report = renderReport(result, 'json', { color: false, version: 'bench' });
  const auditMs = performance.now() - t1;
  rmSync(dir, { recursive: true, force: true });

  process.stdout.write(
    [
      `audit of ${files.length} manifests (${docs} documents, ${(bytes / 1024 / 1024).toFixed(1)} MB):`,
      `  yaml library alone (read + parseAllDocuments): ${(parseMs / 1000).toFixed(2)} s`,
      `  full audit (${result.findings.length} findings, ${(report.length / 1024 / 1024).toFixed(1)} MB JSON report): ${(auditMs / 1000).toFixed(2)} s`,
      `  ratio ${(auditMs / parseMs).toFixed(2)}× (goal ≤ 2×)`,
      '',
    ].join('\n'),
  );
}
