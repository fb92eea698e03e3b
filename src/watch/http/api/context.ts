import type { Context, Hono } from 'hono';
import type { Clock } from '../../../lib/clock.js';
import { AppError, isAppError } from '../../../lib/errors.js';
import { readRequestBody } from '../../../lib/http-body.js';
import type { IdSource } from '../../../lib/ids.js';
import { type CheckRecord, UUID_PATTERN } from '../../checks/model.js';
import { type RoutingContext, routingOf } from '../../checks/routing.js';
import type { WatchEngine } from '../../engine/index.js';
import type { Store } from '../../store/types.js';
import { type ApiVersion, checkJson, uniqueKey } from '../check-json.js';
import { type ApiKeyInfo, hashApiKey } from './keys.js';

/**
 * What every route group of the management API is handed, and the frame of an endpoint as
 * Healthchecks' decorators make it: CORS on every answer, OPTIONS answered 204, 405 for a method
 * the endpoint lacks, then the key check (`authorize` for writes and some reads, which reads a
 * POST's JSON body first since it may carry `api_key`; `authorize_read` for reads).
 */

export interface ApiSettings {
  baseUrl: string;
  /** sha256(key) hex → key info. */
  apiKeys: ReadonlyMap<string, ApiKeyInfo>;
  channels: ReadonlyArray<{ name: string; type: string }>;
  /** What decides who a check pages: defaults, configured channels, their health. */
  routing: RoutingContext;
}

export interface ApiDeps {
  store: Store;
  engine: WatchEngine;
  clock: Clock;
  ids: IdSource;
  settings: () => ApiSettings;
}

export type ApiEnv = { Variables: { readOnly: boolean; version: ApiVersion } };
export type ApiContext = Context<ApiEnv>;
/** A request's JSON object body (empty when there is none). */
export type JsonBody = Record<string, unknown>;

/** Largest management-API request body read (a check definition is a few hundred bytes). */
export const API_BODY_LIMIT = 1024 * 1024;

export const notFound = () => new AppError('AP_NOT_FOUND', 'not found');
export const invalid = (message: string) => new AppError('AP_INVALID_PAYLOAD', message);
export const forbidden = (message: string) => new AppError('AP_FORBIDDEN', message);

/** A check's JSON as the caller's key and API version may see it. */
export function renderCheck(deps: ApiDeps, c: ApiContext, record: CheckRecord) {
  return checkJson(record, {
    baseUrl: deps.settings().baseUrl,
    now: deps.clock.now(),
    readOnly: c.get('readOnly'),
    version: c.get('version'),
    routing: routingOf(record.def, deps.settings().routing),
  });
}

/** What a check id in a URL is: a uuid, a read-only `unique_key` (40 characters), or nothing. */
export function idKind(id: string): 'uuid' | 'unique-key' | undefined {
  if (UUID_PATTERN.test(id)) return 'uuid';
  if (/^[A-Za-z0-9]{40}$/.test(id)) return 'unique-key';
  return undefined;
}

/** The check an URL names, by uuid or by `unique_key`; AP_NOT_FOUND when there is none. */
export async function findCheck(deps: ApiDeps, id: string): Promise<CheckRecord> {
  const kind = idKind(id);
  if (kind === 'uuid') {
    const r = await deps.store.getCheck(id.toLowerCase());
    if (r) return r;
  } else if (kind === 'unique-key') {
    const r = (await deps.store.listChecks()).find((x) => uniqueKey(x.uuid) === id);
    if (r) return r;
  }
  throw notFound();
}

type Access = 'read' | 'write';
type Handler = (c: ApiContext, body: JsonBody) => Response | Promise<Response>;
export type Methods = Partial<Record<'GET' | 'POST' | 'DELETE', [Access, Handler]>>;

/**
 * Registers an endpoint: `methods` (or a function of the request choosing them; undefined = no
 * such resource, 404) with the key each method needs.
 */
export function endpoint(
  app: Hono<ApiEnv>,
  path: string,
  deps: ApiDeps,
  methods: Methods | ((c: ApiContext) => Methods | undefined),
): void {
  app.all(path, async (c) => {
    const m = typeof methods === 'function' ? methods(c) : methods;
    if (!m) throw notFound();
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Access-Control-Allow-Headers', 'X-Api-Key');
    c.header('Access-Control-Allow-Methods', [...Object.keys(m), 'OPTIONS'].join(', '));
    c.header('Access-Control-Max-Age', '600');
    if (c.req.method === 'OPTIONS') return c.body(null, 204);
    const method = (c.req.method === 'HEAD' ? 'GET' : c.req.method) as keyof Methods;
    const chosen = m[method];
    if (!chosen) throw new AppError('AP_METHOD_NOT_ALLOWED', 'method not allowed');
    const [access, handle] = chosen;
    const body = access === 'write' ? await authorizeWrite(deps, c) : authorizeRead(deps, c);
    return handle(c, body);
  });
}

type CheckHandler = (c: ApiContext, check: CheckRecord, body: JsonBody) => Response | Promise<Response>;

/**
 * An endpoint on one check, named by uuid (and, with `uniqueKey`, by `unique_key`); any other
 * id, or a request `accept` refuses, is no such resource (404). The check is looked up after the
 * key, as Healthchecks does, and handed to the handler.
 */
export function checkEndpoint(
  app: Hono<ApiEnv>,
  path: string,
  deps: ApiDeps,
  methods: Partial<Record<keyof Methods, [Access, CheckHandler]>>,
  opts: { uniqueKey?: boolean; accept?: (c: ApiContext) => boolean } = {},
): void {
  const wrapped: Methods = {};
  for (const [method, [access, handle]] of Object.entries(methods) as Array<
    [keyof Methods, [Access, CheckHandler]]
  >)
    wrapped[method] = [
      access,
      async (c, body) => handle(c, await findCheck(deps, c.req.param('id') as string), body),
    ];
  endpoint(app, path, deps, (c) => {
    const kind = idKind(c.req.param('id') as string);
    const known = kind === 'uuid' || (kind === 'unique-key' && opts.uniqueKey === true);
    return known && (opts.accept?.(c) ?? true) ? wrapped : undefined;
  });
}

/** Healthchecks' `authorize_read`: a read-write or read-only key, in `X-Api-Key`. */
function authorizeRead(deps: ApiDeps, c: ApiContext): JsonBody {
  const info = keyInfo(deps, c.req.header('x-api-key') ?? '');
  c.set('readOnly', info.readOnly);
  return {};
}

/**
 * Healthchecks' `authorize`: a read-write key, in `X-Api-Key` or, for a POST, as `api_key` in the
 * JSON body, which is read (and must be a JSON object) first. A read-only key is a wrong key here.
 */
async function authorizeWrite(deps: ApiDeps, c: ApiContext): Promise<JsonBody> {
  const body = c.req.method === 'POST' ? await readJsonObject(c) : {};
  const header = c.req.header('x-api-key');
  const key = header ?? (body.api_key !== undefined ? String(body.api_key) : '');
  const info = keyInfo(deps, key);
  if (info.readOnly) throw new AppError('AP_UNAUTHORIZED', 'wrong api key');
  c.set('readOnly', false);
  return body;
}

function keyInfo(deps: ApiDeps, key: string): ApiKeyInfo {
  if (key === '') throw new AppError('AP_UNAUTHORIZED', 'missing api key');
  const info = deps.settings().apiKeys.get(hashApiKey(key));
  if (!info) throw new AppError('AP_UNAUTHORIZED', 'wrong api key');
  return info;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A POST's body as a JSON object; empty when there is no body. Healthchecks' messages otherwise. */
async function readJsonObject(c: Context): Promise<JsonBody> {
  let buf: Buffer;
  try {
    buf = await readRequestBody(c, API_BODY_LIMIT, 'reject');
  } catch (e) {
    if (isAppError(e) && e.code === 'AP_PAYLOAD_TOO_LARGE')
      throw new AppError(
        'AP_PAYLOAD_TOO_LARGE',
        `request body too large: it is over the ${API_BODY_LIMIT}-byte limit`,
      );
    throw e;
  }
  if (buf.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(buf));
  } catch {
    throw invalid('could not parse request body');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid('json validation error: value is not an object');
  return parsed as JsonBody;
}

/**
 * `?start=`, `?end=` (Unix seconds, 0 to 10^10) and `?seconds=` (0 to 365 days) as Healthchecks'
 * flips filter reads them (0 means no filter), as a range in ms; undefined when malformed.
 */
export function timeRange(c: Context, now: number): { from?: number; to?: number } | undefined {
  const num = (name: string, max: number) => {
    const v = c.req.query(name);
    if (v === undefined || v === '') return 0;
    if (!/^\s*\+?\d+\s*$/.test(v)) return Number.NaN;
    const n = Number(v);
    return n <= max ? n : Number.NaN;
  };
  const start = num('start', 10_000_000_000);
  const end = num('end', 10_000_000_000);
  const seconds = num('seconds', 31_536_000);
  if ([seconds, start, end].some((v) => Number.isNaN(v))) return undefined;
  let from = start ? start * 1000 : undefined;
  if (seconds) from = Math.max(from ?? 0, now - seconds * 1000);
  return { ...(from !== undefined ? { from } : {}), ...(end ? { to: end * 1000 } : {}) };
}
