import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../../lib/errors.js';
import { type ApiDeps, type ApiEnv, forbidden } from './context.js';

/**
 * API keys: sent in `X-Api-Key`, kept only as SHA-256 hashes. A read-only key may only read,
 * and sees a `unique_key` instead of uuids and URLs.
 */

export interface ApiKeyInfo {
  name: string;
  readOnly: boolean;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function requireApiKey(deps: ApiDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = c.req.header('x-api-key');
    if (!key) throw new AppError('AP_UNAUTHORIZED', 'missing api key');
    const info = deps.settings().apiKeys.get(hashApiKey(key));
    if (!info) throw new AppError('AP_UNAUTHORIZED', 'wrong api key');
    c.set('readOnly', info.readOnly);
    if (info.readOnly && c.req.method !== 'GET' && c.req.method !== 'HEAD')
      throw forbidden('this API key is read-only');
    await next();
  };
}

/** Some reads carry what a read-only key must not see (ping bodies, channels, notifications). */
export function requireWriteKey(what: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (c.get('readOnly')) throw forbidden(`read-only API keys cannot ${what}`);
    await next();
  };
}
