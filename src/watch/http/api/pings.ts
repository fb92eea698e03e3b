import { Hono } from 'hono';
import { flipJson, pingJson } from '../check-json.js';
import {
  type ApiContext,
  type ApiDeps,
  type ApiEnv,
  endpoint,
  findCheck,
  idKind,
  invalid,
  notFound,
  timeRange,
} from './context.js';

/** A check's history: its pings (and their bodies), its flips, and its notifications. */

/** Healthchecks never lists more than 1 000 pings (and keeps what retention keeps). */
const PING_LOG_LIMIT = 1000;
const NOTIFICATIONS_LIMIT = 100;

export function pingRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  const uuidOnly = (c: ApiContext) => idKind(c.req.param('id') as string) === 'uuid';
  const check = (c: ApiContext) => findCheck(deps, c.req.param('id') as string);

  endpoint(app, '/checks/:id/pings/', deps, (c) =>
    uuidOnly(c)
      ? {
          GET: [
            'write',
            async (c) => {
              const found = await check(c);
              const base = `${deps.settings().baseUrl}/api/v${c.get('version')}/checks/${found.uuid}/pings`;
              const pings = await deps.store.listPings(found.uuid, PING_LOG_LIMIT);
              return c.json({ pings: pings.map((p) => pingJson(p, base)) });
            },
          ],
        }
      : undefined,
  );

  endpoint(app, '/checks/:id/pings/:n/body', deps, (c) =>
    uuidOnly(c) && /^\d+$/.test(c.req.param('n') as string)
      ? {
          GET: [
            'write',
            async (c) => {
              const found = await check(c);
              const body = await deps.store.pingBody(found.uuid, Number(c.req.param('n')));
              if (!body || body.length === 0) throw notFound();
              // The bytes as received, whatever their encoding.
              return c.body(new Uint8Array(body), 200, {
                'Content-Type': 'text/plain',
              });
            },
          ],
        }
      : undefined,
  );

  endpoint(app, '/checks/:id/flips/', deps, (c) =>
    idKind(c.req.param('id') as string)
      ? {
          GET: [
            'read',
            async (c) => {
              const found = await check(c);
              const range = timeRange(c, deps.clock.now());
              if (!range) throw invalid('invalid flips filter');
              const flips = await deps.store.listFlips(found.uuid, range);
              return c.json({ flips: flips.map(flipJson) });
            },
          ],
        }
      : undefined,
  );

  endpoint(app, '/checks/:id/notifications/', deps, (c) =>
    uuidOnly(c)
      ? {
          GET: [
            'write',
            async (c) => {
              const found = await check(c);
              const jobs = await deps.store.listJobs(found.uuid, NOTIFICATIONS_LIMIT);
              return c.json({
                notifications: jobs.map((j) => ({
                  channel: j.channel,
                  event: j.event,
                  fallback: j.isFallback,
                  status: j.status,
                  tries: j.tries,
                  created: isoOrNull(j.createdAt),
                  finished: isoOrNull(j.finishedAt),
                  error: j.lastError,
                  text: j.notification.text,
                })),
              });
            },
          ],
        }
      : undefined,
  );

  return app;
}

const isoOrNull = (ms: number | null) =>
  ms === null ? null : `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
