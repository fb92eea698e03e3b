import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Hono } from 'hono';
import { type Clock, systemClock } from '../lib/clock.js';
import { ConfigError } from '../lib/config.js';
import { AppError } from '../lib/errors.js';
import { type RunningService, startService, withOperationalRoutes } from '../lib/http-server.js';
import { type IdSource, randomIds } from '../lib/ids.js';
import type { Logger } from '../lib/log.js';
import { redactSecrets } from '../lib/redact.js';
import { parseListen } from '../lib/schema.js';
import type { SecretSources } from '../lib/secret-file.js';
import { type ChannelModule, loadChannelModule } from './channels.js';
import { applyDefinition, statusAt } from './checks/machine.js';
import { type CheckRecord, defaultDef, newCheck } from './checks/model.js';
import { type RoutingContext, routingOf } from './checks/routing.js';
import {
  configCheckDef,
  configDefaults,
  configProbeDef,
  describeAuth,
  loadWatchConfig,
  type WatchConfig,
} from './config.js';
import { dashboardApp } from './dashboard/index.js';
import { WatchEngine } from './engine/index.js';
import { type ApiKeyInfo, type ApiSettings, apiApp, hashApiKey } from './http/api/index.js';
import { pingApp } from './http/ping.js';
import { createWatchMetrics, type WatchMetrics } from './metrics.js';
import { type ChannelHealth, isBroken } from './notify/health.js';
import type { ChannelTransport } from './notify/types.js';
import { armPeerChecks, PeerPinger, type PeerTarget, peerCheckDefs, peerTargets } from './peers/index.js';
import { type ProbeBinding, Prober, type ProberOptions } from './probes/index.js';
import { openSqliteStore } from './store/sqlite/index.js';
import type { Store } from './store/types.js';

/**
 * Wiring of `alertpath watch`: config → store → engine → HTTP. `buildWatch` makes the parts
 * without a socket (tests drive `app.request()`); `startWatch` listens, reloads the config on
 * SIGHUP and when the file changes, and drains on SIGTERM.
 */

/** How often channel health (for the unrouted alarm) is re-read from the store. */
const HEALTH_REFRESH_MS = 10_000;

export interface WatchOptions {
  /** Config file (undefined: no config, everything from the API). */
  configFile?: string;
  dataDir: string;
  databaseUrl?: string;
  listen?: string;
  baseUrl?: string;
  env?: NodeJS.ProcessEnv;
}

export interface WatchDeps {
  logger: Logger;
  clock?: Clock;
  /** New uuids and secrets (default: random). */
  ids?: IdSource;
  /** The channel types (default: ./notify); tests pass their own. */
  channels?: ChannelModule;
  processMetrics?: boolean;
  outbox?: { retryBaseMs?: number; sendTimeoutMs?: number; random?: () => number };
  /** Where to print the generated API key on first start (default stdout). */
  announce?: (line: string) => void;
  /** Probe runs: replace the network attempt (tests), or the concurrency from the config. */
  probes?: Pick<ProberOptions, 'run' | 'concurrency'>;
}

export interface Watch {
  app: Hono;
  store: Store;
  engine: WatchEngine;
  prober: Prober;
  metrics: WatchMetrics;
  config(): WatchConfig;
  pingKey(): string;
  /** The key in badge URLs. */
  badgeKey(): string;
  setBaseUrl(url: string): void;
  /**
   * Each configured channel's health from its last delivery try: `broken` when it failed
   * permanently (feeds the unrouted-check alarm).
   */
  channelHealth(): Promise<ReadonlyMap<string, ChannelHealth>>;
  /** Re-reads the config file; keeps the current config when the new one is invalid. */
  reload(): Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Runtime {
  config: WatchConfig;
  transports: Map<string, ChannelTransport>;
  apiKeys: Map<string, ApiKeyInfo>;
  pingKey: string;
  /** The key in badge URLs (`badgeKey`, or generated and stored like the ping key). */
  badgeKey: string;
  baseUrl: string;
  probes: ProbeBinding[];
  peers: PeerTarget[];
}

/**
 * The store a URL selects: a postgres:// or postgresql:// URL opens (and migrates) the shared
 * PostgreSQL store; no URL opens SQLite in the data directory.
 */
export async function storeFor(
  opts: Pick<WatchOptions, 'dataDir' | 'databaseUrl'>,
  settings: { keepPings: number; clock: Clock; ids: IdSource },
  logger?: Logger,
): Promise<Store> {
  if (opts.databaseUrl && /^postgres(ql)?:\/\//i.test(opts.databaseUrl)) {
    const { openPostgresStore } = await import('./store/postgres/index.js');
    return openPostgresStore(opts.databaseUrl, {
      ...settings,
      onError: (err) => logger?.warn({ err }, 'PostgreSQL connection lost; reconnecting'),
    });
  }
  if (opts.databaseUrl)
    throw new AppError(
      'AP_USAGE',
      `unsupported --database URL "${redactSecrets(opts.databaseUrl)}": expected postgres://…`,
    );
  return openSqliteStore(join(opts.dataDir, 'watch.db'), settings);
}

export async function buildWatch(options: WatchOptions, deps: WatchDeps): Promise<Watch> {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const logger = deps.logger;
  const env = options.env ?? process.env;
  const channels = deps.channels ?? (await loadChannelModule());
  const secretSources: SecretSources = new Map();
  const config = loadWatchConfig(options.configFile, channels.channelConfigSchema, env, secretSources);
  const store = await storeFor(options, { keepPings: config.retention.pings, clock, ids }, logger);
  let runtime: Runtime;
  try {
    runtime = await makeRuntime(config, store, channels, deps, options, { clock, ids });
  } catch (err) {
    await store.close();
    throw err;
  }
  logger.info(describeAuth(config, secretSources, Math.max(0, runtime.apiKeys.size - config.apiKeys.length)));

  const snapshot = async () => {
    const now = clock.now();
    return (await store.listChecks()).map((record) => ({
      record,
      status: statusAt(record.def, record.state, now),
    }));
  };
  /** Channels whose last try failed for good; re-read from the store (any instance's tries). */
  let broken: ReadonlySet<string> = new Set();
  const refreshHealth = async () => {
    try {
      const health = await engine.outbox.channelHealth();
      broken = new Set([...health].filter(([, h]) => isBroken(h)).map(([name]) => name));
    } catch (err) {
      logger.warn({ err }, 'cannot read channel health');
    }
  };
  /** Who checks page, from the current config and the channels' health. */
  const routingContext = (): RoutingContext => ({
    defaultChannels: runtime.config.defaults.channels,
    configured: new Set(Object.keys(runtime.config.channels)),
    broken,
  });
  const routing = (record: CheckRecord) => routingOf(record.def, routingContext());
  const metrics = createWatchMetrics({
    processMetrics: deps.processMetrics ?? true,
    checks: snapshot,
    isUnrouted: (record) => routing(record).unrouted,
  });
  /** One line naming the checks that page nobody (at start and after a reload). */
  const reportUnrouted = async () => {
    const unrouted = (await store.listChecks()).filter((r) => routing(r).unrouted).map((r) => r.def.name);
    if (unrouted.length > 0)
      logger.warn(
        { checks: unrouted.slice(0, 50), count: unrouted.length },
        `${unrouted.length} check(s) notify nobody (no channel of their own and no defaults.channels): ${unrouted.slice(0, 10).join(', ')}${unrouted.length > 10 ? ', …' : ''}`,
      );
  };
  const engine = new WatchEngine({
    store,
    clock,
    ids,
    logger,
    metrics,
    settings: engineSettings(runtime),
    outbox: { ...deps.outbox, onChannelOutcome: refreshHealth },
  });
  const prober = new Prober({
    engine,
    clock,
    logger,
    metrics,
    concurrency: deps.probes?.concurrency ?? config.probeConcurrency,
    ...(deps.probes?.run ? { run: deps.probes.run } : {}),
  });
  prober.configure(runtime.probes);
  const pinger = new PeerPinger(clock, logger);
  pinger.configure(config.name, runtime.peers);

  const apiSettings = (): ApiSettings => ({
    baseUrl: runtime.baseUrl,
    apiKeys: runtime.apiKeys,
    channels: Object.entries(runtime.config.channels).map(([name, ch]) => ({ name, type: ch.type })),
    routing: routingContext(),
  });

  const app = new Hono();
  app.route(
    '/',
    pingApp({
      engine,
      store,
      clock,
      settings: () => ({ pingKey: runtime.pingKey, pingBodyLimit: runtime.config.pingBodyLimit }),
      createFromSlug: async (slug) => {
        // As Healthchecks assigns every integration to an auto-provisioned check: the defaults'
        // channels, or, when there are none, every configured channel.
        const all = Object.keys(runtime.config.channels);
        const def = defaultDef(slug, slug);
        if (runtime.config.defaults.channels.length === 0 && all.length > 0) def.channels = all;
        const record = newCheck(def, { uuid: ids.uuid(), now: clock.now() });
        await store.insertCheck(record);
        logger.info(
          { check: slug, uuid: record.uuid, channels: def.channels ?? 'defaults' },
          'check created by ?create=1',
        );
        if (routing(record).unrouted)
          logger.warn(
            { check: slug, uuid: record.uuid },
            `check "${slug}" created by ?create=1 notifies nobody: no channel is configured`,
          );
        return record.uuid;
      },
    }),
  );
  app.route('/', apiApp({ store, engine, clock, ids, settings: apiSettings }));
  app.route(
    '/',
    dashboardApp({
      store,
      engine,
      clock,
      ids,
      settings: () => ({
        ...apiSettings(),
        pingKey: runtime.pingKey,
        badgeKey: runtime.badgeKey,
        users: runtime.config.users,
        statusPages: runtime.config.statusPages,
      }),
    }),
  );

  let pruneTimer: NodeJS.Timeout | undefined;
  let healthTimer: NodeJS.Timeout | undefined;
  const prune = async () => {
    try {
      await store.prune({
        keepPings: runtime.config.retention.pings,
        before: clock.now() - runtime.config.retention.history,
      });
    } catch (err) {
      logger.error({ err }, 'retention pruning failed');
    }
  };

  const watch: Watch = {
    app,
    store,
    engine,
    prober,
    metrics,
    config: () => runtime.config,
    pingKey: () => runtime.pingKey,
    badgeKey: () => runtime.badgeKey,
    channelHealth: () => engine.outbox.channelHealth(),
    setBaseUrl(url) {
      if (!runtime.config.baseUrl && !options.baseUrl) runtime.baseUrl = url.replace(/\/$/, '');
      engine.reconfigure(engineSettings(runtime));
    },
    async reload() {
      if (!options.configFile) return false;
      let next: WatchConfig;
      try {
        next = loadWatchConfig(options.configFile, channels.channelConfigSchema, env);
      } catch (err) {
        const problems = err instanceof ConfigError ? err.message.split('\n') : [(err as Error).message];
        logger.error({ problems }, 'config reload failed; keeping the current config');
        return false;
      }
      try {
        const nextRuntime = await makeRuntime(
          next,
          store,
          channels,
          deps,
          options,
          { clock, ids },
          runtime.baseUrl,
        );
        runtime = nextRuntime;
        engine.reconfigure(engineSettings(runtime));
        await engine.reloadDeadlines();
        prober.configure(runtime.probes);
        await refreshHealth();
        await reportUnrouted();
        pinger.configure(next.name, runtime.peers);
        logger.info(
          {
            checks: next.checks.length,
            probes: next.probes.length,
            channels: Object.keys(next.channels).length,
          },
          'config reloaded',
        );
        return true;
      } catch (err) {
        logger.error({ err }, 'config reload failed; keeping the current config');
        return false;
      }
    },
    async start() {
      await refreshHealth();
      await reportUnrouted();
      await engine.start();
      prober.start();
      pinger.start();
      void prune();
      pruneTimer = setInterval(prune, 3_600_000);
      pruneTimer.unref();
      healthTimer = setInterval(refreshHealth, HEALTH_REFRESH_MS);
      healthTimer.unref();
    },
    async stop() {
      if (pruneTimer) clearInterval(pruneTimer);
      if (healthTimer) clearInterval(healthTimer);
      await prober.stop();
      await pinger.stop();
      await engine.stop();
      await store.close();
    },
  };
  return watch;
}

function engineSettings(r: Runtime) {
  return { defaults: configDefaults(r.config), baseUrl: r.baseUrl, transports: r.transports };
}

/** Everything derived from one config: synced checks, transports, keys, ping key. */
async function makeRuntime(
  config: WatchConfig,
  store: Store,
  channels: ChannelModule,
  deps: WatchDeps,
  options: WatchOptions,
  { clock, ids }: { clock: Clock; ids: IdSource },
  currentBaseUrl?: string,
): Promise<Runtime> {
  const transports = new Map<string, ChannelTransport>();
  for (const [name, ch] of Object.entries(config.channels)) {
    transports.set(name, channels.createTransport(name, ch, { clock, logger: deps.logger }));
  }
  const probeDefs = config.probes.map(configProbeDef);
  const sync = await store.syncManaged(
    [
      ...config.checks.map(configCheckDef),
      ...probeDefs.map(({ spec: _spec, ...d }) => d),
      ...peerCheckDefs(config.peers),
    ],
    clock.now(),
    applyDefinition,
  );
  await armPeerChecks(store, config.peers, clock.now());
  if (sync.created.length + sync.updated.length + sync.removed.length > 0)
    deps.logger.info(
      { created: sync.created.length, updated: sync.updated.length, removed: sync.removed.length },
      'checks from the config file synced',
    );

  let pingKey = config.pingKey ?? (await store.getSetting('ping_key'));
  if (!pingKey) {
    pingKey = ids.secret(16);
    await store.setSetting('ping_key', pingKey);
    announce(deps)(
      `alertpath watch: generated a ping key for slug URLs (set pingKey in the config to choose one): ${pingKey}`,
    );
  }

  const apiKeys = new Map<string, ApiKeyInfo>();
  for (const k of config.apiKeys) apiKeys.set(hashApiKey(k.key), { name: k.name, readOnly: k.readOnly });
  let stored = await store.listApiKeys();
  if (stored.length === 0 && config.apiKeys.length === 0) {
    const key = ids.secret(24);
    await store.insertApiKey({ name: 'generated', hash: hashApiKey(key), readOnly: false }, clock.now());
    announce(deps)(`alertpath watch: generated an API key (shown once, stored hashed): ${key}`);
    stored = await store.listApiKeys();
  }
  for (const k of stored) apiKeys.set(k.hash, { name: k.name, readOnly: k.readOnly });
  let badgeKey = config.badgeKey ?? (await store.getSetting('badge_key'));
  if (!badgeKey) {
    badgeKey = ids.secret(12);
    await store.setSetting('badge_key', badgeKey);
  }

  const baseUrl = (options.baseUrl ?? config.baseUrl ?? currentBaseUrl ?? 'http://127.0.0.1:8000').replace(
    /\/$/,
    '',
  );
  const uuidByName = new Map(
    (await store.listChecks()).filter((r) => r.managed && r.def.probe).map((r) => [r.def.name, r.uuid]),
  );
  const probes: ProbeBinding[] = [];
  for (const { def, spec } of probeDefs) {
    const uuid = uuidByName.get(def.name);
    if (uuid) probes.push({ uuid, spec });
  }
  return {
    config,
    transports,
    apiKeys,
    pingKey,
    badgeKey,
    baseUrl,
    probes,
    peers: peerTargets(config.peers),
  };
}

function announce(deps: WatchDeps): (line: string) => void {
  return deps.announce ?? ((line) => process.stdout.write(`${line}\n`));
}

/** The full service: listener, operational routes, reload on SIGHUP / file change, drain. */
export async function startWatch(
  options: WatchOptions,
  deps: WatchDeps & { handleSignals?: boolean },
): Promise<{ service: RunningService; watch: Watch; baseUrl: string }> {
  const watch = await buildWatch(options, deps);
  const listenText = options.listen ?? watch.config().listen ?? '0.0.0.0:8000';
  const listen = parseListen(listenText);
  if (!listen) {
    await watch.stop();
    throw new AppError('AP_USAGE', `invalid listen address "${listenText}": expected HOST:PORT`);
  }
  await watch.start();
  let watcher: FSWatcher | undefined;
  let service: RunningService;
  try {
    service = await startService({
      name: 'alertpath watch',
      app: watch.app,
      listen,
      logger: deps.logger,
      metrics: watch.metrics.registry,
      isReady: () => watch.store.healthy(),
      drainGraceMs: 0,
      onDrain: async () => {
        watcher?.close();
        await watch.stop();
      },
      ...(deps.handleSignals === undefined ? {} : { handleSignals: deps.handleSignals }),
    });
  } catch (err) {
    await watch.stop();
    throw new AppError('AP_UNAVAILABLE', `cannot listen on ${listenText}: ${(err as Error).message}`);
  }
  watch.setBaseUrl(service.url);

  if (options.configFile) {
    const file = resolve(options.configFile);
    let timer: NodeJS.Timeout | undefined;
    const schedule = (why: string) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        deps.logger.info({ why }, 'reloading config');
        void watch.reload();
      }, 200);
    };
    if (deps.handleSignals !== false) process.on('SIGHUP', () => schedule('SIGHUP'));
    try {
      // Watch the directory: editors and Kubernetes ConfigMaps replace the file rather than write it.
      watcher = fsWatch(dirname(file), (_event, name) => {
        if (name === null || name === basename(file) || name === '..data') schedule('file changed');
      });
      watcher.unref();
    } catch (err) {
      deps.logger.warn({ err }, 'cannot watch the config file; reload with SIGHUP');
    }
  }
  const baseUrl = (options.baseUrl ?? watch.config().baseUrl ?? service.url).replace(/\/$/, '');
  return { service, watch, baseUrl };
}

/** For tests: the app with /healthz, /readyz and /metrics, without a socket. */
export function watchService(watch: Watch): Hono {
  return withOperationalRoutes(watch.app, {
    metrics: watch.metrics.registry,
    ready: () => watch.store.healthy(),
  });
}
