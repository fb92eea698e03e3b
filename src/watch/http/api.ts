import { createHash, randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { Clock } from '../../lib/clock.js';
import { isAppError } from '../../lib/errors.js';
import { readRequestBody } from '../../lib/http-body.js';
import { applyDefinition } from '../checks/machine.js';
import { type CheckRecord, initialState, UUID_PATTERN } from '../checks/model.js';
import type { WatchEngine } from '../engine/index.js';
import type { Store } from '../store/types.js';
import { checkJson, isoSeconds, pingJson, probeHourJson, probeResultJson, uniqueKey } from './check-json.js';
import { applySpec, type CheckSpec, defaultDef, matchesUnique, parseCheckSpec } from './check-spec.js';

/** Largest management-API request body read (a check definition is a few hundred bytes). */
const API_BODY_LIMIT = 1024 * 1024;

/**
 * The management API, a Healthchecks v3 subset under /api/v3/. Keys travel in `X-Api-Key` and
 * are kept only as SHA-256 hashes. Read-only keys may only read checks and flips, and see a
 * `unique_key` instead of the uuid and URLs. Checks from the config file can be paused and
 * resumed here, not redefined or deleted.
 */

export interface ApiKeyInfo {
  name: string;
  readOnly: boolean;
}

export interface ApiSettings {
  baseUrl: string;
  /** sha256(key) hex → key info. */
  apiKeys: ReadonlyMap<string, ApiKeyInfo>;
  channels: ReadonlyArray<{ name: string; type: string }>;
  defaultChannels: string[];
}

export interface ApiDeps {
  store: Store;
  engine: WatchEngine;
  clock: Clock;
  settings: () => ApiSettings;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

type Env = { Variables: { readOnly: boolean } };

const PING_LOG_LIMIT = 100;

export function apiApp(deps: ApiDeps): Hono<Env> {
  const app = new Hono<Env>();
  const err = (c: Context, status: 400 | 401 | 403 | 404 | 409, message: string) =>
    c.json({ error: message }, status);

  app.get('/api/v3/status/', async (c) =>
    (await deps.store.healthy()) ? c.text('OK') : c.text('unavailable', 503),
  );

  app.use('/api/v3/*', async (c, next) => {
    c.header('Access-Control-Allow-Origin', '*');
    const key = c.req.header('x-api-key');
    if (!key) return err(c, 401, 'missing api key');
    const info = deps.settings().apiKeys.get(hashApiKey(key));
    if (!info) return err(c, 401, 'wrong api key');
    c.set('readOnly', info.readOnly);
    if (info.readOnly && c.req.method !== 'GET' && c.req.method !== 'HEAD')
      return err(c, 403, 'this API key is read-only');
    await next();
  });

  const json = (c: Context<Env>, record: CheckRecord, status: 200 | 201 = 200) =>
    c.json(
      checkJson(record, {
        baseUrl: deps.settings().baseUrl,
        now: deps.clock.now(),
        readOnly: c.get('readOnly'),
        defaultChannels: deps.settings().defaultChannels,
      }),
      status,
    );

  /** Finds a check by uuid (or by unique_key for reads); answers the error itself when not found. */
  const find = async (
    c: Context<Env>,
    id: string,
    allowUniqueKey = false,
  ): Promise<CheckRecord | Response> => {
    if (UUID_PATTERN.test(id) && !c.get('readOnly')) {
      const r = await deps.store.getCheck(id.toLowerCase());
      if (r) return r;
    } else if (allowUniqueKey && /^[0-9a-f]{40}$/.test(id)) {
      const r = (await deps.store.listChecks()).find((x) => uniqueKey(x.uuid) === id);
      if (r) return r;
    } else if (!UUID_PATTERN.test(id)) {
      return err(c, 400, 'invalid check identifier');
    }
    return err(c, 404, 'not found');
  };

  /** The JSON body; undefined (a 400, as Healthchecks answers) when it is not JSON or too large. */
  const readBody = async (c: Context): Promise<unknown> => {
    let text: string;
    try {
      text = (await readRequestBody(c, API_BODY_LIMIT, 'reject')).toString('utf8');
    } catch (e) {
      if (isAppError(e) && e.code === 'AP_PAYLOAD_TOO_LARGE') return undefined;
      throw e;
    }
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };

  /** `*` = every channel, `` = none, else a comma-separated list of names. */
  const resolveChannels = (spec: CheckSpec): { channels?: string[]; error?: string } => {
    if (spec.channels === undefined) return {};
    const all = deps.settings().channels.map((ch) => ch.name);
    if (spec.channels === '*') return { channels: all };
    if (spec.channels === '') return { channels: [] };
    const out: string[] = [];
    for (const name of spec.channels.split(',')) {
      if (name === '') return { error: 'empty channel identifier' };
      if (!all.includes(name)) return { error: `invalid channel identifier: ${name}` };
      if (!out.includes(name)) out.push(name);
    }
    return { channels: out };
  };

  app.get('/api/v3/checks/', async (c) => {
    const tags = c.req.queries('tag') ?? [];
    const slug = c.req.query('slug');
    const checks = (await deps.store.listChecks()).filter(
      (r) => tags.every((t) => r.def.tags.includes(t)) && (slug === undefined || r.def.slug === slug),
    );
    const ctx = {
      baseUrl: deps.settings().baseUrl,
      now: deps.clock.now(),
      readOnly: c.get('readOnly'),
      defaultChannels: deps.settings().defaultChannels,
    };
    return c.json({ checks: checks.map((r) => checkJson(r, ctx)) });
  });

  app.post('/api/v3/checks/', async (c) => {
    const parsed = parseCheckSpec(await readBody(c));
    if (!parsed.ok) return err(c, 400, parsed.error);
    const spec = parsed.spec;
    const ch = resolveChannels(spec);
    if (ch.error) return err(c, 400, ch.error);
    if (spec.unique && spec.unique.length > 0) {
      const existing = (await deps.store.listChecks()).find((r) => matchesUnique(r.def, spec));
      if (existing) {
        if (existing.managed) return err(c, 403, 'this check is defined in the config file');
        const updated = await update(existing.uuid, spec, ch.channels);
        return updated ? json(c, updated, 200) : err(c, 404, 'not found');
      }
    }
    const now = deps.clock.now();
    const def = applySpec(defaultDef(), spec, ch.channels);
    const record: CheckRecord = {
      uuid: randomUUID(),
      managed: false,
      createdAt: now,
      def,
      state: initialState(),
    };
    await deps.store.insertCheck(record);
    return json(c, record, 201);
  });

  const update = async (uuid: string, spec: CheckSpec, channels: string[] | undefined) => {
    const updated = await deps.store.updateDefinition(uuid, (r) => {
      const def = applySpec(r.def, spec, channels);
      return { def, state: applyDefinition(def, r.state) };
    });
    if (updated) deps.engine.track(uuid, updated.state);
    return updated;
  };

  app.get('/api/v3/checks/:id', async (c) => {
    const found = await find(c, c.req.param('id'), true);
    return found instanceof Response ? found : json(c, found);
  });

  app.post('/api/v3/checks/:id', async (c) => {
    const found = await find(c, c.req.param('id'));
    if (found instanceof Response) return found;
    if (found.managed) return err(c, 403, 'this check is defined in the config file; change it there');
    const parsed = parseCheckSpec(await readBody(c));
    if (!parsed.ok) return err(c, 400, parsed.error);
    const ch = resolveChannels(parsed.spec);
    if (ch.error) return err(c, 400, ch.error);
    const updated = await update(found.uuid, parsed.spec, ch.channels);
    return updated ? json(c, updated) : err(c, 404, 'not found');
  });

  app.delete('/api/v3/checks/:id', async (c) => {
    const found = await find(c, c.req.param('id'));
    if (found instanceof Response) return found;
    if (found.managed) return err(c, 403, 'this check is defined in the config file; remove it there');
    await deps.store.deleteCheck(found.uuid);
    deps.engine.track(found.uuid, undefined);
    return json(c, found);
  });

  app.post('/api/v3/checks/:id/pause', async (c) => {
    const found = await find(c, c.req.param('id'));
    if (found instanceof Response) return found;
    const r = await deps.engine.pause(found.uuid);
    return r ? json(c, r) : err(c, 404, 'not found');
  });

  app.post('/api/v3/checks/:id/resume', async (c) => {
    const found = await find(c, c.req.param('id'));
    if (found instanceof Response) return found;
    if (found.state.status !== 'paused') return err(c, 409, 'check is not paused');
    const r = await deps.engine.resume(found.uuid);
    return r ? json(c, r) : err(c, 404, 'not found');
  });

  app.get('/api/v3/checks/:id/pings/', async (c) => {
    if (c.get('readOnly')) return err(c, 403, 'read-only API keys cannot read pings');
    const found = await find(c, c.req.param('id'));
    if (found instanceof Response) return found;
    const base = `${deps.settings().baseUrl}/api/v3/checks/${found.uuid}/pings`;
    const pings = await deps.store.listPings(found.uuid, PING_LOG_LIMIT);
    return c.json({ pings: pings.map((p) => pingJson(p, base)) });
  });

  app.get('/api/v3/checks/:id/pings/:n/body', async (c) => {
    if (c.get('readOnly')) return err(c, 403, 'read-only API keys cannot read pings');
    const found = await find(c, c.req.param('id'));
    if (found instanceof Response) return found;
    const n = Number(c.req.param('n'));
    if (!Number.isInteger(n) || n < 1) return err(c, 404, 'not found');
    const body = await deps.store.pingBody(found.uuid, n);
    if (!body) return err(c, 404, 'not found');
    return c.text(body);
  });

  app.get('/api/v3/checks/:id/flips/', async (c) => {
    const found = await find(c, c.req.param('id'), true);
    if (found instanceof Response) return found;
    const range = timeRange(c, deps.clock.now());
    if (!range) return err(c, 400, 'invalid flips filter');
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

  // Probe results: the last (up to 1 000) results, newest first, and per-hour aggregates.
  const results = async (c: Context<Env>) => {
    const found = await find(c, c.req.param('id') as string, true);
    if (found instanceof Response) return found;
    if (!found.def.probe) return err(c, 400, 'this check is not a probe');
    const limitText = c.req.query('limit');
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return err(c, 400, 'invalid limit: expected 1 to 1000');
    const rows = await deps.store.listProbeResults(found.uuid, limit);
    return c.json({ results: rows.map(probeResultJson) });
  };
  app.get('/api/v3/checks/:id/results', results);
  app.get('/api/v3/checks/:id/results/', results);

  const hourly = async (c: Context<Env>) => {
    const found = await find(c, c.req.param('id') as string, true);
    if (found instanceof Response) return found;
    if (!found.def.probe) return err(c, 400, 'this check is not a probe');
    const range = timeRange(c, deps.clock.now());
    if (!range) return err(c, 400, 'invalid hourly filter');
    // An hour is included when any part of it is in the range.
    if (range.from !== undefined) range.from = Math.floor(range.from / 3_600_000) * 3_600_000;
    const rows = await deps.store.listProbeHours(found.uuid, range);
    return c.json({ hours: rows.map(probeHourJson) });
  };
  app.get('/api/v3/checks/:id/results/hourly', hourly);
  app.get('/api/v3/checks/:id/results/hourly/', hourly);

  app.get('/api/v3/checks/:id/notifications/', async (c) => {
    if (c.get('readOnly')) return err(c, 403, 'read-only API keys cannot read notifications');
    const found = await find(c, c.req.param('id'));
    if (found instanceof Response) return found;
    const jobs = await deps.store.listJobs(found.uuid, 100);
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

  app.get('/api/v3/channels/', (c) => {
    if (c.get('readOnly')) return err(c, 403, 'read-only API keys cannot list channels');
    return c.json({
      channels: deps.settings().channels.map((ch) => ({ id: ch.name, name: ch.name, kind: ch.type })),
    });
  });

  app.all('/api/v3/*', (c) => err(c, 404, 'not found'));
  return app;
}

/** `?seconds=`, `?start=`, `?end=` (Unix seconds) as a range in ms; undefined when malformed. */
function timeRange(c: Context, now: number): { from?: number; to?: number } | undefined {
  const num = (name: string) => {
    const v = c.req.query(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 ? n : Number.NaN;
  };
  const seconds = num('seconds');
  const start = num('start');
  const end = num('end');
  if ([seconds, start, end].some((v) => Number.isNaN(v))) return undefined;
  let from = start !== undefined ? start * 1000 : undefined;
  if (seconds !== undefined) from = Math.max(from ?? 0, now - seconds * 1000);
  return { ...(from !== undefined ? { from } : {}), ...(end !== undefined ? { to: end * 1000 } : {}) };
}
