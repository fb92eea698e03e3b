/**
 * Runs `work` with a deadline that cannot be lost: a plain, referenced `setTimeout`, cleared
 * afterwards, raced against the work. (An `AbortSignal.timeout` passed into `AbortSignal.any`
 * can be garbage-collected on Node 20 and never fire: nodejs/node#57736.) The work's signal is
 * aborted at the deadline or when `stop` aborts; work that ignores its signal is abandoned at
 * the deadline all the same, and its later failure is swallowed.
 */
export async function withDeadline<T>(
  ms: number,
  stop: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
  timeoutError: () => Error,
): Promise<T> {
  const controller = new AbortController();
  const onStop = () => controller.abort(stop.reason);
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = timeoutError();
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}
