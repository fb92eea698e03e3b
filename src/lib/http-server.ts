import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { AppError, errorBody, toAppError } from './errors.js';
import type { Logger } from './log.js';
import { redactSecrets } from './redact.js';
import type { ListenAddress } from './schema.js';

/**
 * Every alertpath service starts through here: `/healthz` (alias `/health`), `/readyz`,
 * `/metrics`, JSON errors from one mapping, and a graceful drain on SIGTERM.
 */
export interface ServiceOptions {
  name: string;
  app: Hono;
  listen: ListenAddress;
  logger: Logger;
  metrics: Registry;
  /** Extra readiness condition (database reachable, config loaded). */
  isReady?: () => boolean | Promise<boolean>;
  /** How long to keep serving after SIGTERM so endpoints can update. */
  drainGraceMs?: number;
  /** Resolves when in-flight work has finished; awaited before the process exits. */
  onDrain?: () => Promise<void>;
  /** Register SIGTERM/SIGINT handlers (default true; tests drive `drain()` directly). */
  handleSignals?: boolean;
}

export interface RunningService {
  url: string;
  port: number;
  server: ServerType;
  /** Starts the drain: readiness turns 503 at once; resolves once the server has closed. */
  drain(): Promise<void>;
  readonly draining: boolean;
}

/** Wraps a service's app with the operational endpoints and the error mapping. */
export function withOperationalRoutes(
  app: Hono,
  opts: { metrics: Registry; ready: () => boolean | Promise<boolean> },
): Hono {
  const root = new Hono();
  root.get('/healthz', (c) => c.text('ok'));
  root.get('/health', (c) => c.text('ok'));
  root.get('/readyz', async (c) => ((await opts.ready()) ? c.text('ready') : c.text('not ready', 503)));
  root.get('/metrics', async (c) => {
    c.header('Content-Type', opts.metrics.contentType);
    return c.body(await opts.metrics.metrics());
  });
  root.route('/', app);
  root.notFound((c) =>
    c.json(errorBody(new AppError('AP_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`)), 404),
  );
  root.onError((err, c) => {
    const e = toAppError(err);
    if (e.retryAfterSeconds !== undefined) c.header('Retry-After', String(Math.ceil(e.retryAfterSeconds)));
    // An error may quote a URL it failed on (a heartbeat's /ping/<uuid>); answers are logged.
    const body = errorBody(e);
    body.error.message = redactSecrets(body.error.message);
    return c.json(body, e.status as 400);
  });
  return root;
}

export async function startService(opts: ServiceOptions): Promise<RunningService> {
  let draining = false;
  const ready = async () => !draining && (opts.isReady ? await opts.isReady() : true);
  const root = withOperationalRoutes(opts.app, { metrics: opts.metrics, ready });

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: root.fetch, hostname: opts.listen.host, port: opts.listen.port }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.listen.host === '0.0.0.0' || opts.listen.host === '::' ? '127.0.0.1' : opts.listen.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  opts.logger.info({ listen: `${opts.listen.host}:${port}` }, `${opts.name} listening`);

  let drained: Promise<void> | undefined;
  const drain = (): Promise<void> => {
    drained ??= (async () => {
      draining = true;
      const grace = opts.drainGraceMs ?? 5000;
      opts.logger.info({ graceMs: grace }, `${opts.name} draining`);
      await new Promise((r) => setTimeout(r, grace));
      const closed = new Promise<void>((r) => server.close(() => r()));
      await opts.onDrain?.();
      if ('closeIdleConnections' in server)
        (server as { closeIdleConnections(): void }).closeIdleConnections();
      await closed;
      opts.logger.info(`${opts.name} stopped`);
    })();
    return drained;
  };

  if (opts.handleSignals !== false) {
    const onSignal = (signal: string) => {
      opts.logger.info({ signal }, 'signal received');
      drain().then(
        () => process.exit(0),
        (err) => {
          opts.logger.error({ err }, 'drain failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => onSignal('SIGTERM'));
    process.once('SIGINT', () => onSignal('SIGINT'));
  }

  return {
    url,
    port,
    server,
    drain,
    get draining() {
      return draining;
    },
  };
}
