import { createHash } from 'node:crypto';

/**
 * API keys: sent in `X-Api-Key` (or as `api_key` in a POST's JSON body), kept only as SHA-256
 * hashes. A read-only key may only read, and sees a `unique_key` instead of uuids and URLs.
 */

export interface ApiKeyInfo {
  name: string;
  readOnly: boolean;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
