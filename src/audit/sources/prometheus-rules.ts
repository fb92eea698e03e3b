import type { Node } from 'yaml';
import type { Model, RuleGroup, Subject } from '../model.js';
import type { YamlDoc } from './yaml.js';

/** Prometheus rule groups: rule files, PrometheusRule `spec`, kube-prometheus-stack values. */

export function looksLikeRuleFile(y: YamlDoc, node: Node | undefined): boolean {
  const groups = y.get(node, 'groups');
  if (!y.isSeq(groups)) return false;
  return y.items(groups).some((g) => y.isSeq(y.get(g, 'rules')));
}

export function readRuleGroups(
  y: YamlDoc,
  groupsNode: Node | undefined,
  subject: Subject,
  model: Model,
): void {
  for (const g of y.items(groupsNode)) {
    const group: RuleGroup = {
      name: y.str(y.get(g, 'name')) ?? '(unnamed)',
      location: y.at(g),
      alerts: [],
      ignore: subject.ignore,
    };
    if (subject.object) group.object = subject.object;
    for (const r of y.items(y.get(g, 'rules'))) {
      const alertNode = y.get(r, 'alert');
      const alert = y.str(alertNode);
      if (alert === undefined) continue;
      group.alerts.push({ alert, labels: y.stringMap(y.get(r, 'labels')), location: y.at(alertNode) });
    }
    model.ruleGroups.push(group);
  }
}
