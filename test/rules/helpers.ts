import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findBinary, repoRoot } from '../helpers/cli.js';

/** The rendered files committed under deploy/rules/, by format. */
export const DEPLOYED = {
  rules: 'deploy/rules/alertpath.rules.yaml',
  prometheusrule: 'deploy/rules/prometheusrule.yaml',
  'kps-values': 'deploy/rules/kps-values.yaml',
} as const;

export const promtool = findBinary('promtool');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `alertpath-rules-${prefix}-`));
}

export function runPromtool(args: string[], cwd?: string): { code: number | null; output: string } {
  const r = spawnSync(promtool ?? 'promtool', args, { encoding: 'utf8', cwd, timeout: 120_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

export interface RuleFileRule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleFileGroup {
  name: string;
  rules: RuleFileRule[];
}

/** The rule groups of any of the three formats. */
export function groupsOf(text: string): RuleFileGroup[] {
  const doc = parse(text) as Record<string, unknown>;
  if (doc.kind === 'PrometheusRule') return (doc.spec as { groups: RuleFileGroup[] }).groups;
  if ('additionalPrometheusRulesMap' in doc)
    return (
      (doc.additionalPrometheusRulesMap as Record<string, { groups: RuleFileGroup[] }>).alertpath?.groups ??
      []
    );
  return (doc as { groups: RuleFileGroup[] }).groups;
}

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/**
 * The annotations Prometheus would give an alert of `rule` with these labels: the pack's
 * templates use only `{{ $labels.NAME }}` and `{{ $value }}`, and anything else fails here, so
 * that promtool (which compares annotations exactly) checks this expansion against Go's.
 */
export function expandAnnotations(
  rule: RuleFileRule,
  labels: Record<string, string>,
  value: number | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, template] of Object.entries(rule.annotations ?? {})) {
    out[k] = template.replace(/\{\{(.*?)\}\}/g, (whole, inner: string) => {
      const expr = inner.trim();
      const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
      if (label) return labels[label[1] as string] ?? '';
      if (expr === '$value') {
        if (value === undefined)
          throw new Error(`${rule.alert}: its ${k} prints {{ $value }}; give the expected alert an x-value`);
        return String(value);
      }
      throw new Error(`${rule.alert}: template ${whole} is beyond what the test harness expands`);
    });
  }
  return out;
}
