import { request } from 'undici';
import { backoffDelay } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import { AppError } from './errors.js';
import { describeNetworkError, userAgent } from './net.js';
import { redactSecrets } from './redact.js';

/**
 * POSTs a small body to a URL we report to (a deadman ping, a failure report), retrying 5xx and
 * network errors with backoff until `deadline`. A 2xx resolves; a 4xx is a refusal
 * (AP_UPSTREAM_REJECTED); anything else by the deadline is AP_UNAVAILABLE.
 */
export async function postReport(
  url: string,
  body: string,
  options: { deadline: number; clock?: Clock; contentType?: string; random?: () => number },
): Promise<number> {
  const clock = options.clock ?? systemClock;
  let last = 'no answer';
  for (let attempt = 0; ; attempt++) {
    const timeoutMs = options.deadline - clock.now();
    if (timeoutMs <= 0) break;
    try {
      const res = await request(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': options.contentType ?? 'text/plain; charset=utf-8',
          'user-agent': userAgent(),
        },
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      if (res.statusCode < 300) return res.statusCode;
      last = `HTTP ${res.statusCode}`;
      if (res.statusCode < 500 && res.statusCode !== 429) {
        throw new AppError('AP_UPSTREAM_REJECTED', `${redactSecrets(url)} answered ${last}`);
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      last = describeNetworkError(err, timeoutMs, (err as Error).name === 'TimeoutError');
    }
    const wait = backoffDelay(attempt, options.random);
    if (clock.now() + wait >= options.deadline) break;
    await clock.sleep(wait);
  }
  throw new AppError(
    'AP_UNAVAILABLE',
    `${redactSecrets(url)} did not answer 2xx before the deadline (last: ${last})`,
    {
      retryAfterSeconds: 1,
    },
  );
}
