import { configSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

export const deadmanRuleMissing: Rule = {
  id: 'deadman-rule-missing',
  severity: 'warning',
  summary: 'Alertmanager config is present, but no Prometheus rule defines the deadman alert.',
  rationale:
    'Routing the deadman alert is useless if nothing fires it. Without an always-firing rule (expr: vector(1)), the external observer never hears anything, or only hears the routes being tested.',
  remediation:
    'add a Prometheus rule `alert: Watchdog` with `expr: vector(1)` (kube-prometheus-stack ships one in defaultRules).',
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
