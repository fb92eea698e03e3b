import { backoffDelay } from '../../lib/backoff.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { TimerLoop } from '../../lib/timer-loop.js';
import type { WatchMetrics } from '../metrics.js';
import type { ChannelTransport } from '../notify/types.js';
import type { OutboxJob, Store } from '../store/types.js';

/**
 * Delivers the outbox: claims due jobs with a conditional update (safe with several senders),
 * makes one try per claim, and records the outcome. A failed try is retried with backoff, up to
 * `maxTries`; when every job of a flip failed for good, the store queues the fallback channels.
 */
export interface OutboxOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: WatchMetrics;
  transports: () => ReadonlyMap<string, ChannelTransport>;
  maxTries?: number;
  /** Backoff before the 2nd try (doubles after; default 2 s). */
  retryBaseMs?: number;
  sendTimeoutMs?: number;
  leaseMs?: number;
  concurrency?: number;
  random?: () => number;
}

export class OutboxSender extends TimerLoop {
  private readonly o: Required<Omit<OutboxOptions, 'random'>> & { random: () => number };
  private kicked = false;

  constructor(options: OutboxOptions) {
    super(options.clock);
    this.o = {
      maxTries: 3,
      retryBaseMs: 2000,
      sendTimeoutMs: 15_000,
      leaseMs: 60_000,
      concurrency: 16,
      random: Math.random,
      ...options,
    };
  }

  /** New jobs were queued: look now rather than at the next planned time. */
  kick(): void {
    this.kicked = true;
    this.alarm.wake();
  }

  protected async loop(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      let claimed: OutboxJob[] = [];
      const free = this.o.concurrency - this.inFlightCount;
      if (free > 0) {
        try {
          claimed = await this.o.store.claimJobs(this.o.clock.now(), free, this.o.leaseMs);
        } catch (err) {
          this.o.logger.error({ err }, 'outbox: cannot claim jobs');
        }
      }
      for (const job of claimed) this.inFlightWork(this.deliver(job), () => this.kick());
      if (claimed.length > 0 && claimed.length === free) continue;
      if (this.kicked) continue;
      let waitMs = 60_000;
      try {
        const due = await this.o.store.nextJobDue();
        if (due !== undefined) waitMs = Math.max(0, Math.min(waitMs, due - this.o.clock.now()));
      } catch {
        waitMs = 1000;
      }
      if (this.kicked || !this.running) continue;
      if (waitMs === 0 && this.inFlightCount >= this.o.concurrency) waitMs = 60_000;
      if (waitMs === 0) {
        // Due but not claimable yet (another sender's lease): never spin without yielding.
        await new Promise<void>((r) => setImmediate(r));
        continue;
      }
      await this.alarm.sleep(waitMs);
    }
  }

  private async deliver(job: OutboxJob): Promise<void> {
    const { clock, logger, metrics } = this.o;
    const startedAt = clock.now();
    if (job.tries === 1 && !job.isFallback && job.event === 'down') {
      metrics.alertDelay.observe(Math.max(0, startedAt - job.causedAt) / 1000);
    }
    const transport = this.o.transports().get(job.channel);
    let error: string | undefined;
    if (!transport) {
      error = `channel "${job.channel}" is not configured`;
    } else {
      const signal = AbortSignal.any([AbortSignal.timeout(this.o.sendTimeoutMs), this.abort.signal]);
      try {
        await transport.send(job.notification, signal);
      } catch (err) {
        error = (err instanceof Error ? err.message : String(err)).slice(0, 500) || 'send failed';
      }
    }
    const at = clock.now();
    const retry = error !== undefined && transport !== undefined && job.tries < this.o.maxTries;
    const outcome = error === undefined ? 'sent' : retry ? 'retry' : 'failed';
    metrics.notifications.inc({ channel: job.channel, outcome });
    const log = {
      check: job.notification.check.name,
      channel: job.channel,
      event: job.event,
      try: job.tries,
    };
    if (error === undefined) logger.info(log, 'notification sent');
    else
      logger.warn({ ...log, error }, retry ? 'notification try failed; will retry' : 'notification failed');
    try {
      const { fallbackQueued } = await this.o.store.finishJob(job.id, {
        at,
        ok: error === undefined,
        ...(error !== undefined ? { error } : {}),
        ...(retry
          ? { retryAt: at + backoffDelay(job.tries - 1, this.o.random, this.o.retryBaseMs, 60_000) }
          : {}),
      });
      if (fallbackQueued > 0)
        logger.warn(
          { check: log.check, count: fallbackQueued },
          'every channel failed: trying fallback channels',
        );
    } catch (err) {
      logger.error({ err, job: job.id }, 'outbox: cannot record the outcome');
    }
  }
}
