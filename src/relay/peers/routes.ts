import type { IncomingMessage } from 'node:http';
import { type Context, Hono } from 'hono';
import { AppError, errorBody, toAppError } from '../../lib/errors.js';
import { readRequestBody } from '../../lib/http-body.js';
import { DEFAULT_JSON_BOUNDS, jsonBoundsViolation } from '../../lib/json-bounds.js';
import { safeEqual } from '../../lib/safe-equal.js';
import { firstIssue, MAX_UPDATE_BYTES, PEER_HEADER, zSyncRequest, zUpdates } from './protocol.js';
import type { PeerMetrics } from './replicator.js';
import type { RelayState } from './state.js';

/**
 * `POST /peer/updates` and `POST /peer/sync` (see protocol.ts). A wrong or missing token is 401,
 * a body that is not JSON, not the schema or over its bounds is 400 (413 over MAX_UPDATE_BYTES),
 * and nothing of a refused body is applied.
 */
export function peerRoutes(deps: {
  token: string;
  instance: string;
  state: RelayState;
  metrics: PeerMetrics;
  /** A replica asked for our state from this base URL (its address and port). */
  onSync?: (url: string) => void;
}): Hono {
  const app = new Hono();
  const expected = `Bearer ${deps.token}`;
  app.use('/peer/*', async (c, next) => {
    c.header(PEER_HEADER, deps.instance);
    // A label from a fixed set: the path is the caller's, and the caller may be anyone.
    const asked = c.req.path.slice('/peer/'.length);
    const kind = asked === 'updates' || asked === 'sync' ? asked : 'other';
    try {
      const given = c.req.header('authorization') ?? '';
      if (!safeEqual(given, expected)) {
        c.header('WWW-Authenticate', 'Bearer');
        throw new AppError('AP_UNAUTHORIZED', given.length > 0 ? 'wrong peer token' : 'peer token required');
      }
      await next();
    } catch (err) {
      // Answered here (not by the service's error mapping), so the status is counted with it.
      const e = toAppError(err);
      c.res = c.json(errorBody(e), e.status as 400);
      c.header(PEER_HEADER, deps.instance);
    }
    deps.metrics.received.inc({ kind, code: String(c.res.status) });
  });

  const readJson = async (c: Context): Promise<unknown> => {
    const raw = await readRequestBody(c, MAX_UPDATE_BYTES, 'reject');
    const over = jsonBoundsViolation(raw, DEFAULT_JSON_BOUNDS);
    if (over) throw new AppError('AP_INVALID_PAYLOAD', over);
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch (err) {
      throw new AppError('AP_INVALID_PAYLOAD', `invalid JSON: ${(err as Error).message}`);
    }
  };

  app.post('/peer/updates', async (c) => {
    const parsed = zUpdates.safeParse(await readJson(c));
    if (!parsed.success) throw new AppError('AP_INVALID_PAYLOAD', firstIssue(parsed.error));
    if (parsed.data.from !== deps.instance) deps.state.apply(parsed.data.ops);
    return c.json({ applied: parsed.data.ops.length });
  });

  app.post('/peer/sync', async (c) => {
    const parsed = zSyncRequest.safeParse(await readJson(c));
    if (!parsed.success) throw new AppError('AP_INVALID_PAYLOAD', firstIssue(parsed.error));
    const address = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
    if (address && parsed.data.port !== undefined && parsed.data.from !== deps.instance) {
      const ip = address.replace(/^::ffff:/, '');
      deps.onSync?.(`http://${ip.includes(':') ? `[${ip}]` : ip}:${parsed.data.port}`);
    }
    // Taken after onSync: a change from now on is queued for the asker as well.
    return c.json({ from: deps.instance, ...deps.state.snapshot() });
  });
  return app;
}
