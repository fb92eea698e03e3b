/**
 * How far the observer's clock is from ours, from the `Date` headers of its answers. Flips are
 * dated by the observer, the silence by us; an off-site observer whose clock is off by a minute
 * would otherwise shift time-to-page by a minute.
 *
 * A `Date` header is whole seconds (truncated), stamped somewhere between our send and our
 * receive. So each answer bounds the offset (observer − local) to
 * `(date − received, date + 1 s − sent)`; the bounds of all answers are intersected. The offset
 * is taken as 0 while the interval contains 0 (the clocks agree within what the headers can
 * tell), and as the interval's middle otherwise.
 */
export class ClockOffset {
  private lo = Number.NEGATIVE_INFINITY;
  private hi = Number.POSITIVE_INFINITY;
  private samples = 0;

  observe(dateHeader: string, sentAt: number, receivedAt: number): void {
    const date = Date.parse(dateHeader);
    if (!Number.isFinite(date)) return;
    const lo = date - receivedAt;
    const hi = date + 1000 - sentAt;
    if (lo > this.hi || hi < this.lo) {
      // The observer's clock stepped (or ours did): start again from this answer.
      this.lo = lo;
      this.hi = hi;
    } else {
      this.lo = Math.max(this.lo, lo);
      this.hi = Math.min(this.hi, hi);
    }
    this.samples++;
  }

  /** observer time − local time, in ms (0 when no answer said otherwise). */
  offsetMs(): number {
    if (this.samples === 0 || (this.lo <= 0 && this.hi >= 0)) return 0;
    return Math.round((this.lo + this.hi) / 2);
  }

  /** Local epoch ms as the observer's clock would read it. */
  toObserver(localMs: number): number {
    return localMs + this.offsetMs();
  }
}
