import { usageError } from '../lib/errors.js';
import { discoverAlertPath } from './alert-path.js';
import type { AuditConfig } from './config.js';
import { analyseDeadman } from './deadman.js';
import { discoverInputs } from './discover.js';
import type { Location, Model, Note, ObjectRef, Severity, SeverityOrOff } from './model.js';
import { emptyModel } from './model.js';
import { applyOverlays, renderWithKustomize, key as workloadKey } from './overlays.js';
import type { RegistryOptions } from './registry/index.js';
import { registryFindings, type VerifyImages } from './registry-pass.js';
import { findRule, RULES, type RuleFinding } from './rules/index.js';
import { readSource } from './sources/index.js';

/**
 * `alertpath audit`: inputs → model (sources) → alert-path discovery → rules → findings.
 * The optional registry pass runs after the static rules.
 */

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  remediation: string;
  location: Location;
  object?: ObjectRef;
}

export interface AuditSummary {
  errors: number;
  warnings: number;
  info: number;
  files: number;
  seconds: number;
}

export interface AuditResult {
  findings: Finding[];
  notes: Note[];
  summary: AuditSummary;
}

export interface RunAuditOptions {
  paths: string[];
  cwd: string;
  config: AuditConfig;
  /** `--rule ID=LEVEL`, which win over the config file. */
  ruleOverrides?: Record<string, SeverityOrOff>;
  readStdin: () => Promise<Buffer>;
  registry?: { verify: VerifyImages; options: RegistryOptions };
  /**
   * `--render`: kustomize overlays applied natively (auto, the default), rendered by
   * `kustomize build` / `kubectl kustomize` (kustomize), or not at all (off).
   */
  render?: 'auto' | 'kustomize' | 'off';
  /** Monotonic milliseconds, for the summary's duration. */
  now?: () => number;
}

export async function runAudit(options: RunAuditOptions): Promise<AuditResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const model = emptyModel();
  const inputs = discoverInputs(options.paths, {
    cwd: options.cwd,
    ignorePaths: options.config.ignorePaths,
    ...(options.config.notDeployedPaths ? { notDeployedPaths: options.config.notDeployedPaths } : {}),
    ...(options.config.file ? { configFile: options.config.file } : {}),
    readStdin: options.readStdin,
    notes: model.notes,
  });
  for await (const input of inputs) readSource(input, model);
  resolveDeferred(model);
  const render = options.render ?? 'auto';
  if (render === 'kustomize') renderWithKustomize(model, options.cwd);
  if (render !== 'off') applyOverlays(model);
  if (model.files === 0) {
    const skipped =
      model.notes.length > 0
        ? ` (${model.notes.length} skipped: ${model.notes[0]?.file} ${model.notes[0]?.message})`
        : '';
    throw usageError(
      `no readable input in ${options.paths.join(' ')}: no YAML, Dockerfile or compose file${skipped}`,
    );
  }
  const severities = { ...options.config.rules, ...(options.ruleOverrides ?? {}) };
  const findings = auditModel(model, {
    deadmanAlerts: options.config.deadmanAlerts,
    alertPath: options.config.alertPath,
    severities,
  });
  if (options.registry) {
    const extra = await registryFindings(model, options.registry.verify, options.registry.options);
    for (const f of extra) {
      const finding = toFinding(f.rule, f, severities);
      if (finding) findings.push(capNotDeployed(model, finding));
    }
  }
  const sorted = dedupe(findings).sort(compareFindings);
  return {
    findings: sorted,
    notes: model.notes,
    summary: {
      errors: sorted.filter((f) => f.severity === 'error').length,
      warnings: sorted.filter((f) => f.severity === 'warning').length,
      info: sorted.filter((f) => f.severity === 'info').length,
      files: model.files,
      seconds: (now() - started) / 1000,
    },
  };
}

export interface ModelAuditOptions {
  deadmanAlerts: readonly string[];
  alertPath?: AuditConfig['alertPath'];
  severities?: Record<string, SeverityOrOff>;
}

/** Work that needed every input read (HelmRelease valuesFrom, chartRef, templateFrom). */
export function resolveDeferred(model: Model): void {
  // a deferred step may defer more; bounded so that nothing loops
  for (let round = 0; round < 4 && model.deferred.length > 0; round++) {
    const steps = model.deferred.splice(0);
    for (const step of steps) step();
  }
}

/** Rules whose findings are at most info on a not-deployed path (hack/, tests/, CI). */
const NOT_DEPLOYED_CAPPED = new Set([
  'runtime-install',
  'image-mutable-tag',
  'image-unpinned',
  'image-missing',
  'image-unverified',
]);

/** Alert-path discovery and every enabled rule over a model. */
export function auditModel(model: Model, options: ModelAuditOptions): Finding[] {
  discoverAlertPath(model, options.alertPath ?? []);
  const severities = options.severities ?? {};
  const deadman = analyseDeadman(model, options.deadmanAlerts);
  const out: Finding[] = [];
  for (const rule of RULES) {
    if (severities[rule.id] === 'off') continue;
    for (const f of rule.check({ model, deadmanAlerts: options.deadmanAlerts, deadman })) {
      const finding = toFinding(rule.id, f, severities);
      if (finding) out.push(capNotDeployed(model, finding));
    }
  }
  return out;
}

function capNotDeployed(model: Model, finding: Finding): Finding {
  const overlay = finding.object ? model.lowered.get(workloadKey({ object: finding.object })) : undefined;
  if (overlay !== undefined && finding.severity !== 'info')
    return {
      ...finding,
      severity: 'info',
      message: `${finding.message.replace(/\.$/, '')} (overlay ${overlay} patches it).`,
    };
  if (!NOT_DEPLOYED_CAPPED.has(finding.rule) || !model.notDeployed.has(finding.location.file)) return finding;
  return {
    ...finding,
    severity: 'info',
    message: `${finding.message.replace(/\.$/, '')} (in a path that is not deployed).`,
  };
}

function toFinding(
  ruleId: string,
  f: RuleFinding,
  severities: Record<string, SeverityOrOff>,
): Finding | undefined {
  const rule = findRule(ruleId);
  if (!rule) return undefined;
  const set = severities[ruleId];
  if (set === 'off') return undefined;
  if (f.ignore?.has(ruleId)) return undefined;
  const finding: Finding = {
    rule: ruleId,
    severity: set ?? f.severity ?? rule.severity,
    message: f.message,
    remediation: rule.remediation,
    location: f.location,
  };
  if (f.object) finding.object = f.object;
  return finding;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}\0${f.location.file}\0${f.location.line}\0${f.location.column}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : 0) ||
    a.location.line - b.location.line ||
    a.location.column - b.location.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}

const RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/** Exit code: 1 when a finding is at or above `failOn`, else 0. */
export function exitCodeFor(findings: readonly Finding[], failOn: Severity | 'never'): 0 | 1 {
  if (failOn === 'never') return 0;
  return findings.some((f) => RANK[f.severity] >= RANK[failOn]) ? 1 : 0;
}
