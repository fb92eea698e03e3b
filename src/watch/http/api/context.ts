import type { Context } from 'hono';
import type { Clock } from '../../../lib/clock.js';
import { AppError, isAppError } from '../../../lib/errors.js';
import { readRequestBody } from '../../../lib/http-body.js';
import type { IdSource } from '../../../lib/ids.js';
import { type CheckRecord, UUID_PATTERN } from '../../checks/model.js';
import type { WatchEngine } from '../../engine/index.js';
import type { Store } from '../../store/types.js';
import { checkJson, uniqueKey } from '../check-json.js';
import type { ApiKeyInfo } from './keys.js';

/** What every route group of the management API is handed. */

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
  ids: IdSource;
  settings: () => ApiSettings;
}

export type ApiEnv = { Variables: { readOnly: boolean } };
export type ApiContext = Context<ApiEnv>;

/** Largest management-API request body read (a check definition is a few hundred bytes). */
const API_BODY_LIMIT = 1024 * 1024;

export const notFound = () => new AppError('AP_NOT_FOUND', 'not found');
export const invalid = (message: string) => new AppError('AP_INVALID_PAYLOAD', message);
export const forbidden = (message: string) => new AppError('AP_FORBIDDEN', message);

/** A check's JSON as the caller's key may see it. */
export function renderCheck(deps: ApiDeps, c: ApiContext, record: CheckRecord) {
  return checkJson(record, {
    baseUrl: deps.settings().baseUrl,
    now: deps.clock.now(),
    readOnly: c.get('readOnly'),
    defaultChannels: deps.settings().defaultChannels,
  });
}

/**
 * The check an URL names: by uuid (read-write keys), or by `unique_key` where reads allow it
 * (read-only keys see no uuids). Throws AP_NOT_FOUND, or AP_INVALID_PAYLOAD for a malformed id.
 */
export async function findCheck(
  deps: ApiDeps,
  c: ApiContext,
  id: string,
  allowUniqueKey = false,
): Promise<CheckRecord> {
  if (UUID_PATTERN.test(id) && !c.get('readOnly')) {
    const r = await deps.store.getCheck(id.toLowerCase());
    if (r) return r;
  } else if (allowUniqueKey && /^[0-9a-f]{40}$/.test(id)) {
    const r = (await deps.store.listChecks()).find((x) => uniqueKey(x.uuid) === id);
    if (r) return r;
  } else if (!UUID_PATTERN.test(id)) {
    throw invalid('invalid check identifier');
  }
  throw notFound();
}

/** The JSON body; undefined (a 400, as Healthchecks answers) when it is not JSON or too large. */
export async function readJsonBody(c: Context): Promise<unknown> {
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
}

/** `?seconds=`, `?start=`, `?end=` (Unix seconds) as a range in ms; undefined when malformed. */
export function timeRange(c: Context, now: number): { from?: number; to?: number } | undefined {
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
