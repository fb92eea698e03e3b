import { configSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

export const deadmanSendResolved: Rule = {
  id: 'deadman-send-resolved',
  severity: 'warning',
  summary: "The deadman's webhook receiver sends resolved notifications (the webhook default).",
  rationale:
    'When the deadman alert stops firing, Alertmanager sends a "resolved" notification. A deadman service such as Healthchecks counts any request as a ping, so the resolved message is taken for a sign of life at exactly the moment alerting died.',
  remediation: 'set send_resolved: false on the webhook_config that receives the deadman alert.',
  check({ deadman }) {
    const out: RuleFinding[] = [];
    const seen = new Set<object>();
    for (const r of deadman.routings) {
      for (const m of r.matches) {
        for (const integration of m.receiver?.integrations ?? []) {
          if (integration.type !== 'webhook' || integration.sendResolved === false) continue;
          if (seen.has(integration)) continue;
          seen.add(integration);
          const how =
            integration.sendResolved === true
              ? 'send_resolved: true'
              : 'send_resolved unset (true by default)';
          out.push({
            message: `${r.alert} goes to receiver "${m.receiver?.name}" whose webhook has ${how}: a resolved ${r.alert} would count as a sign of life.`,
            location: integration.sendResolvedLocation ?? integration.location,
            ...configSubject(r.config),
          });
        }
      }
    }
    return out;
  },
};
