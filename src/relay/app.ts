import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { parseWebhookPayload } from '../alertmanager/payload.js';
import { ByteBudget } from '../lib/byte-budget.js';
import { AppError } from '../lib/errors.js';
import { discardRequestBody, readRequestBody } from '../lib/http-body.js';
import { DEFAULT_JSON_BOUNDS, jsonBoundsViolation } from '../lib/json-bounds.js';
import { safeEqual } from '../lib/safe-equal.js';
import type { RelayConfig } from './config.js';
import type { RelayDelivery } from './deliver.js';
import { type DrillDeliveries, deliveriesHandler } from './deliveries.js';
import type { RelayMetrics } from './metrics.js';

/**
 * The relay's HTTP routes: `POST /webhook` (the `default` route), `POST /webhook/:route`, and
 * `GET /deliveries?drill_id=` (drill alerts delivered; same auth as the webhook).
 * Errors are thrown as AppErrors; the service wrapper maps them to status and JSON body.
 *
 * Memory is bounded before and while a body is parsed: each request takes its declared size (or
 * its bytes as they arrive when undeclared) from a budget of `maxBytesInFlight` until it is answered, and a
 * request that does not fit is answered 503 + Retry-After; JSON nested too deep or holding too
 * many objects is refused before `JSON.parse` builds any of it.
 */
export function relayApp(
  config: RelayConfig,
  delivery: RelayDelivery,
  metrics: RelayMetrics,
  deliveries?: DrillDeliveries,
): Hono {
  const app = new Hono();
  const budget = new ByteBudget(config.maxBytesInFlight);
  const handle = async (c: Context, routeName: string) => {
    if (!delivery.hasRoute(routeName)) throw new AppError('AP_NOT_FOUND', `unknown route "${routeName}"`);
    const busy = () => {
      metrics.notifications.inc({ route: routeName, outcome: 'busy' });
      return new AppError(
        'AP_UNAVAILABLE',
        `the relay is busy: ${budget.inUse} bytes of notifications are being handled (maxBytesInFlight ${budget.capacity}); retry`,
        { retryAfterSeconds: 1 },
      );
    };
    const lease = budget.lease();
    try {
      // A declared body takes its whole size before it is read; an undeclared one as it arrives.
      const declared = Number(c.req.header('content-length') ?? Number.NaN);
      const known = Number.isInteger(declared) && declared >= 0 && declared <= config.maxBodyBytes;
      if (known && !lease.take(declared)) {
        discardRequestBody(c);
        throw busy();
      }
      const onBytes = known
        ? undefined
        : (bytes: number) => {
            if (!lease.take(bytes)) throw busy();
          };
      const raw = await readRequestBody(c, config.maxBodyBytes, 'reject', onBytes);
      return c.json(await delivery.handle(routeName, parseBody(raw, routeName)));
    } finally {
      lease.release();
    }
  };
  const parseBody = (raw: Buffer, routeName: string) => {
    const invalid = (message: string) => {
      metrics.notifications.inc({ route: routeName, outcome: 'invalid' });
      return new AppError('AP_INVALID_PAYLOAD', message);
    };
    const over = jsonBoundsViolation(raw, DEFAULT_JSON_BOUNDS);
    if (over) throw invalid(over);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw invalid(`invalid JSON: ${(err as Error).message}`);
    }
    const parsed = parseWebhookPayload(body);
    if (!parsed.ok) throw invalid(parsed.message);
    return parsed.payload;
  };

  app.use('/webhook', authenticate(config));
  app.use('/webhook/*', authenticate(config));
  app.post('/webhook', (c) => handle(c, 'default'));
  app.post('/webhook/:route', (c) => handle(c, c.req.param('route')));
  if (deliveries) {
    app.use('/deliveries', authenticate(config));
    app.get('/deliveries', deliveriesHandler(deliveries));
  }
  return app;
}

function authenticate(config: RelayConfig): MiddlewareHandler {
  const auth = config.auth;
  if (!auth) return async (_c, next) => next();
  const accepted: string[] = [];
  if (auth.bearerToken) accepted.push(`Bearer ${auth.bearerToken}`);
  if (auth.basic)
    accepted.push(`Basic ${Buffer.from(`${auth.basic.username}:${auth.basic.password}`).toString('base64')}`);
  return async (c, next) => {
    const given = c.req.header('authorization') ?? '';
    if (!accepted.some((a) => safeEqual(a, given))) {
      c.header('WWW-Authenticate', auth.basic ? 'Basic realm="alertpath"' : 'Bearer');
      throw new AppError('AP_UNAUTHORIZED', given ? 'wrong credentials' : 'authorization required');
    }
    await next();
  };
}
