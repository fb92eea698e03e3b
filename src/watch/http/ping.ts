import { isIP } from 'node:net';
import { type Context, Hono } from 'hono';
import type { Clock } from '../../lib/clock.js';
import { readRequestBody } from '../../lib/http-body.js';
import { type PingInput, UUID_PATTERN } from '../checks/model.js';
import type { WatchEngine } from '../engine/index.js';
import type { Store } from '../store/types.js';

/**
 * The ping API, compatible with Healthchecks.io's down to status codes and bodies:
 *   /ping/<uuid>[/start|/fail|/log|/<0-255>]
 *   /ping/<pingKey>/<slug>[/start|/fail|/log|/<0-255>][?create=1]
 * A URL no such route matches is 404 `not found`, as in Healthchecks. Any method; the body is
 * kept as bytes, up to `pingBodyLimit`; `?rid=<uuid>` pairs start and end. A ping is answered
 * `OK` only once it is committed to the store.
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
/** Healthchecks' URL pieces: its `slug` path converter, and its exit-status integer. */
const URL_SLUG = /^[-a-zA-Z0-9_]+$/;
const MAX_SLUG = 100;

/** `[]`, `['start']`, `['3']` → what the URL asks for; undefined when no ping URL has this shape. */
function parseSuffix(rest: string[]): Target | undefined {
  if (rest.length === 0) return { action: 'success' };
  if (rest.length > 1) return undefined;
  const s = rest[0] as string;
  const named = SUFFIX[s];
  if (named) return { action: named };
  if (/^\d+$/.test(s)) {
    const code = Number(s);
    return { action: code === 0 ? 'success' : 'fail', exitStatus: code };
  }
  return undefined;
}

/**
 * What a ping URL names, as Healthchecks' routes read it: `/ping/<uuid>[/suffix]`, or
 * `/ping/<key>/<slug>[/suffix]` (a uuid with an unknown suffix is read as a slug URL). Undefined
 * when no route matches (404, as Healthchecks answers).
 */
function parsePingPath(
  path: string,
): (({ uuid: string } | { key: string; slug: string }) & { target: Target }) | undefined {
  const parts = path.split('/');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  const first = parts[0] ?? '';
  if (UUID_PATTERN.test(first)) {
    const target = parseSuffix(parts.slice(1));
    if (target) return { uuid: first.toLowerCase(), target };
  }
  const slug = parts[1];
  if (slug === undefined || !URL_SLUG.test(first) || !URL_SLUG.test(slug)) return undefined;
  const target = parseSuffix(parts.slice(2));
  return target ? { key: first, slug, target } : undefined;
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
    const parsed = parsePingPath(c.req.path.slice('/ping/'.length));
    if (!parsed) return answer(c, 404, 'not found');
    const settings = deps.settings();
    const { target } = parsed;
    const rid = c.req.query('rid');
    // Healthchecks' order: the slug's case, then the check, then the exit status, then the rid.
    const late = (): Response | undefined => {
      if (target.exitStatus !== undefined && target.exitStatus > 255)
        return answer(c, 400, 'invalid url format');
      if (rid !== undefined && !UUID_PATTERN.test(rid)) return answer(c, 400, 'invalid uuid format');
      return undefined;
    };

    let uuid: string;
    let created = false;
    if ('uuid' in parsed) {
      uuid = parsed.uuid;
      const bad = late();
      // An unknown check is a 404 whatever else is wrong; a known one is found by the ping itself.
      if (bad) return (await deps.store.getCheck(uuid)) ? bad : answer(c, 404, 'not found');
    } else {
      const { slug } = parsed;
      if (slug !== slug.toLowerCase()) return answer(c, 400, 'invalid url format');
      if (parsed.key !== settings.pingKey) return answer(c, 404, 'not found');
      const matches = await deps.store.checksBySlug(slug);
      if (matches.length > 1) return answer(c, 409, 'ambiguous slug');
      const found = matches[0]?.uuid;
      if (found === undefined) {
        if (c.req.query('create') !== '1') return answer(c, 404, 'not found');
        // A slug the API would refuse makes no check.
        if (slug.length > MAX_SLUG) return answer(c, 400, 'invalid url format');
        const bad = late();
        if (bad) return bad;
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
      } else {
        uuid = found;
        const bad = late();
        if (bad) return bad;
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
    const bytes = await readBody(c, settings.pingBodyLimit);
    if (bytes !== undefined) {
      input.bodyBytes = bytes;
      input.body = decoder.decode(bytes);
    }

    const outcome = await deps.engine.ping(uuid, input);
    if (!outcome) return answer(c, 404, 'not found');
    return created ? answer(c, 201, 'Created') : answer(c, 200, 'OK');
  });
  return app;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * The first `limit` bytes of the body (Healthchecks' rule; the rest is read and dropped), as
 * received; undefined when there is none. Any method may carry one.
 */
async function readBody(c: Context, limit: number): Promise<Buffer | undefined> {
  const fromNode = (c.env as { incoming?: unknown } | undefined)?.incoming !== undefined;
  const length = c.req.header('content-length');
  const none = fromNode
    ? (length === undefined || length === '0') && c.req.header('transfer-encoding') === undefined
    : c.req.raw.body === null;
  if (none) return undefined;
  const buf = await readRequestBody(c, limit, 'truncate');
  return buf.length === 0 ? undefined : buf;
}

/**
 * The client's address: the first `X-Forwarded-For` entry (as Healthchecks takes it), without
 * a port (`1.1.1.1:1234`, `[2001:db8::1]:443`); else the socket's peer.
 */
export function remoteAddress(c: Context): string {
  const forwarded = c.req.header('x-forwarded-for');
  if (forwarded) return withoutPort((forwarded.split(',')[0] ?? '').trim());
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? '';
}

function withoutPort(addr: string): string {
  if (isIP(addr)) return addr;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::\d+)?$/.exec(addr);
  if (v6 && isIP(v6[1] as string)) return v6[1] as string;
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(addr);
  if (v4 && isIP(v4[1] as string)) return v4[1] as string;
  return addr;
}
