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
import {
  createPeerMetrics,
  newInstanceId,
  PeerReplicator,
  peerRoutes,
  RelayState,
  type ResolveA,
} from './peers/index.js';

export interface RelayParts {
  app: Hono;
  delivery: RelayDelivery;
  metrics: RelayMetrics;
  deliveries: DrillDeliveries;
  state: RelayState;
  /** Present when `peers:` is configured; started by startRelay once the port is known. */
  replicator?: PeerReplicator;
}

/** Builds the relay without a socket (tests call `app.request()`). */
export function buildRelay(
  config: RelayConfig,
  deps: {
    logger: Logger;
    clock?: Clock;
    random?: () => number;
    processMetrics?: boolean;
    /** Resolves `peers.dns` (tests inject one). */
    resolveA?: ResolveA;
  },
): RelayParts {
  const clock = deps.clock ?? systemClock;
  const metrics = createRelayMetrics({ processMetrics: deps.processMetrics ?? true });
  const deliveries = new DrillDeliveries();
  const state = new RelayState(() => clock.now());
  const delivery = new RelayDelivery(config, {
    clock,
    logger: deps.logger,
    metrics,
    deliveries,
    state,
    ...(deps.random ? { random: deps.random } : {}),
  });
  const app = relayApp(config, delivery, metrics, deliveries);
  const parts: RelayParts = { app, delivery, metrics, deliveries, state };
  const peers = config.peers;
  if (peers?.token !== undefined) {
    const instance = newInstanceId();
    const peerMetrics = createPeerMetrics(metrics.registry);
    const replicator = new PeerReplicator(peers, {
      state,
      logger: deps.logger,
      clock,
      metrics: peerMetrics,
      instance,
      ...(deps.resolveA ? { resolveA: deps.resolveA } : {}),
    });
    const onSync = (url: string) => replicator.announced(url);
    app.route('/', peerRoutes({ token: peers.token, instance, state, metrics: peerMetrics, onSync }));
    parts.replicator = replicator;
  }
  return parts;
}

/** The full service: operational routes, the listener and the SIGTERM drain. */
export function relayService(parts: RelayParts, ready: () => boolean = () => true): Hono {
  return withOperationalRoutes(parts.app, { metrics: parts.metrics.registry, ready });
}

export async function startRelay(
  config: RelayConfig,
  deps: { logger: Logger; handleSignals?: boolean; resolveA?: ResolveA },
): Promise<RunningService> {
  const parts = buildRelay(config, deps);
  const replicator = parts.replicator;
  const listen = parseListen(config.listen);
  if (!listen) throw new Error(`invalid listen address ${config.listen}`);
  const service = await startService({
    name: 'alertpath relay',
    app: parts.app,
    listen,
    logger: deps.logger,
    metrics: parts.metrics.registry,
    drainGraceMs: config.delivery.drainGrace,
    onDrain: async () => {
      await parts.delivery.idle();
      await replicator?.stop();
    },
    // A replica with peers is ready once it has asked one for its map (bounded by peers.timeout).
    ...(replicator ? { isReady: () => replicator.ready } : {}),
    ...(deps.handleSignals === undefined ? {} : { handleSignals: deps.handleSignals }),
  });
  if (replicator && config.peers) {
    const peers = config.peers;
    deps.logger.info(
      { peers: peers.dns ?? peers.urls },
      `peers: sharing the message map and delivered chunks with ${peers.dns ? `the addresses of ${peers.dns}` : `${peers.urls?.length} URL(s)`}`,
    );
    void replicator.start(service.port);
  }
  return service;
}
