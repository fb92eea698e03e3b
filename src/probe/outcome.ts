/**
 * What one attempt against a target found. `wait` and watch's probes share these, and the
 * one-line `reason` is what operators read in journals and pages.
 */
export type AttemptOutcome =
  | { kind: 'http'; status: number; latencyMs: number; body?: string }
  | { kind: 'connected'; latencyMs: number }
  | { kind: 'error'; reason: string; latencyMs: number };

export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'http':
      return `HTTP ${outcome.status}`;
    case 'connected':
      return 'connected';
    case 'error':
      return outcome.reason;
  }
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
