import type { Model } from '../model.js';
import type { SourceInput } from './index.js';

/**
 * Inputs that are templates, not YAML as deployed (Helm `templates/`, Ansible role `templates/`
 * and `*.j2`, helmfile `*.gotmpl`, Jsonnet): never parsed, never `yaml-invalid`. One that is
 * shaped like Alertmanager or rule config is `input-unreadable`, so that a clean run never hides
 * a config audit did not read.
 */

const SHAPES: Array<[RegExp, string]> = [
  [/^[ \t]*receivers[ \t]*:/m, 'Alertmanager config'],
  [/^[ \t]*"?receivers"?[ \t]*:/m, 'Alertmanager config'],
  [/\balertmanager\.ya?ml\b/, 'Alertmanager config'],
  [/^[ \t]*alertmanager[ \t]*:/m, 'Alertmanager chart values'],
  [/\bkind:[ \t]*(?:PrometheusRule|AlertmanagerConfig|Alertmanager)\b/, 'Prometheus operator config'],
  [/^[ \t]*-?[ \t]*"?alert"?[ \t]*:/m, 'Prometheus rules'],
  [/\b(?:prometheusAlerts|prometheusRules|alertmanagerConfig)\b/, 'Prometheus rules or Alertmanager config'],
];

export function readTemplateInput(input: SourceInput, model: Model): void {
  let first: { index: number; length: number; what: string } | undefined;
  for (const [re, what] of SHAPES) {
    const m = re.exec(input.text);
    if (m && (!first || m.index < first.index)) first = { index: m.index, length: m[0].length, what };
  }
  if (!first) return;
  const match = input.text.slice(first.index, first.index + first.length);
  const before = input.text.slice(0, first.index + (match.length - match.trimStart().length));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  const group = input.templateGroup;
  if (group) {
    const seen = groups.get(model);
    const entry = seen?.get(group);
    if (entry) {
      entry.count++;
      entry.finding.message = `${group}/ holds ${entry.count} templates that look like Alertmanager or rule config (the first: ${entry.first}); audit cannot read them as deployed. Audit the rendered output through stdin (helm template … | alertpath audit -).`;
      return;
    }
  }
  const finding = {
    location: { file: input.file, line, column },
    message: `${input.file} is ${input.template ?? 'a template'} that looks like ${first.what}; audit cannot read it as deployed. Audit the rendered output through stdin (helm template …, ansible … --check --diff, jsonnet … | alertpath audit -).`,
  };
  model.unreadable.push(finding);
  if (group) {
    const seen = groups.get(model) ?? new Map();
    seen.set(group, { count: 1, first: input.file, finding });
    groups.set(model, seen);
  }
}

/** Per model, per templates/ folder: the one finding that stands for the folder. */
const groups = new WeakMap<
  Model,
  Map<string, { count: number; first: string; finding: { message: string } }>
>();
