import { connect } from 'node:net';
import { boundedAttempt } from './bounded.js';
import { type AttemptOutcome, describeNetworkError } from './outcome.js';

/** One TCP connect attempt: open, then close at once. */
export function tcpAttempt(
  host: string,
  port: number,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<AttemptOutcome> {
  const started = performance.now();
  const failed = (err: unknown, timedOut: boolean): AttemptOutcome => ({
    kind: 'error',
    reason: describeNetworkError(err, options.timeoutMs, timedOut),
    latencyMs: performance.now() - started,
  });
  return boundedAttempt(
    options,
    { timedOut: () => failed(undefined, true), aborted: () => failed(new Error('aborted'), false) },
    (settle) => {
      const socket = connect({ host, port });
      socket.once('connect', () => settle({ kind: 'connected', latencyMs: performance.now() - started }));
      socket.once('error', (err) => settle(failed(err, false)));
      return () => socket.destroy();
    },
  );
}
