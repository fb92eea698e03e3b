import { type Context, Hono } from 'hono';
import type { Clock } from '../../lib/clock.js';
import { readRequestBody } from '../../lib/http-body.js';
import { type PingInput, SLUG_PATTERN, UUID_PATTERN } from '../checks/model.js';
import type { WatchEngine } from '../engine/index.js';
import type { Store } from '../store/types.js';

/**
 * The ping API, compatible with Healthchecks.io's down to status codes and bodies:
 *   /ping/<uuid>[/start|/fail|/log|/<0-255>]
 *   /ping/<pingKey>/<slug>[/start|/fail|/log|/<0-255>][?create=1]
 * Any method; the body is kept up to `pingBodyLimit` bytes; `?rid=<uuid>` pairs start and end.
 * A ping is answered `OK` only once it is committed to the store.
 */

export interface PingSettings {
  pingKey: string;
  pingBodyLimit: number;
}

export interface PingApiDeps {
  engine: WatchEngine;
  store: Store;
  clock: Clock;
  settings: () => PingSettings;
  /** Creates a check for `?create=1` and returns its uuid. */
  createFromSlug: (slug: string) => Promise<string>;
}

type Action = PingInput['action'];
interface Target {
  action: Action;
  exitStatus?: number;
}

const SUFFIX: Record<string, Action> = { start: 'start', fail: 'fail', log: 'log' };

/** `[]`, `['start']`, `['3']` → what the URL asks for; undefined when the shape is wrong. */
function parseSuffix(rest: string[]): Target | 'too-large' | undefined {
  if (rest.length === 0) return { action: 'success' };
  if (rest.length > 1) return undefined;
  const s = rest[0] as string;
  const named = SUFFIX[s];
  if (named) return { action: named };
  if (/^\d{1,9}$/.test(s)) {
    const code = Number(s);
    if (code > 255) return 'too-large';
    return { action: code === 0 ? 'success' : 'fail', exitStatus: code };
  }
  return undefined;
}

export function pingApp(deps: PingApiDeps): Hono {
  const app = new Hono();
  const creating = new Map<string, Promise<string>>();

  const answer = (c: Context, status: 200 | 201 | 400 | 404 | 409, text: string) => {
    c.header('Ping-Body-Limit', String(deps.settings().pingBodyLimit));
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cache-Control', 'no-cache');
    return c.text(text, status);
  };

  app.all('/ping/*', async (c) => {
    const path = c.req.path.slice('/ping/'.length);
    const parts = path.split('/');
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    const first = parts[0] ?? '';
    const settings = deps.settings();

    let uuid: string | undefined;
    let slug: string | undefined;
    let target: ReturnType<typeof parseSuffix>;
    if (UUID_PATTERN.test(first)) {
      uuid = first.toLowerCase();
      target = parseSuffix(parts.slice(1));
    } else {
      slug = parts[1];
      if (first === '' || slug === undefined || !SLUG_PATTERN.test(slug))
        return answer(c, 400, 'invalid url format');
      target = parseSuffix(parts.slice(2));
    }

    const rid = c.req.query('rid');
    const badRid = rid !== undefined && !UUID_PATTERN.test(rid);
    if (target === undefined || target === 'too-large' || badRid) {
      // Healthchecks looks the check up first: an unknown check is a 404 whatever else is wrong.
      if (uuid !== undefined && !(await deps.store.getCheck(uuid))) return answer(c, 404, 'not found');
      if (target === undefined || target === 'too-large') return answer(c, 400, 'invalid url format');
      return answer(c, 400, 'invalid uuid format');
    }

    let created = false;
    if (slug !== undefined) {
      if (first !== settings.pingKey) return answer(c, 404, 'not found');
      const matches = await deps.store.checksBySlug(slug);
      if (matches.length > 1) return answer(c, 409, 'ambiguous slug');
      uuid = matches[0]?.uuid;
      if (uuid === undefined) {
        if (c.req.query('create') !== '1') return answer(c, 404, 'not found');
        // One creation per slug even when several first pings race.
        let pending = creating.get(slug);
        if (!pending) {
          pending = (async () => {
            const again = await deps.store.checksBySlug(slug);
            if (again[0]) return again[0].uuid;
            created = true;
            return deps.createFromSlug(slug);
          })().finally(() => creating.delete(slug));
          creating.set(slug, pending);
        }
        uuid = await pending;
      }
    }

    const input: PingInput = {
      action: target.action,
      at: deps.clock.now(),
      method: c.req.method,
      scheme: c.req.header('x-forwarded-proto') ?? 'http',
      remoteAddr: remoteAddress(c),
      userAgent: (c.req.header('user-agent') ?? '').slice(0, 200),
      ...(target.exitStatus !== undefined ? { exitStatus: target.exitStatus } : {}),
      ...(rid !== undefined ? { rid: rid.toLowerCase() } : {}),
    };
    const body = await readBody(c, settings.pingBodyLimit);
    if (body !== undefined) input.body = body;

    const outcome = await deps.engine.ping(uuid as string, input);
    if (!outcome) return answer(c, 404, 'not found');
    return created ? answer(c, 201, 'Created') : answer(c, 200, 'OK');
  });
  return app;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

async function readBody(c: Context, limit: number): Promise<string | undefined> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return undefined;
  // The first `limit` bytes are kept (Healthchecks' rule); the rest is read and dropped.
  const buf = await readRequestBody(c, limit, 'truncate');
  if (buf.length === 0) return undefined;
  return decoder.decode(buf).replace(/\uFFFD$/, '');
}

export function remoteAddress(c: Context): string {
  const forwarded = c.req.header('x-forwarded-for');
  if (forwarded) return (forwarded.split(',')[0] ?? '').trim();
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? '';
}
