import { Hono } from 'hono';
import { flipJson, isoSeconds, pingJson } from '../check-json.js';
import { type ApiDeps, type ApiEnv, checkEndpoint, invalid, notFound, timeRange } from './context.js';

/** A check's history: its pings (and their bodies), its flips, and its notifications. */

/** Healthchecks never lists more than 1 000 pings (and keeps what retention keeps). */
const PING_LOG_LIMIT = 1000;
const NOTIFICATIONS_LIMIT = 100;

export function pingRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  checkEndpoint(app, '/checks/:id/pings/', deps, {
    GET: [
      'write',
      async (c, check) => {
        const base = `${deps.settings().baseUrl}/api/v${c.get('version')}/checks/${check.uuid}/pings`;
        const pings = await deps.store.listPings(check.uuid, PING_LOG_LIMIT);
        return c.json({ pings: pings.map((p) => pingJson(p, base)) });
      },
    ],
  });

  checkEndpoint(
    app,
    '/checks/:id/pings/:n/body',
    deps,
    {
      GET: [
        'write',
        async (c, check) => {
          const body = await deps.store.pingBody(check.uuid, Number(c.req.param('n')));
          if (!body || body.length === 0) throw notFound();
          // The bytes as received, whatever their encoding.
          return c.body(new Uint8Array(body), 200, { 'Content-Type': 'text/plain' });
        },
      ],
    },
    { accept: (c) => /^\d+$/.test(c.req.param('n') as string) },
  );

  checkEndpoint(
    app,
    '/checks/:id/flips/',
    deps,
    {
      GET: [
        'read',
        async (c, check) => {
          const range = timeRange(c, deps.clock.now());
          if (!range) throw invalid('invalid flips filter');
          const flips = await deps.store.listFlips(check.uuid, range);
          return c.json({ flips: flips.map(flipJson) });
        },
      ],
    },
    { uniqueKey: true },
  );

  checkEndpoint(app, '/checks/:id/notifications/', deps, {
    GET: [
      'write',
      async (c, check) => {
        const jobs = await deps.store.listJobs(check.uuid, NOTIFICATIONS_LIMIT);
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
      },
    ],
  });

  return app;
}
