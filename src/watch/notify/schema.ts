import { z } from 'zod';
import { trimSecret } from '../../lib/secret-file.js';

/**
 * Config fragments the channel types share: service URLs checked at load (a typo or a file://
 * URL stops the start with FILE:LINE:COL, not the first page), and secrets read from `...File`
 * keys with trailing whitespace trimmed by the one secret reader (../../lib/secret-file.ts; a
 * value written inline or through `${VAR}` is trimmed the same way).
 */

/** Why `text` is not an http(s) URL with a host, or undefined when it is one. Never echoes it. */
export function serviceUrlProblem(text: string): string | undefined {
  if (text.trim() !== text || /[\s\u0000-\u001f]/.test(text)) return 'a URL has no spaces or line breaks';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected an http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `expected an http:// or https:// URL, not ${url.protocol}`;
  if (!/^\/\//.test(text.slice(url.protocol.length)))
    return 'expected http:// or https:// followed by a host';
  if (url.hostname === '') return 'the URL has no host';
  return undefined;
}

/**
 * An http(s) URL with a host; a path is allowed (a server under a prefix). Trailing whitespace
 * is dropped first: a URL that carries a token often comes from a `...File` key.
 */
export const zServiceUrl = z
  .string()
  .transform(trimSecret)
  .superRefine((s, ctx) => {
    const problem = serviceUrlProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A secret (from a `...File` key or the config): trailing whitespace dropped, never empty. */
export const zSecret = z
  .string()
  .transform(trimSecret)
  .pipe(
    z
      .string()
      .min(1, 'is empty (after trimming trailing whitespace)')
      .refine((s) => !/[\r\n]/.test(s), 'a secret is one line'),
  );

/** `base` + `path` with exactly one slash between them (a base may carry a prefix). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
