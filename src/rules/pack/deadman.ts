import type { RuleGroup } from '../model.js';

export const deadman: RuleGroup = {
  name: 'deadman',
  summary: 'the always-firing deadman alert an external observer listens for',
  rules: [
    {
      alert: 'Watchdog',
      expr: 'vector(1)',
      severity: 'none',
      summary: 'An alert that should always be firing to certify that Alertmanager is working properly.',
      description:
        'This alert fires all the time, on purpose, to prove that the whole alerting pipeline works. Route it to an external deadman (alertpath watch, or Healthchecks.io, through the relay heartbeat or a webhook receiver) with a short repeat_interval: the deadman pages when the notifications stop. Never route it to a null receiver.',
      runbookUrl: 'https://runbooks.prometheus-operator.dev/runbooks/general/watchdog',
      why: 'Nothing inside the cluster can report that the cluster stopped alerting; only the absence of this alert at an outside observer can.',
    },
  ],
};
