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
