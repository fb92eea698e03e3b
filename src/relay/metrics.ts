import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type Outcome = 'delivered' | 'empty' | 'invalid' | 'unavailable' | 'rejected' | 'heartbeat' | 'busy';

export interface RelayMetrics {
  registry: Registry;
  notifications: Counter<'route' | 'outcome'>;
  discordRequests: Counter<'route' | 'code'>;
  rateLimited: Counter<'route'>;
  deliveryDuration: Histogram<'route'>;
  deduplicated: Counter<'route'>;
  /** Heartbeat (Watchdog pass-through) pings that failed; the rule pack's AlertpathRelayHeartbeatFailing. */
  heartbeatFailures: Counter<'route'>;
}

export function createRelayMetrics(options: { processMetrics?: boolean } = {}): RelayMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'alertpath_' });
  return {
    registry,
    notifications: new Counter({
      name: 'alertpath_relay_notifications_total',
      help: 'Alertmanager notifications received, by route and outcome.',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    }),
    discordRequests: new Counter({
      name: 'alertpath_relay_discord_requests_total',
      help: 'Requests sent to Discord, by route and HTTP status.',
      labelNames: ['route', 'code'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'alertpath_relay_discord_rate_limited_total',
      help: 'Discord 429 answers, by route.',
      labelNames: ['route'],
      registers: [registry],
    }),
    deliveryDuration: new Histogram({
      name: 'alertpath_relay_delivery_duration_seconds',
      help: 'Time from receiving a notification to answering it, by route.',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16],
      registers: [registry],
    }),
    deduplicated: new Counter({
      name: 'alertpath_relay_deduplicated_chunks_total',
      help: 'Message chunks not sent again because this replica delivered them in the last 10 minutes.',
      labelNames: ['route'],
      registers: [registry],
    }),
    heartbeatFailures: new Counter({
      name: 'alertpath_relay_heartbeat_failures_total',
      help: 'Heartbeat pings to the external deadman that failed (the notification was answered 503), by route.',
      labelNames: ['route'],
      registers: [registry],
    }),
  };
}
