/**
 * How a failed delivery is classified, once, for every channel type: **permanent** (the same
 * request will never succeed: wrong token, deleted webhook, unknown chat, invalid config) or
 * **transient** (rate limited, server error, network, timeout), with the retry time a service
 * asked for. The outbox reads only this: it stops retrying a permanent failure at once (and goes
 * to the fallback channels), and never retries a transient one before its retry time.
 */

export type FailureKind = 'permanent' | 'transient';

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    message: string,
    readonly kind: FailureKind,
    /** When the service said to try again (a 429's Retry-After / retry_after), in ms from now. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  get permanent(): boolean {
    return this.kind === 'permanent';
  }
}

export const permanentFailure = (message: string) => new DeliveryError(message, 'permanent');
export const transientFailure = (message: string, retryAfterMs?: number) =>
  new DeliveryError(message, 'transient', retryAfterMs);

/**
 * An HTTP status that is not a success: 429, 408 and 425 ask to come back later, 5xx are the
 * service's trouble, 409 may resolve itself; every other 4xx (400 bad request, 401/403 refused
 * credentials, 404 unknown webhook, chat or room, 413 too large…) repeats forever.
 */
export function statusKind(status: number): FailureKind {
  if (status === 408 || status === 409 || status === 425 || status === 429) return 'transient';
  if (status >= 400 && status < 500) return 'permanent';
  return 'transient';
}

/** Longest wait a service may ask for that is honoured as such (a longer one is capped). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** `Retry-After`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterHeader(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return clampRetry(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : clampRetry(at - now);
}

/** A retry time from a body (`retry_after` seconds, `retry_after_ms`), bounded. */
export function clampRetry(ms: number): number | undefined {
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}

/** What the outbox records of any thrown value. Unknown errors are transient (retrying is safe). */
export interface FailureInfo {
  message: string;
  kind: FailureKind;
  retryAfterMs?: number;
}

export function failureOf(err: unknown): FailureInfo {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, 500) || 'send failed';
  if (err instanceof DeliveryError)
    return {
      message,
      kind: err.kind,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    };
  return { message, kind: 'transient' };
}
