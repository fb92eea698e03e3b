/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Pure; `now` is injected.
 * Returns milliseconds to wait (never negative), or undefined when the header is absent or bad.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  if (/^\d/.test(raw)) return undefined; // "1.5", "10s": not the grammar
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** How long the audit waits on a 429 when the registry gives no usable `Retry-After`. */
export const DEFAULT_RETRY_AFTER_MS = 1000;
/** The longest the audit waits on a 429; a registry that asks for more is reported unverified. */
export const MAX_RETRY_AFTER_MS = 60_000;

export type RateLimitDecision = { wait: true; ms: number } | { wait: false; reason: string };

/** Whether to wait out a 429 and try once more, and for how long. */
export function decideRateLimitWait(header: string | string[] | undefined, now: number): RateLimitDecision {
  const ms = parseRetryAfter(header, now);
  if (ms === undefined) return { wait: true, ms: DEFAULT_RETRY_AFTER_MS };
  if (ms > MAX_RETRY_AFTER_MS) {
    return {
      wait: false,
      reason: `rate limited (HTTP 429, Retry-After ${Math.ceil(ms / 1000)} s is over the ${MAX_RETRY_AFTER_MS / 1000} s the audit waits)`,
    };
  }
  return { wait: true, ms };
}
