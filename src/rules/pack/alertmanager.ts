import type { RuleGroup } from '../model.js';

export const alertmanager: RuleGroup = {
  name: 'alertmanager',
  summary:
    'Alertmanager itself: integrations that fail, a cluster that lost peers, a config that did not load',
  rules: [
    {
      alert: 'AlertmanagerNotificationsFailing',
      expr: 'sum without (reason) (rate(alertmanager_notifications_failed_total{$[alertmanager.selector]}[5m])) > 0',
      for: '$[alertmanager.failingFor]',
      severity: 'critical',
      summary: 'Alertmanager fails to send notifications through {{ $labels.integration }}.',
      description:
        'Alertmanager {{ $labels.instance }} has been failing to deliver notifications through its {{ $labels.integration }} integration for $[alertmanager.failingFor]: those alerts reach nobody. Read its log (msg="Notify for alerts failed" names the receiver and the error), then check the receiver: its URL or credentials, the relay behind it (alertpath relay answers 503 while Discord is unreachable), and egress from the cluster.',
      why: 'A notification Alertmanager cannot deliver is only retried and logged; without this alert a broken receiver is as silent as a quiet night.',
    },
    {
      alert: 'AlertmanagerClusterDegraded',
      expr: [
        'max_over_time(alertmanager_cluster_members{$[alertmanager.selector]}[5m]) < $[alertmanager.expectedMembers]',
        'or',
        'max_over_time(alertmanager_cluster_members{$[alertmanager.selector]}[5m])',
        '  < on (job) group_left ()',
        '  count by (job) (max_over_time(alertmanager_cluster_members{$[alertmanager.selector]}[5m]))',
      ].join('\n'),
      for: '$[alertmanager.degradedFor]',
      severity: 'warning',
      summary: 'Alertmanager {{ $labels.instance }} sees fewer cluster peers than expected.',
      description:
        'Alertmanager {{ $labels.instance }} sees {{ $value }} cluster member(s), fewer than the $[alertmanager.expectedMembers] expected or than its job runs. A lone Alertmanager is a single point of failure, and split peers send duplicate notifications and lose silences. Check that every replica runs and that the peers reach each other on the cluster port (9094, TCP and UDP): `amtool cluster show`. If fewer replicas are intended, set alertmanager.expectedMembers.',
      why: 'High availability that quietly shrank to one replica is found only on the day that replica dies.',
    },
    {
      alert: 'AlertmanagerConfigReloadFailed',
      expr: 'max_over_time(alertmanager_config_last_reload_successful{$[alertmanager.selector]}[5m]) == 0',
      for: '$[alertmanager.reloadFailedFor]',
      severity: 'warning',
      summary: 'Alertmanager {{ $labels.instance }} could not load its configuration.',
      description:
        'Alertmanager {{ $labels.instance }} failed to reload its configuration and still runs the previous one, so recent routing changes are not in force. Its log says why; check the file with `amtool check-config`, and run `alertpath audit` on the repository that deploys it.',
      why: 'A rejected config leaves the old routing running with no visible error: a receiver you fixed stays broken.',
    },
  ],
};
