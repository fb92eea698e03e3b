import type { Hono } from 'hono';
import { type Clock, systemClock } from '../lib/clock.js';
import { type RunningService, startService, withOperationalRoutes } from '../lib/http-server.js';
import type { Logger } from '../lib/log.js';
import { parseListen } from '../lib/schema.js';
import { relayApp } from './app.js';
import type { RelayConfig } from './config.js';
import { RelayDelivery } from './deliver.js';
import { DrillDeliveries } from './deliveries.js';
import { createRelayMetrics, type RelayMetrics } from './metrics.js';

export interface RelayParts {
  app: Hono;
  delivery: RelayDelivery;
  metrics: RelayMetrics;
  deliveries: DrillDeliveries;
}

/** Builds the relay without a socket (tests call `app.request()`). */
export function buildRelay(
  config: RelayConfig,
  deps: { logger: Logger; clock?: Clock; random?: () => number; processMetrics?: boolean },
): RelayParts {
  const metrics = createRelayMetrics({ processMetrics: deps.processMetrics ?? true });
  const deliveries = new DrillDeliveries();
  const delivery = new RelayDelivery(config, {
    clock: deps.clock ?? systemClock,
    logger: deps.logger,
    metrics,
    deliveries,
    ...(deps.random ? { random: deps.random } : {}),
  });
  return { app: relayApp(config, delivery, metrics, deliveries), delivery, metrics, deliveries };
}

/** The full service: operational routes, the listener and the SIGTERM drain. */
export function relayService(parts: RelayParts, ready: () => boolean = () => true): Hono {
  return withOperationalRoutes(parts.app, { metrics: parts.metrics.registry, ready });
}

export async function startRelay(
  config: RelayConfig,
  deps: { logger: Logger; handleSignals?: boolean },
): Promise<RunningService> {
  const parts = buildRelay(config, deps);
  const listen = parseListen(config.listen);
  if (!listen) throw new Error(`invalid listen address ${config.listen}`);
  return startService({
    name: 'alertpath relay',
    app: parts.app,
    listen,
    logger: deps.logger,
    metrics: parts.metrics.registry,
    drainGraceMs: config.delivery.drainGrace,
    onDrain: () => parts.delivery.idle(),
    ...(deps.handleSignals === undefined ? {} : { handleSignals: deps.handleSignals }),
  });
}
