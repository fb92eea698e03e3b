/** Exponential backoff with jitter: attempt 0 waits 50–100 % of `startMs`, doubling up to `maxMs`. */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  startMs = 250,
  maxMs = 4000,
): number {
  const base = Math.min(maxMs, startMs * 2 ** attempt);
  return Math.round(base / 2 + random() * (base / 2));
}
