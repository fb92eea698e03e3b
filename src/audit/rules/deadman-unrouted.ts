import { configSubject } from './helpers.js';
import type { Rule } from './types.js';

export const deadmanUnrouted: Rule = {
  id: 'deadman-unrouted',
  severity: 'warning',
  summary: 'The deadman alert has no route of its own and lands in the default receiver.',
  rationale:
    'Without a route of its own, the always-firing deadman alert goes to the default receiver: it spams a chat channel every repeat_interval, and it reaches no external observer that would page when it stops.',
  remediation:
    'add a route with matchers: [alertname="Watchdog"] that sends it to an external deadman receiver, first among the routes.',
  check({ deadman }) {
    return deadman.routings
      .filter((r) => r.unrouted)
      .map((r) => {
        const root = r.matches[0]?.match.route;
        return {
          message: `${r.alert} has no route of its own: it lands in the default receiver${
            root?.receiver ? ` "${root.receiver}"` : ''
          } with every other alert.`,
          location: root?.location ?? r.config.location,
          ...configSubject(r.config),
        };
      });
  },
};
