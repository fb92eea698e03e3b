import type { RuleGroup } from '../model.js';

const failed = 'alertpath_watch_notifications_total{outcome="failed",$[watch.selector]}';

export const watch: RuleGroup = {
  name: 'watch',
  summary: 'alertpath watch (the off-site observer), for a Prometheus that scrapes it',
  rules: [
    {
      alert: 'AlertpathWatchNotificationFailing',
      // The counter appears with its first failure, which increase() cannot see: the second arm
      // catches a series that is new within the window and already above zero.
      expr: [
        `increase(${failed}[$[watch.failedWindow]]) > 0`,
        'or',
        `(${failed} > 0 unless ${failed} offset $[watch.failedWindow])`,
      ].join('\n'),
      severity: 'critical',
      summary: 'alertpath watch could not deliver a notification through {{ $labels.channel }}.',
      description:
        'The observer {{ $labels.instance }} gave up on a notification through channel {{ $labels.channel }} within the last $[watch.failedWindow] (after its retries): someone was not paged. Look at the channel in the dashboard or `GET /api/v3/channels` and at the observer log for the answer (bad credentials, SMTP refused, webhook gone), fix it, then check which flips it missed.',
      why: 'A deadman that cannot reach anyone is the original failure in another form.',
    },
    {
      alert: 'AlertpathWatchChecksWithoutChannel',
      expr: 'alertpath_watch_checks_unrouted{$[watch.selector]} > 0',
      for: '$[watch.unroutedFor]',
      severity: 'warning',
      summary: '{{ $value }} alertpath watch check(s) page nobody.',
      description:
        'The observer {{ $labels.instance }} has {{ $value }} check(s) with no channel, or whose every channel failed permanently: when they go down, nobody hears. The API lists them with a warning (`GET /api/v3/checks/`, "channels": ""); give them channels, or set defaults.channels in the config.',
      why: 'A check that notifies no one is a deadman routed to null.',
    },
  ],
};
