import { connect } from 'node:net';
import { type AttemptOutcome, describeNetworkError } from './outcome.js';

/** One TCP connect attempt: open, then close at once. */
export function tcpAttempt(
  host: string,
  port: number,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<AttemptOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let done = false;
    const finish = (outcome: AttemptOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const fail = (err: unknown, timedOut: boolean) =>
      finish({
        kind: 'error',
        reason: describeNetworkError(err, options.timeoutMs, timedOut),
        latencyMs: performance.now() - started,
      });
    const timer = setTimeout(() => fail(undefined, true), options.timeoutMs);
    const onAbort = () => fail(new Error('aborted'), false);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => finish({ kind: 'connected', latencyMs: performance.now() - started }));
    socket.once('error', (err) => fail(err, false));
  });
}
