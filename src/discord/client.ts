import { type Dispatcher, request } from 'undici';
import { backoffDelay } from '../lib/backoff.js';
import { type Clock, systemClock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import type { DiscordMessage } from './message.js';
import { DeadlineWouldPass, RateLimitBucket } from './rate-limit.js';
import { parseWebhookUrl, type WebhookUrl } from './webhook-url.js';

/**
 * The Discord webhook client every alertpath command uses. It shares one rate-limit bucket per
 * webhook with every other client of that webhook (see RateLimits), and owns the
 * retries (429 → wait `retry_after`; 5xx and network errors → exponential backoff with jitter,
 * starting at 250 ms) and the deadline: it never sends inside a rate-limit wait, and when the
 * deadline cannot be met it fails with AP_UNAVAILABLE (HTTP 503) instead of waiting past it.
 * A refusal Discord will repeat (400 form error, 401, 403, 404) fails with AP_DISCORD_REJECTED.
 */
export interface DiscordWebhookOptions {
  clock?: Clock;
  logger?: Logger;
  threadId?: string;
  username?: string;
  avatarUrl?: string;
  dispatcher?: Dispatcher;
  /** Longest a single HTTP request may take (default 10 s, and never past the deadline). */
  requestTimeoutMs?: number;
  random?: () => number;
  /** The buckets to share (default: those of every client on the same clock). */
  rateLimits?: RateLimits;
  /** Observes every answer (metrics). */
  onResponse?: (status: number) => void;
}

export interface SendOptions {
  /** Epoch ms (clock time) by which Discord must have accepted the request. */
  deadline: number;
  signal?: AbortSignal;
  /** The thread (or forum post) the message is in; overrides the client's `threadId`. */
  threadId?: string;
}

export type PostOptions = SendOptions;

export class DiscordDeliveryError extends AppError {
  readonly discordStatus: number | undefined;
  readonly discordCode: number | undefined;

  constructor(
    code: 'AP_DISCORD_REJECTED' | 'AP_UNAVAILABLE',
    message: string,
    details: { status?: number; discordCode?: number; retryAfterSeconds?: number } = {},
  ) {
    super(
      code,
      message,
      details.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: details.retryAfterSeconds },
    );
    this.name = 'DiscordDeliveryError';
    this.discordStatus = details.status;
    this.discordCode = details.discordCode;
  }

  get permanent(): boolean {
    return this.code === 'AP_DISCORD_REJECTED';
  }
}

/** Discord's error code for PATCH on a message that no longer exists. */
export const UNKNOWN_MESSAGE = 10008;
/** Discord's error code for a thread (or channel) that no longer exists. */
export const UNKNOWN_CHANNEL = 10003;

/**
 * The rate-limit buckets of one process: one bucket per webhook (Discord limits a webhook, not a
 * route, a thread or a spelling of its URL), and one global block per API origin. Every client of
 * a webhook shares its bucket, whichever route or notifier built it. Buckets keep time on the
 * clock they were made with, so clients share a registry per clock: the process has one (the
 * system clock, or the clock a service was given), and a test's manual clock gets its own.
 */
export class RateLimits {
  private readonly buckets = new Map<string, RateLimitBucket>();
  private readonly globals = new Map<string, { blockedUntil: number }>();

  constructor(private readonly clock: Clock) {}

  /** The bucket of a webhook: keyed by API origin and webhook id. */
  bucket(webhook: WebhookUrl): RateLimitBucket {
    const origin = new URL(webhook.url).origin;
    const key = `${origin}/${webhook.id}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      let global = this.globals.get(origin);
      if (!global) {
        global = { blockedUntil: 0 };
        this.globals.set(origin, global);
      }
      bucket = new RateLimitBucket(this.clock, global);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  get size(): number {
    return this.buckets.size;
  }
}

const registries = new WeakMap<Clock, RateLimits>();

/** The registry every client on `clock` shares unless it is handed one. */
export function rateLimitsFor(clock: Clock): RateLimits {
  let r = registries.get(clock);
  if (!r) {
    r = new RateLimits(clock);
    registries.set(clock, r);
  }
  return r;
}

export class DiscordWebhook {
  readonly webhook: WebhookUrl;
  private readonly clock: Clock;
  private readonly bucket: RateLimitBucket;
  private readonly opts: DiscordWebhookOptions;

  constructor(webhookUrl: string, options: DiscordWebhookOptions = {}) {
    this.webhook = parseWebhookUrl(webhookUrl);
    this.opts = options;
    this.clock = options.clock ?? systemClock;
    this.bucket = (options.rateLimits ?? rateLimitsFor(this.clock)).bucket(this.webhook);
  }

  /**
   * Posts a message and returns its id, and the channel it landed in: with `thread_name` (a forum
   * or media channel), that is the new post's thread, where the group's later messages and edits go.
   */
  async post(message: DiscordMessage, options: PostOptions): Promise<{ id: string; channelId?: string }> {
    const query = new URLSearchParams({ wait: 'true' });
    const threadId = message.thread_name === undefined ? (options.threadId ?? this.opts.threadId) : undefined;
    if (threadId) query.set('thread_id', threadId);
    const body = { ...message };
    if (this.opts.username !== undefined && body.username === undefined) body.username = this.opts.username;
    if (this.opts.avatarUrl !== undefined && body.avatar_url === undefined)
      body.avatar_url = this.opts.avatarUrl;
    const answer = (await this.send('POST', `${this.webhook.url}?${query}`, body, options)) as {
      id?: string;
      channel_id?: string;
    };
    return {
      id: String(answer?.id ?? ''),
      ...(typeof answer?.channel_id === 'string' ? { channelId: answer.channel_id } : {}),
    };
  }

  /** Replaces an existing message. Fails with discordCode UNKNOWN_MESSAGE when it is gone. */
  async edit(messageId: string, message: DiscordMessage, options: SendOptions): Promise<void> {
    const threadId = options.threadId ?? this.opts.threadId;
    const query = threadId ? `?${new URLSearchParams({ thread_id: threadId })}` : '';
    // What only creating takes: the author, the forum post, and the flags (an edit pings nobody).
    const { username: _u, avatar_url: _a, thread_name: _t, applied_tags: _g, flags: _f, ...body } = message;
    await this.send(
      'PATCH',
      `${this.webhook.url}/messages/${encodeURIComponent(messageId)}${query}`,
      body,
      options,
    );
  }

  private async send(
    method: 'POST' | 'PATCH',
    url: string,
    body: unknown,
    options: SendOptions,
  ): Promise<unknown> {
    const payload = JSON.stringify(body);
    let attempt = 0;
    let last = 'no answer';
    for (;;) {
      try {
        await this.bucket.acquire(options.deadline, options.signal);
      } catch (err) {
        if (err instanceof DeadlineWouldPass) throw this.unavailable(last, err.waitMs);
        throw err;
      }
      const timeoutMs = Math.min(this.opts.requestTimeoutMs ?? 10_000, options.deadline - this.clock.now());
      if (timeoutMs <= 0) {
        this.bucket.release();
        throw this.unavailable(last, 1000);
      }
      let status: number;
      let text: string;
      let headers: Record<string, string | string[] | undefined>;
      try {
        const res = await request(url, {
          method,
          body: payload,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'alertpath (https://alertpath.dev, 0.1)',
          },
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(this.opts.dispatcher ? { dispatcher: this.opts.dispatcher } : {}),
        });
        status = res.statusCode;
        headers = res.headers;
        text = await res.body.text();
      } catch (err) {
        this.bucket.release();
        options.signal?.throwIfAborted();
        const code = (err as { code?: string }).code;
        last = code?.includes('TIMEOUT')
          ? `no answer within ${timeoutMs} ms`
          : `network error (${code ?? (err as Error).message})`;
        await this.backoff(attempt++, options, last);
        continue;
      }
      this.bucket.release(headers);
      this.opts.onResponse?.(status);

      if (status >= 200 && status < 300) return text ? safeJson(text) : undefined;
      const answer = safeJson(text) as
        | { retry_after?: number; global?: boolean; code?: number; message?: string }
        | undefined;
      if (status === 429) {
        const retryAfterMs = retryAfter(answer, headers);
        last = `HTTP 429 (retry after ${(retryAfterMs / 1000).toFixed(2)} s)`;
        this.bucket.block(retryAfterMs, answer?.global === true);
        this.opts.logger?.warn({ webhook: this.webhook.redacted, retryAfterMs }, 'Discord rate limit hit');
        continue;
      }
      if (status >= 500) {
        last = `HTTP ${status}`;
        await this.backoff(attempt++, options, last);
        continue;
      }
      const code = typeof answer?.code === 'number' ? answer.code : undefined;
      throw new DiscordDeliveryError(
        'AP_DISCORD_REJECTED',
        `Discord refused the message: HTTP ${status}${code !== undefined ? ` code ${code}` : ''}${answer?.message ? ` (${answer.message})` : ''}${formErrors(answer)}`,
        { status, ...(code !== undefined ? { discordCode: code } : {}) },
      );
    }
  }

  private async backoff(attempt: number, options: SendOptions, last: string): Promise<void> {
    const wait = backoffDelay(attempt, this.opts.random);
    if (this.clock.now() + wait >= options.deadline) throw this.unavailable(last, wait);
    await this.clock.sleep(wait, options.signal);
  }

  private unavailable(last: string, waitMs: number): DiscordDeliveryError {
    return new DiscordDeliveryError(
      'AP_UNAVAILABLE',
      `Discord did not accept the message before the deadline (last: ${last})`,
      {
        retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
      },
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function retryAfter(
  answer: { retry_after?: number } | undefined,
  headers: Record<string, string | string[] | undefined>,
): number {
  if (typeof answer?.retry_after === 'number' && Number.isFinite(answer.retry_after))
    return Math.ceil(answer.retry_after * 1000);
  const h = Number(headers['retry-after']);
  return Number.isFinite(h) && h >= 0 ? h * 1000 : 1000;
}

/** The first field error of a 50035 form error, e.g. ` embeds.0.title: Must be 256 or fewer in length.` */
function formErrors(answer: unknown): string {
  const errors = (answer as { errors?: unknown } | undefined)?.errors;
  if (!errors || typeof errors !== 'object') return '';
  const walk = (node: unknown, path: string[]): string | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    const list = (node as { _errors?: Array<{ message?: string }> })._errors;
    if (Array.isArray(list) && list[0]?.message) return `${path.join('.')}: ${list[0].message}`;
    for (const [k, v] of Object.entries(node)) {
      const found = walk(v, [...path, k]);
      if (found) return found;
    }
    return undefined;
  };
  const first = walk(errors, []);
  return first ? ` ${first}` : '';
}
