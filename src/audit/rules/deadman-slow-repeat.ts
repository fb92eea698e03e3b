import { configSubject, duration } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

const LIMIT_MS = 15 * 60 * 1000;

export const deadmanSlowRepeat: Rule = {
  id: 'deadman-slow-repeat',
  severity: 'warning',
  summary: "The deadman route's effective repeat_interval is over 15 minutes.",
  rationale:
    "Alertmanager re-sends a firing alert only every repeat_interval (4h by default). The external observer's period must be longer than that, so a slow repeat means hours of silence before anyone is paged.",
  remediation:
    'set repeat_interval: 1m (at most 15m) on the deadman route, and the observer period to a few times that.',
  check({ deadman }) {
    const out: RuleFinding[] = [];
    for (const r of deadman.routings) {
      for (const m of r.matches) {
        if ((m.receiver?.integrations.length ?? 0) === 0) continue;
        if (m.match.repeatInterval <= LIMIT_MS) continue;
        const from = m.match.repeatIntervalFrom;
        const origin =
          from === undefined
            ? "Alertmanager's default"
            : from === m.match.route
              ? 'set on this route'
              : 'inherited from a parent route';
        out.push({
          message: `${r.alert} repeats only every ${duration(m.match.repeatInterval)} (${origin}): an observer cannot use a period shorter than that.`,
          location:
            (from === m.match.route ? from.repeatIntervalLocation : undefined) ?? m.match.route.location,
          ...configSubject(r.config),
        });
      }
    }
    return out;
  },
};
