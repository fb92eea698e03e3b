import { backoffDelay } from '../../lib/backoff.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { TimerLoop } from '../../lib/timer-loop.js';
import type { WatchMetrics } from '../metrics.js';
import { type FailureInfo, failureOf, transientFailure } from '../notify/failure.js';
import { type ChannelHealth, channelHealth } from '../notify/health.js';
import { withDeadline } from '../notify/timeout.js';
import type { ChannelTransport, Notification, SendContext } from '../notify/types.js';
import type { OutboxJob, Store } from '../store/types.js';

/**
 * Delivers the outbox: claims due jobs with a conditional update (safe with several senders),
 * makes one try per claim, and records the outcome. A transient failure is retried with backoff
 * (never before the retry time a rate-limited service asked for), up to `maxTries`; a permanent
 * one is not retried at all. When every job of a flip failed for good, the store queues the
 * fallback channels. Every try's outcome is also kept per channel (see `channelHealth`).
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
  /** Longest one try may take (default 15 s). */
  sendTimeoutMs?: number;
  /** How long a claim holds a job (default: the send timeout plus 5 s). */
  leaseMs?: number;
  concurrency?: number;
  random?: () => number;
  /** Called after a try's outcome is recorded as its channel's health. */
  onChannelOutcome?: (channel: string) => void | Promise<void>;
}

/** A claim outlives its try by this much: a sender that died mid-try is replaced soon after. */
export const LEASE_MARGIN_MS = 5000;

/** The outcome of one try: undefined when delivered. */
export type TryOutcome = FailureInfo | undefined;

export class OutboxSender extends TimerLoop {
  private readonly o: Required<Omit<OutboxOptions, 'random' | 'onChannelOutcome'>> &
    Pick<OutboxOptions, 'onChannelOutcome'> & { random: () => number };
  private kicked = false;
  private requeued = false;

  constructor(options: OutboxOptions) {
    super(options.clock);
    const sendTimeoutMs = options.sendTimeoutMs ?? 15_000;
    this.o = {
      maxTries: 3,
      retryBaseMs: 2000,
      concurrency: 16,
      random: Math.random,
      ...options,
      sendTimeoutMs,
      leaseMs: options.leaseMs ?? sendTimeoutMs + LEASE_MARGIN_MS,
    };
  }

  /** New jobs were queued: look now rather than at the next planned time. */
  kick(): void {
    this.kicked = true;
    this.alarm.wake();
  }

  /**
   * Sends one notification through a channel now, outside the outbox (a test notification),
   * with the same timeout, and records the outcome in the channel's health.
   */
  async sendNow(
    channel: string,
    n: Notification,
    key: string,
  ): Promise<{ found: boolean; outcome?: TryOutcome }> {
    const transport = this.o.transports().get(channel);
    if (!transport) return { found: false };
    const outcome = await this.attempt(transport, n, { key });
    await this.recordHealth(channel, transport, outcome);
    return { found: true, outcome };
  }

  /** Each configured channel's health, from the last try through it (any instance's). */
  async channelHealth(): Promise<Map<string, ChannelHealth>> {
    return channelHealth(this.o.transports(), await this.o.store.channelOutcomes());
  }

  protected async loop(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      if (!this.requeued) {
        this.requeued = true;
        try {
          const n = await this.o.store.requeueClaimed(this.o.clock.now());
          if (n > 0)
            this.o.logger.warn({ jobs: n }, 'outbox: retrying notifications a previous run left mid-send');
        } catch (err) {
          this.o.logger.error({ err }, 'outbox: cannot requeue jobs left mid-send');
        }
      }
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

  /** One try, bounded by the send timeout (a deadline that cannot be lost: ../notify/timeout.ts). */
  private async attempt(transport: ChannelTransport, n: Notification, ctx: SendContext): Promise<TryOutcome> {
    if (this.abort.signal.aborted) return failureOf(transientFailure('watch is stopping'));
    try {
      await withDeadline(
        this.o.sendTimeoutMs,
        this.abort.signal,
        (signal) => transport.send(n, signal, ctx),
        () => transientFailure(`no answer within ${Math.round(this.o.sendTimeoutMs / 100) / 10} s`),
      );
      return undefined;
    } catch (err) {
      return failureOf(err);
    }
  }

  private async deliver(job: OutboxJob): Promise<void> {
    const { clock, logger, metrics } = this.o;
    const startedAt = clock.now();
    if (job.tries === 1 && !job.isFallback && job.event === 'down') {
      metrics.alertDelay.observe(Math.max(0, startedAt - job.causedAt) / 1000);
    }
    const transport = this.o.transports().get(job.channel);
    const failure: TryOutcome = transport
      ? await this.attempt(transport, job.notification, { key: `${job.group}.${job.id}` })
      : { message: `channel "${job.channel}" is not configured`, kind: 'permanent' };
    const at = clock.now();
    const retry = failure !== undefined && failure.kind === 'transient' && job.tries < this.o.maxTries;
    const outcome = failure === undefined ? 'sent' : retry ? 'retry' : 'failed';
    metrics.notifications.inc({ channel: job.channel, outcome });
    const log = {
      check: job.notification.check.name,
      channel: job.channel,
      event: job.event,
      try: job.tries,
    };
    if (failure === undefined) logger.info(log, 'notification sent');
    else
      logger.warn(
        { ...log, error: failure.message, permanent: failure.kind === 'permanent' },
        retry
          ? 'notification try failed; will retry'
          : failure.kind === 'permanent'
            ? 'notification failed permanently; not retrying'
            : 'notification failed',
      );
    try {
      const backoff = backoffDelay(job.tries - 1, this.o.random, this.o.retryBaseMs, 60_000);
      const { fallbackQueued } = await this.o.store.finishJob(job.id, {
        at,
        ok: failure === undefined,
        ...(failure !== undefined ? { error: failure.message } : {}),
        ...(retry ? { retryAt: at + Math.max(backoff, failure.retryAfterMs ?? 0) } : {}),
      });
      if (fallbackQueued > 0)
        logger.warn(
          { check: log.check, count: fallbackQueued },
          'every channel failed: trying fallback channels',
        );
    } catch (err) {
      logger.error({ err, job: job.id }, 'outbox: cannot record the outcome');
    }
    if (transport) await this.recordHealth(job.channel, transport, failure);
  }

  private async recordHealth(
    channel: string,
    transport: ChannelTransport,
    failure: TryOutcome,
  ): Promise<void> {
    try {
      await this.o.store.recordChannelOutcome({
        channel,
        at: this.o.clock.now(),
        ok: failure === undefined,
        permanent: failure?.kind === 'permanent',
        error: failure?.message ?? null,
        fingerprint: transport.fingerprint ?? '',
      });
      await this.o.onChannelOutcome?.(channel);
    } catch (err) {
      this.o.logger.error({ err, channel }, 'outbox: cannot record the channel outcome');
    }
  }
}
