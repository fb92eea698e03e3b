import { Hono } from 'hono';
import { AppError, healthchecksErrorBody, toAppError } from '../../../lib/errors.js';
import { redactSecrets } from '../../../lib/redact.js';
import { type ApiVersion, channelJson } from '../check-json.js';
import { channelTestRoutes } from './channel-tests.js';
import { checkRoutes } from './checks.js';
import { type ApiDeps, type ApiEnv, endpoint } from './context.js';
import { peerRoutes } from './peers.js';
import { pingRoutes } from './pings.js';
import { probeRoutes } from './probes.js';

export type { ApiDeps, ApiSettings } from './context.js';
export { type ApiKeyInfo, hashApiKey } from './keys.js';

/**
 * The management API, Healthchecks' v1, v2 and v3 (each version's differences: v1 reports a
 * running job as `started`, v1 and v2 derive slugs from names, URLs name the version asked), as
 * route groups (checks, their history, probe results, channels). Route handlers throw AppErrors;
 * the one handler here answers them in Healthchecks' shape, `{"error": "…"}`, with the table's
 * status, and every answer allows any origin.
 */
export function apiApp(deps: ApiDeps): Hono {
  const app = new Hono();
  for (const version of [1, 2, 3] as const) app.route(`/api/v${version}`, versionApp(deps, version));
  return app;
}

function versionApp(deps: ApiDeps, version: ApiVersion): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  api.use('*', async (c, next) => {
    c.set('version', version);
    c.set('readOnly', false);
    c.header('Access-Control-Allow-Origin', '*');
    await next();
  });
  api.get('/status/', async (c) =>
    (await deps.store.healthy()) ? c.text('OK') : c.text('unavailable', 503),
  );
  api.route('/', checkRoutes(deps));
  api.route('/', pingRoutes(deps));
  api.route('/', probeRoutes(deps));
  api.route('/', channelTestRoutes(deps));
  api.route('/', peerRoutes(deps));
  endpoint(api, '/channels/', deps, {
    GET: ['write', (c) => c.json({ channels: deps.settings().channels.map(channelJson) })],
  });
  api.all('*', () => {
    throw new AppError('AP_NOT_FOUND', 'not found');
  });
  api.onError((err, c) => {
    const e = toAppError(err);
    c.header('Access-Control-Allow-Origin', '*');
    return c.json({ error: redactSecrets(healthchecksErrorBody(e).error) }, e.status as 400);
  });
  return api;
}
