import { configSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

export const deadmanRuleMissing: Rule = {
  id: 'deadman-rule-missing',
  severity: 'warning',
  summary: 'Alertmanager config is present, but no Prometheus rule defines the deadman alert.',
  rationale:
    'Routing the deadman alert is useless if nothing fires it. Without an always-firing rule (expr: vector(1)), the external observer never hears anything, or only hears the routes being tested.',
  remediation:
    "deploy alertpath's rule pack, whose deadman group defines Watchdog (expr: vector(1)): `alertpath rules > alertpath.rules.yaml` for a Prometheus rule file, `alertpath rules --format prometheusrule` for the Prometheus operator, or `alertpath rules --format kps-values` to merge into kube-prometheus-stack values (add `--select deadman` for Watchdog alone). kube-prometheus-stack's defaultRules define it too, unless defaultRules.create or defaultRules.rules.general is false.",
  check({ model, deadman, deadmanAlerts }) {
    if (model.alertmanagerConfigs.length === 0) return [];
    const config = model.alertmanagerConfigs.find((c) => !c.namespaceScoped) ?? model.alertmanagerConfigs[0];
    if (!config) return [];
    const out: RuleFinding[] = [];
    for (const alert of deadmanAlerts) {
      if (deadman.definedAlerts.has(alert)) continue;
      out.push({
        message: `no Prometheus rule defines ${alert}, so the deadman route never carries anything.`,
        location: config.location,
        ...configSubject(config),
      });
    }
    return out;
  },
};
