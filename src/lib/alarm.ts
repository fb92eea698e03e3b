import type { Clock } from './clock.js';

/**
 * The sleep of a timer loop (deadlines, probes, the outbox): it sleeps towards its next due time
 * and is woken early when an earlier one appears, or when the loop stops. Each sleep has its own
 * controller, so waking early cancels the timer instead of leaving it behind.
 */
export class Alarm {
  private wakeUp: (() => void) | undefined;
  /** When the current sleep ends; infinity while not sleeping. */
  private wakeAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly stop: AbortSignal,
  ) {}

  async sleep(ms: number): Promise<void> {
    if (this.stop.aborted) return;
    this.wakeAt = this.clock.now() + ms;
    const sleeping = new AbortController();
    // Waking resolves at once, whatever the clock does with an aborted sleep (a test clock ignores it).
    const onStop = () => this.wakeUp?.();
    await new Promise<void>((resolve) => {
      this.wakeUp = () => {
        sleeping.abort();
        resolve();
      };
      this.stop.addEventListener('abort', onStop, { once: true });
      this.clock.sleep(ms, sleeping.signal).then(resolve, resolve);
    });
    this.stop.removeEventListener('abort', onStop);
    this.wakeUp = undefined;
    this.wakeAt = Number.POSITIVE_INFINITY;
  }

  /** Ends the current sleep now. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Ends the current sleep if `at` comes before the time it sleeps towards. */
  wakeBefore(at: number): void {
    if (at < this.wakeAt) this.wakeUp?.();
  }
}
