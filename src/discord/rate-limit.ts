import type { Clock } from '../lib/clock.js';

/**
 * One Discord rate-limit bucket (one per webhook). It learns from `X-RateLimit-Remaining` and
 * `X-RateLimit-Reset-After`, and from 429s, and makes callers wait out a known limit before they
 * send, so a request is never sent inside a wait. While the remaining budget is unknown, one
 * request is in flight at a time.
 */
export class RateLimitBucket {
  private remaining: number | undefined;
  private blockedUntil = 0;
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly clock: Clock,
    private readonly global: { blockedUntil: number },
  ) {}

  /** When the next request may go out (0 = now). */
  get readyAt(): number {
    return Math.max(this.blockedUntil, this.global.blockedUntil);
  }

  /**
   * Waits for a send slot. Throws `DeadlineWouldPass` with the wait it would need when the slot
   * cannot be had before `deadline`.
   */
  async acquire(deadline: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const until = this.readyAt;
      if (until > now) {
        if (until > deadline) throw new DeadlineWouldPass(until - now);
        await this.clock.sleep(until - now, signal);
        continue;
      }
      const allowed = this.remaining === undefined ? (this.inFlight === 0 ? 1 : 0) : this.remaining;
      if (allowed > 0) {
        this.inFlight++;
        if (this.remaining !== undefined) this.remaining--;
        return;
      }
      if (now >= deadline) throw new DeadlineWouldPass(1000);
      await Promise.race([
        new Promise<void>((r) => this.waiters.push(r)),
        this.clock.sleep(deadline - now, signal),
      ]);
    }
  }

  /** Records what an answer said about the limit and frees the slot. */
  release(headers?: Record<string, string | string[] | undefined>): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const remaining = num(headers?.['x-ratelimit-remaining']);
    const resetAfter = num(headers?.['x-ratelimit-reset-after']);
    if (remaining !== undefined) {
      if (remaining <= 0 && resetAfter !== undefined) {
        this.blockedUntil = Math.max(this.blockedUntil, this.clock.now() + resetAfter * 1000);
        this.remaining = undefined;
      } else {
        this.remaining = Math.max(0, remaining - this.inFlight);
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** A 429: nothing more goes out for `retryAfterMs` (on every webhook, when Discord says global). */
  block(retryAfterMs: number, global: boolean): void {
    const until = this.clock.now() + retryAfterMs;
    if (global) this.global.blockedUntil = Math.max(this.global.blockedUntil, until);
    else this.blockedUntil = Math.max(this.blockedUntil, until);
    this.remaining = undefined;
  }
}

export class DeadlineWouldPass extends Error {
  constructor(readonly waitMs: number) {
    super(`would wait ${waitMs} ms`);
  }
}

function num(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
