import type { Clock } from '../lib/clock.js';

/**
 * The drill's poller: how it waits between looks at the observer and Alertmanager. The clock and
 * the randomness are injected, so the steps are tested at simulated hours in milliseconds.
 */

export interface Poller {
  clock: Clock;
  /** Base interval between polls (2 s). */
  intervalMs: number;
  /** ± fraction of the interval added at random (0.2: 1.6 to 2.4 s). */
  jitter: number;
  random: () => number;
}

/** Sleeps `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function abortableSleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    clock.sleep(ms, signal).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export type PollAnswer<T> = { done: true; value: T } | { done: false };

/**
 * Calls `look` now and then every interval (jittered) until it answers done, or until `deadline`
 * (epoch ms on the poller's clock) has passed; a last look is made at the deadline itself, so a
 * condition met just in time is not missed. Resolves undefined on timeout.
 */
export async function pollUntil<T>(
  poller: Poller,
  deadline: number,
  look: () => Promise<PollAnswer<T>>,
  signal?: AbortSignal,
): Promise<{ value: T } | undefined> {
  for (;;) {
    const answer = await look();
    if (answer.done) return { value: answer.value };
    const now = poller.clock.now();
    if (now >= deadline) return undefined;
    const spread = (poller.random() * 2 - 1) * poller.jitter * poller.intervalMs;
    const wait = Math.max(1, Math.min(poller.intervalMs + spread, deadline - now));
    await abortableSleep(poller.clock, wait, signal);
  }
}
