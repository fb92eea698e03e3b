import { packageVersion } from './version.js';

/**
 * What every outbound HTTP request of alertpath shares, without loading an HTTP client (so that
 * `alertpath wait` starts fast): the User-Agent it sends, and the one-line description of a
 * failed connection that operators read in logs, pages and findings.
 */

let agent: string | undefined;

/** `alertpath/<version>`, with the command that sends it: `alertpath/0.1.0 (watch)`. */
export function userAgent(component?: string): string {
  agent ??= `alertpath/${packageVersion()}`;
  return component ? `${agent} (${component})` : agent;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/**
 * One short reason for a failed connection, whatever layer it failed in: `connection refused`,
 * `DNS: no such host storage.lan`, `TLS: self-signed certificate`, `timed out after 3 s`.
 */
export function describeNetworkError(err: unknown, timeoutMs: number, timedOut: boolean): string {
  if (timedOut) return `timed out after ${formatSeconds(timeoutMs)}`;
  const e = innermost(err);
  const code = typeof e.code === 'string' ? e.code : '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
      return `DNS: no such host${e.hostname ? ` ${String(e.hostname)}` : ''}`;
    case 'EAI_AGAIN':
      return `DNS: lookup failed${e.hostname ? ` for ${String(e.hostname)}` : ''}`;
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `timed out after ${formatSeconds(timeoutMs)}`;
  }
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /certificate|ssl|tls/i.test(e.message ?? '')
  ) {
    return `TLS: ${e.message ?? code}`;
  }
  return e.message ? e.message : code || 'failed';
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function innermost(err: unknown): { code?: unknown; message?: string; hostname?: unknown } {
  let e = err as {
    cause?: unknown;
    code?: unknown;
    message?: string;
    hostname?: unknown;
    errors?: unknown[];
  };
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    if (typeof e.code === 'string') return e;
    const next = e.cause ?? e.errors?.[0];
    if (!next || typeof next !== 'object') break;
    e = next as typeof e;
  }
  return e ?? {};
}
