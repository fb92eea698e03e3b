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
}

/**
 * One configured channel. `send` resolves when delivered and throws an Error with a short,
 * secret-free reason when this try failed; the engine's outbox retries and records outcomes.
 */
export interface ChannelTransport {
  readonly name: string;
  readonly type: string;
  send(n: Notification, signal: AbortSignal): Promise<void>;
}
