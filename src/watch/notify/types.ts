/**
 * What the watch engine hands a notification channel. The domain builds the text; a channel
 * only formats and delivers it.
 */
export type NotifyEvent = 'down' | 'up' | 'reminder';

export interface Notification {
  event: NotifyEvent;
  check: {
    uuid: string;
    name: string;
    slug: string;
    tags: string[];
    desc: string;
    url?: string;
    pingUrl?: string;
  };
  /** The full message line, e.g. `🔴 DOWN nightly-backup: no ping for 1h 10m (…)`. */
  text: string;
  reason: 'timeout' | 'fail' | 'success' | 'probe' | 'pause' | 'resume';
  /** Epoch ms of the flip (or reminder). */
  at: number;
  lastPing?: { at: number; body?: string; exitStatus?: number };
  /**
   * A test notification (`POST /api/v3/channels/<name>/test`): sent like a down of a made-up
   * check, but services that open incidents close them again and emergency priorities are lowered.
   */
  test?: boolean;
}

/** What stays the same across the tries of one outbox job. */
export interface SendContext {
  /**
   * Unique per job, the same on every try: services with idempotent sends (Matrix's transaction
   * id) use it so a retry after a lost answer does not post twice.
   */
  key: string;
}

/**
 * One configured channel. `send` resolves when delivered and throws when this try failed,
 * preferably a DeliveryError (./failure.ts) that says whether the failure is permanent and when
 * to retry; any other error is taken as transient. The outbox retries and records outcomes.
 */
export interface ChannelTransport {
  readonly name: string;
  readonly type: string;
  /** Changes whenever the channel's config does (so a fixed channel is no longer "broken"). */
  readonly fingerprint?: string;
  send(n: Notification, signal: AbortSignal, ctx?: SendContext): Promise<void>;
}
