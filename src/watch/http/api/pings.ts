import { Hono } from 'hono';
import { isoSeconds, pingJson } from '../check-json.js';
import { type ApiDeps, type ApiEnv, findCheck, invalid, notFound, timeRange } from './context.js';
import { requireWriteKey } from './keys.js';

/** A check's history: its pings (and their bodies), its flips, and its notifications. */

const PING_LOG_LIMIT = 100;
const NOTIFICATIONS_LIMIT = 100;

export function pingRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.get('/checks/:id/pings/', requireWriteKey('read pings'), async (c) => {
    const found = await findCheck(deps, c, c.req.param('id'));
    const base = `${deps.settings().baseUrl}/api/v3/checks/${found.uuid}/pings`;
    const pings = await deps.store.listPings(found.uuid, PING_LOG_LIMIT);
    return c.json({ pings: pings.map((p) => pingJson(p, base)) });
  });

  app.get('/checks/:id/pings/:n/body', requireWriteKey('read pings'), async (c) => {
    const found = await findCheck(deps, c, c.req.param('id'));
    const n = Number(c.req.param('n'));
    if (!Number.isInteger(n) || n < 1) throw notFound();
    const body = await deps.store.pingBody(found.uuid, n);
    if (!body) throw notFound();
    return c.text(body);
  });

  app.get('/checks/:id/flips/', async (c) => {
    const found = await findCheck(deps, c, c.req.param('id'), true);
    const range = timeRange(c, deps.clock.now());
    if (!range) throw invalid('invalid flips filter');
    const flips = await deps.store.listFlips(found.uuid, range);
    return c.json({
      flips: flips.map((f) => ({
        timestamp: isoSeconds(f.at),
        up: f.to === 'up' ? 1 : 0,
        from: f.from,
        to: f.to,
        reason: f.reason,
      })),
    });
  });

  app.get('/checks/:id/notifications/', requireWriteKey('read notifications'), async (c) => {
    const found = await findCheck(deps, c, c.req.param('id'));
    const jobs = await deps.store.listJobs(found.uuid, NOTIFICATIONS_LIMIT);
    return c.json({
      notifications: jobs.map((j) => ({
        channel: j.channel,
        event: j.event,
        fallback: j.isFallback,
        status: j.status,
        tries: j.tries,
        created: isoSeconds(j.createdAt),
        finished: isoSeconds(j.finishedAt),
        error: j.lastError,
        text: j.notification.text,
      })),
    });
  });

  return app;
}
