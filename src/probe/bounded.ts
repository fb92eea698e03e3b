import { describeNetworkError } from '../lib/net.js';

/**
 * The frame every socket-level attempt shares: it settles exactly once, with the first of its
 * own outcome, the attempt timeout or an abort; then the timer, the abort listener and the socket
 * are released. `start` opens the socket and returns how to close it.
 */
export function boundedAttempt<T>(
  options: { timeoutMs: number; signal?: AbortSignal },
  ends: { timedOut(): T; aborted(): T },
  start: (settle: (outcome: T) => void) => () => void,
): Promise<T> {
  return new Promise((resolve) => {
    let done = false;
    let release: (() => void) | undefined;
    const settle = (outcome: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      release?.();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle(ends.timedOut()), options.timeoutMs);
    const onAbort = () => settle(ends.aborted());
    if (options.signal?.aborted) return settle(ends.aborted());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    release = start(settle);
    if (done) release();
  });
}

export type FailedAttempt = { kind: 'error'; reason: string; latencyMs: number };

/**
 * A bounded attempt over a socket: a timeout, an abort or a socket error all become a
 * FailedAttempt with the one-line reason operators read (`connection refused`, `timed out after 3 s`).
 * `start` gets `settle`, `failed(err)` and `elapsed()` (ms since the attempt began).
 */
export function socketAttempt<T>(
  options: { timeoutMs: number; signal?: AbortSignal },
  start: (
    settle: (outcome: T | FailedAttempt) => void,
    failed: (err: unknown) => FailedAttempt,
    elapsed: () => number,
  ) => () => void,
): Promise<T | FailedAttempt> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const failed = (err: unknown, timedOut = false): FailedAttempt => ({
    kind: 'error',
    reason: describeNetworkError(err, options.timeoutMs, timedOut),
    latencyMs: elapsed(),
  });
  return boundedAttempt<T | FailedAttempt>(
    options,
    { timedOut: () => failed(undefined, true), aborted: () => failed(new Error('aborted')) },
    (settle) => start(settle, (err) => failed(err), elapsed),
  );
}
