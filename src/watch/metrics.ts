import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CheckRecord, CheckStatus } from './checks/model.js';

/** The metric names of the contract (spec: Observability). */
export interface WatchMetrics {
  registry: Registry;
  pings: Counter<'kind'>;
  notifications: Counter<'channel' | 'outcome'>;
  alertDelay: Histogram<string>;
  /** Duration of each probe's last run. */
  probeDuration: Gauge<'check'>;
  /** 1 when each probe's last run passed, else 0. */
  probeSuccess: Gauge<'check'>;
  /** How late probe runs start (actual start − scheduled start). */
  probeStartDelay: Histogram<string>;
}

const STATUSES: CheckStatus[] = ['new', 'up', 'late', 'down', 'paused'];

export function createWatchMetrics(options: {
  processMetrics?: boolean;
  /** Snapshot of every check with its current (derived) status, read at scrape time. */
  checks?: () => Promise<Array<{ record: CheckRecord; status: CheckStatus }>>;
  /** Does the check page nobody (./checks/routing.ts)? */
  isUnrouted?: (record: CheckRecord) => boolean;
}): WatchMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'alertpath_' });
  const checks = options.checks;
  if (checks) {
    let snapshot: Promise<Array<{ record: CheckRecord; status: CheckStatus }>> | undefined;
    // Both gauges read one snapshot per scrape.
    const read = () => {
      snapshot ??= checks().finally(() => setImmediate(() => (snapshot = undefined)));
      return snapshot;
    };
    new Gauge({
      name: 'alertpath_watch_check_status',
      help: 'Current status of each check (one-hot: 1 for the current status).',
      labelNames: ['check', 'status'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const { record, status } of await read())
          for (const s of STATUSES) this.set({ check: record.def.name, status: s }, s === status ? 1 : 0);
      },
    });
    const isUnrouted = options.isUnrouted;
    if (isUnrouted)
      new Gauge({
        name: 'alertpath_watch_checks_unrouted',
        help: 'Checks that notify nobody: no channel of their own, no defaults.channels (or none that can deliver).',
        registers: [registry],
        async collect() {
          let n = 0;
          for (const { record } of await read()) if (isUnrouted(record)) n++;
          this.set(n);
        },
      });
    new Gauge({
      name: 'alertpath_watch_check_last_ping_timestamp_seconds',
      help: 'Time of the last success or fail ping of each check.',
      labelNames: ['check'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const { record } of await read())
          if (record.state.lastPing !== null)
            this.set({ check: record.def.name }, record.state.lastPing / 1000);
      },
    });
  }
  return {
    registry,
    pings: new Counter({
      name: 'alertpath_watch_pings_total',
      help: 'Pings received, by kind (success, fail, start, log, ign).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'alertpath_watch_notifications_total',
      help: 'Notification tries, by channel and outcome (sent, retry, failed).',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    alertDelay: new Histogram({
      name: 'alertpath_watch_alert_delay_seconds',
      help: 'Delay from a check going down (its deadline) to the first notification attempt.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: [registry],
    }),
    probeDuration: new Gauge({
      name: 'alertpath_watch_probe_duration_seconds',
      help: 'Duration of the last run of each probe (connect, TLS, request, answer).',
      labelNames: ['check'],
      registers: [registry],
    }),
    probeSuccess: new Gauge({
      name: 'alertpath_watch_probe_success',
      help: 'Whether the last run of each probe passed (1) or failed (0), before flap damping.',
      labelNames: ['check'],
      registers: [registry],
    }),
    probeStartDelay: new Histogram({
      name: 'alertpath_watch_probe_start_delay_seconds',
      help: 'How late probe runs start: actual start minus scheduled start.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers: [registry],
    }),
  };
}
