import { Alarm } from './alarm.js';
import type { Clock } from './clock.js';

/**
 * The frame of a timer loop (the deadline engine, the probe scheduler, the outbox sender): one
 * loop that sleeps on an Alarm until its next due time, work it starts in flight, and a stop that
 * ends the loop, aborts the work's signal and waits for it.
 */
export abstract class TimerLoop {
  protected running = false;
  /** Aborted by stop(): the loop's sleep and the work in flight listen to it. */
  protected readonly abort = new AbortController();
  protected readonly alarm: Alarm;
  private readonly inFlight = new Set<Promise<void>>();
  private loopDone: Promise<void> | undefined;

  constructor(protected readonly clock: Clock) {
    this.alarm = new Alarm(clock, this.abort.signal);
  }

  /** The loop body: runs while `running`, sleeping on `alarm`. */
  protected abstract loop(): Promise<void>;

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops the loop, aborts the work in flight, and waits for both. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loopDone;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves when no work is in flight (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  protected get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Keeps `work` (which must not reject) in flight until it settles, then calls `after`. */
  protected inFlightWork(work: Promise<void>, after: () => void): void {
    const p = work.finally(() => {
      this.inFlight.delete(p);
      after();
    });
    this.inFlight.add(p);
  }
}
