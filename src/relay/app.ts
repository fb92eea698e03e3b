import { timingSafeEqual } from 'node:crypto';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { parseWebhookPayload } from '../alertmanager/payload.js';
import { AppError } from '../lib/errors.js';
import { readRequestBody } from '../lib/http-body.js';
import type { RelayConfig } from './config.js';
import type { RelayDelivery } from './deliver.js';
import { type DrillDeliveries, deliveriesHandler } from './deliveries.js';
import type { RelayMetrics } from './metrics.js';

/**
 * The relay's HTTP routes: `POST /webhook` (the `default` route), `POST /webhook/:route`, and
 * `GET /deliveries?drill_id=` (drill alerts delivered; same auth as the webhook).
 * Errors are thrown as AppErrors; the service wrapper maps them to status and JSON body.
 */
export function relayApp(
  config: RelayConfig,
  delivery: RelayDelivery,
  metrics: RelayMetrics,
  deliveries?: DrillDeliveries,
): Hono {
  const app = new Hono();
  const handle = async (c: Context, routeName: string) => {
    if (!delivery.hasRoute(routeName)) throw new AppError('AP_NOT_FOUND', `unknown route "${routeName}"`);
    const raw = await readRequestBody(c, config.maxBodyBytes, 'reject');
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      metrics.notifications.inc({ route: routeName, outcome: 'invalid' });
      throw new AppError('AP_INVALID_PAYLOAD', `invalid JSON: ${(err as Error).message}`);
    }
    const parsed = parseWebhookPayload(body);
    if (!parsed.ok) {
      metrics.notifications.inc({ route: routeName, outcome: 'invalid' });
      throw new AppError('AP_INVALID_PAYLOAD', parsed.message);
    }
    return c.json(await delivery.handle(routeName, parsed.payload));
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

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
