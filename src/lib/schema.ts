import { z } from 'zod';
import { tryParseDuration } from './duration.js';

/** A duration in config (`2s`, `5m`, bare seconds); parses to milliseconds. */
export const zDuration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = tryParseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 2s, 5m or 1h, got "${v}"` });
    return z.NEVER;
  }
  return ms;
});

/** An http(s) URL. */
export const zHttpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'expected an http:// or https:// URL');

/**
 * A secret sent in a header (bearer token, API key): one line with no control characters, since no
 * header can carry a line break. Files are trimmed before this check (src/lib/secret-file.ts), so
 * only a break inside the secret is refused.
 */
export const zHeaderSecret = z
  .string()
  .min(1)
  .regex(/^[^\x00-\x08\x0a-\x1f\x7f]*$/, 'a secret sent in a header is one line with no control characters');

/** `HOST:PORT`, `[::1]:PORT` or `:PORT`. */
export const zListen = z
  .string()
  .refine((s) => parseListen(s) !== undefined, 'expected HOST:PORT, e.g. 0.0.0.0:9095');

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
