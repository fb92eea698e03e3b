import { Hono } from 'hono';
import type { CheckRecord } from '../../checks/model.js';
import { probeHourJson, probeResultJson } from '../check-json.js';
import { type ApiContext, type ApiDeps, type ApiEnv, checkEndpoint, invalid, timeRange } from './context.js';

/** Probe results: the last (up to 1 000) results, newest first, and per-hour aggregates. */
export function probeRoutes(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  const probe = (check: CheckRecord): CheckRecord => {
    if (!check.def.probe) throw invalid('this check is not a probe');
    return check;
  };

  const results = async (c: ApiContext, check: CheckRecord) => {
    const found = probe(check);
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw invalid('invalid limit: expected 1 to 1000');
    const rows = await deps.store.listProbeResults(found.uuid, limit);
    return c.json({ results: rows.map(probeResultJson) });
  };

  const hourly = async (c: ApiContext, check: CheckRecord) => {
    const found = probe(check);
    const range = timeRange(c, deps.clock.now());
    if (!range) throw invalid('invalid hourly filter');
    // An hour is included when any part of it is in the range.
    if (range.from !== undefined) range.from = Math.floor(range.from / 3_600_000) * 3_600_000;
    const rows = await deps.store.listProbeHours(found.uuid, range);
    return c.json({ hours: rows.map(probeHourJson) });
  };

  for (const path of ['/checks/:id/results', '/checks/:id/results/'])
    checkEndpoint(app, path, deps, { GET: ['read', results] }, { uniqueKey: true });
  for (const path of ['/checks/:id/results/hourly', '/checks/:id/results/hourly/'])
    checkEndpoint(app, path, deps, { GET: ['read', hourly] }, { uniqueKey: true });

  return app;
}
