import type { RuleGroup } from '../model.js';

export const relay: RuleGroup = {
  name: 'relay',
  summary: 'alertpath relay (Alertmanager → Discord): failed deliveries, rate limits, replicas, heartbeat',
  rules: [
    {
      alert: 'AlertpathRelayDeliveryFailing',
      expr: 'sum without (outcome) (rate(alertpath_relay_notifications_total{outcome=~"unavailable|rejected",$[relay.selector]}[5m])) > 0',
      for: '$[relay.failingFor]',
      severity: 'critical',
      summary: 'alertpath relay cannot deliver route {{ $labels.route }} to Discord.',
      description:
        'The relay {{ $labels.instance }} has answered Alertmanager with 503 (Discord unreachable, 5xx or rate limited past the deadline) or 502 (Discord refused the webhook) on route {{ $labels.route }} for $[relay.failingFor]. Alertmanager retries the 503s, but nothing reaches the channel meanwhile. Read the relay log for the Discord status; a 502 means the webhook URL was deleted or is wrong (the failureReport URL has been told). Route this alert to a receiver that does not go through the relay.',
      why: 'When the relay cannot post, the alerts about everything else are stuck behind it; this one must travel another way.',
    },
    {
      alert: 'AlertpathRelayRateLimited',
      expr: 'rate(alertpath_relay_discord_rate_limited_total{$[relay.selector]}[5m]) > 0',
      for: '$[relay.rateLimitedFor]',
      severity: 'warning',
      summary: 'Discord has been rate limiting route {{ $labels.route }} for $[relay.rateLimitedFor].',
      description:
        'The relay {{ $labels.instance }} keeps receiving 429 answers from Discord on route {{ $labels.route }}, so notifications wait and may miss their deadline (503, retried by Alertmanager). Something is flooding the channel: raise group_interval or group_by in Alertmanager, fix the flapping alert, or give noisy alerts their own route and webhook (each webhook has its own bucket).',
      why: 'Sustained 429s turn into late pages; the cause is usually one noisy alert that should be grouped or fixed.',
    },
    {
      alert: 'AlertpathRelayReplicasLow',
      expr: 'kube_deployment_status_replicas_available{deployment="$[relay.deployment]"} < $[relay.minReplicas]',
      for: '$[relay.replicasLowFor]',
      severity: 'warning',
      summary: 'The relay runs with {{ $value }} available replica(s), fewer than $[relay.minReplicas].',
      description:
        'Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has had only {{ $value }} available replica(s) for $[relay.replicasLowFor]: one more lost node and nothing delivers alerts. See why the others are not ready: `kubectl -n {{ $labels.namespace }} get pods -l app.kubernetes.io/name={{ $labels.deployment }} -o wide` and `kubectl -n {{ $labels.namespace }} describe deployment {{ $labels.deployment }}` (image pull, scheduling, anti-affinity, PodDisruptionBudget).',
      why: 'The incident this pack grew from: a one-replica proxy died with its node and every page failed for nine hours.',
    },
    {
      alert: 'AlertpathRelayHeartbeatFailing',
      expr: 'rate(alertpath_relay_heartbeat_failures_total{$[relay.selector]}[5m]) > 0',
      for: '$[relay.heartbeatFailingFor]',
      severity: 'warning',
      summary: 'The relay cannot ping the external deadman (route {{ $labels.route }}).',
      description:
        'The relay {{ $labels.instance }} has been failing to forward Watchdog to the heartbeat URL on route {{ $labels.route }} for $[relay.heartbeatFailingFor]; the external deadman will soon page that the alert path is down. Check egress from the cluster to the deadman, its URL (heartbeat.url or urlFile) and that the check still exists; the relay log shows the answer.',
      why: 'Tells you, from inside, why the outside deadman is about to page: the path to it broke, not necessarily Alertmanager.',
    },
  ],
};
