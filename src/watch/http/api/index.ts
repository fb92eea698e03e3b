import { Hono } from 'hono';
import { AppError, healthchecksErrorBody, toAppError } from '../../../lib/errors.js';
import { channelTestRoutes } from './channel-tests.js';
import { checkRoutes } from './checks.js';
import type { ApiDeps, ApiEnv } from './context.js';
import { requireApiKey, requireWriteKey } from './keys.js';
import { peerRoutes } from './peers.js';
import { pingRoutes } from './pings.js';
import { probeRoutes } from './probes.js';

export type { ApiDeps, ApiSettings } from './context.js';
export { type ApiKeyInfo, hashApiKey } from './keys.js';

/**
 * The management API, a Healthchecks v3 subset under /api/v3/, as route groups (checks, their
 * history, probe results, channels) behind the key check. Route handlers throw AppErrors; the one
 * handler here answers them in Healthchecks' shape, `{"error": "…"}`, with the table's status.
 */
export function apiApp(deps: ApiDeps): Hono {
  const api = new Hono<ApiEnv>();
  api.get('/status/', async (c) =>
    (await deps.store.healthy()) ? c.text('OK') : c.text('unavailable', 503),
  );
  api.use('*', async (c, next) => {
    c.header('Access-Control-Allow-Origin', '*');
    await next();
  });
  api.route('/', peerRoutes(deps)); // its own auth: read-only keys may ping
  api.use('*', requireApiKey(deps));
  api.route('/', checkRoutes(deps));
  api.route('/', pingRoutes(deps));
  api.route('/', probeRoutes(deps));
  api.route('/', channelTestRoutes(deps));
  api.get('/channels/', requireWriteKey('list channels'), (c) =>
    c.json({
      channels: deps.settings().channels.map((ch) => ({ id: ch.name, name: ch.name, kind: ch.type })),
    }),
  );
  api.all('*', () => {
    throw new AppError('AP_NOT_FOUND', 'not found');
  });
  api.onError((err, c) => {
    const e = toAppError(err);
    return c.json(healthchecksErrorBody(e), e.status as 400);
  });

  const app = new Hono();
  app.route('/api/v3', api);
  return app;
}
