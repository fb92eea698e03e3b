import { chartDefault, configSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

export const deadmanToNull: Rule = {
  id: 'deadman-to-null',
  severity: 'error',
  summary: 'The deadman alert is routed to a receiver with no integrations.',
  rationale:
    'The deadman alert (Watchdog) fires all the time so that something outside the cluster can notice when it stops. Routed to a receiver with no integrations ("null"), it is discarded: when alerting breaks, nobody finds out.',
  remediation:
    'route Watchdog to a webhook_config whose URL is an external deadman (for example alertpath watch), with send_resolved: false.',
  check({ deadman }) {
    const out: RuleFinding[] = [];
    for (const r of deadman.routings) {
      if (r.delivered) continue;
      for (const m of r.matches) {
        const name = m.match.receiver;
        const why =
          name === undefined
            ? 'no receiver'
            : m.receiver === undefined
              ? `receiver "${name}", which is not defined`
              : `receiver "${name}", which has no integrations`;
        out.push({
          message: `${r.alert} is routed to ${why}${chartDefault(r.config)}: nothing outside the cluster notices when alerting stops.`,
          location: m.match.route.receiverLocation ?? m.match.route.location,
          ...configSubject(r.config),
        });
      }
    }
    return out;
  },
};
