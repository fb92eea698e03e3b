import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Discord webhook API that refuses what Discord refuses:
 * - form limits: content 2000, 10 embeds, title 256, description 4096, 25 fields, field name 256,
 *   field value 1024, footer 2048, author 256, 6000 characters across a message's embeds;
 * - names containing "discord" or "clyde"; empty messages; unknown webhooks (404, code 10015);
 * - forum and media channels (`webhook({ forum })`): a message needs `thread_name` (a new post,
 *   `applied_tags` of the channel's tags) or `thread_id` (an existing post), never both; a
 *   message in a thread is edited only with its `thread_id`; flags other than SUPPRESS_EMBEDS
 *   and SUPPRESS_NOTIFICATIONS are refused (and on edits, anything but SUPPRESS_EMBEDS);
 *   wrong tokens (401, code 50027); unknown messages on PATCH (404, code 10008);
 * - a per-webhook rate limit (Discord: 5 requests per 2 s) with `X-RateLimit-*` headers and a
 *   429 body carrying `retry_after` in float seconds. The limit is per webhook id, whatever the
 *   thread or the spelling of the URL (`/api/webhooks/…` or `/api/v10/webhooks/…`), and its
 *   windows run on an injectable clock.
 * It records every accepted message and every limit violation, so tests can count them.
 */

export interface FakeDiscordOptions {
  /** Requests allowed per window per webhook (default 5). */
  limit?: number;
  /** Window length in ms (default 2000). */
  windowMs?: number;
  /** Milliseconds before each answer. */
  latencyMs?: number;
  /** The clock the rate-limit windows run on (default Date.now), so tests can inject one. */
  now?: () => number;
}

export interface Embed {
  title?: string;
  description?: string;
  color?: number;
  fields?: Array<{ name: string; value: string; inline?: boolean }>;
  footer?: { text: string };
  author?: { name: string };
  timestamp?: string;
  url?: string;
}

export interface StoredMessage {
  id: string;
  webhookId: string;
  content: string;
  embeds: Embed[];
  username?: string;
  allowed_mentions?: { parse?: string[]; roles?: string[]; users?: string[] };
  threadId?: string;
  flags?: number;
  edits: number;
}

/** A forum or media channel's post, created by a message with `thread_name`. */
export interface ForumPost {
  id: string;
  webhookId: string;
  name: string;
  appliedTags: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
  /** performance.now() when the request arrived and when it was answered (benchmarks). */
  arrivedAt: number;
  answeredAt: number;
  body: unknown;
}

interface Bucket {
  windowStart: number;
  count: number;
  /** When the last 429 said the client may try again. */
  blockedUntil: number;
}

export class FakeDiscord {
  readonly messages = new Map<string, StoredMessage>();
  readonly requests: RecordedRequest[] = [];
  /** Requests that have arrived, answered or not (the latency and hang modes hold answers back). */
  received = 0;
  /** Requests answered 429 (the client did not honour the rate-limit headers). */
  rateLimitViolations = 0;
  /** Requests that arrived while an earlier 429's `retry_after` had not yet elapsed. */
  sendsInsideWait = 0;
  private readonly webhooks = new Map<string, { token: string; forum?: { tags: Set<string> } }>();
  /** Forum posts by thread id (the id of the message that created them, as in Discord). */
  readonly posts = new Map<string, ForumPost>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly failures: Array<{ status: number; body: unknown }> = [];
  private hang = false;
  private failWhen: ((req: { method: string; body: unknown }) => number | undefined) | undefined;
  private nextId = BigInt('1300000000000000000');
  private server: Server | undefined;
  port = 0;
  limit: number;
  windowMs: number;
  latencyMs: number;
  private readonly now: () => number;

  constructor(options: FakeDiscordOptions = {}) {
    this.now = options.now ?? Date.now;
    this.limit = options.limit ?? 5;
    this.windowMs = options.windowMs ?? 2000;
    this.latencyMs = options.latencyMs ?? 0;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.hang = false;
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /**
   * Registers a webhook and returns its URL in the form users paste (no API version). With
   * `forum`, the webhook is in a forum (or media) channel that has these tag ids.
   */
  webhook(options: { forum?: { tags?: string[] } } = {}): string {
    const id = String(this.nextId++);
    const token = randomBytes(24).toString('base64url');
    this.webhooks.set(id, {
      token,
      ...(options.forum ? { forum: { tags: new Set(options.forum.tags ?? []) } } : {}),
    });
    return `http://127.0.0.1:${this.port}/api/webhooks/${id}/${token}`;
  }

  /** A URL for a webhook that does not exist (Discord answers 404, code 10015). */
  unknownWebhook(): string {
    return `http://127.0.0.1:${this.port}/api/webhooks/999/${randomBytes(8).toString('hex')}`;
  }

  /** The next `count` requests are answered with `status` (e.g. 500, 502). */
  failNext(count: number, status = 500, body: unknown = { message: 'Internal Server Error', code: 0 }): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, body });
  }

  /**
   * Answers with the status `rule` returns for a request (undefined: as usual), e.g. a 500 for
   * every request carrying "part 2/2"; `undefined` turns it off.
   */
  failMatching(rule: ((req: { method: string; body: unknown }) => number | undefined) | undefined): void {
    this.failWhen = rule;
  }

  /** While on, requests are accepted but never answered. */
  setHang(on: boolean): void {
    this.hang = on;
  }

  /** Messages in posting order (optionally for one webhook URL). */
  list(webhookUrl?: string): StoredMessage[] {
    const id = webhookUrl ? /\/webhooks\/(\d+)\//.exec(webhookUrl)?.[1] : undefined;
    return [...this.messages.values()].filter((m) => id === undefined || m.webhookId === id);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.received++;
    const arrivedAt = performance.now();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.hang) return;
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    const record = (status: number) =>
      this.requests.push({
        method: req.method ?? '',
        path: url.pathname,
        status,
        at: Date.now(),
        arrivedAt,
        answeredAt: performance.now(),
        body,
      });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record(status);
      if (status === 204) {
        res.writeHead(204, headers).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(payload));
    };

    const m = /^\/api(?:\/v(\d+))?\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(\d+))?$/.exec(url.pathname);
    if (!m) return send(404, { message: '404: Not Found', code: 0 });
    const [, , webhookId = '', token, messageId] = m;
    const known = this.webhooks.get(webhookId);
    if (known === undefined) return send(404, { message: 'Unknown Webhook', code: 10015 });
    if (known.token !== token) return send(401, { message: 'Invalid Webhook Token', code: 50027 });

    const now = this.now();
    const bucket = this.buckets.get(webhookId) ?? { windowStart: now, count: 0, blockedUntil: 0 };
    this.buckets.set(webhookId, bucket);
    if (now < bucket.blockedUntil) this.sendsInsideWait++;
    if (now - bucket.windowStart >= this.windowMs) {
      bucket.windowStart = now;
      bucket.count = 0;
    }
    const resetAfter = Math.max(0, (bucket.windowStart + this.windowMs - now) / 1000);
    if (bucket.count >= this.limit) {
      this.rateLimitViolations++;
      bucket.blockedUntil = Math.max(bucket.blockedUntil, now + resetAfter * 1000);
      return send(
        429,
        { message: 'You are being rate limited.', retry_after: Number(resetAfter.toFixed(3)), global: false },
        {
          ...this.rateHeaders(webhookId, 0, resetAfter),
          'retry-after': String(Math.ceil(resetAfter)),
          'x-ratelimit-scope': 'user',
        },
      );
    }
    bucket.count++;
    const headers = this.rateHeaders(webhookId, this.limit - bucket.count, resetAfter);

    const failure = this.failures.shift();
    if (failure) return send(failure.status, failure.body, headers);
    const ruled = this.failWhen?.({ method: req.method ?? '', body: safeJson(raw) });
    if (ruled !== undefined)
      return send(ruled, { message: `HTTP ${ruled} (failMatching)`, code: 0 }, headers);

    if (req.method === 'POST' && messageId === undefined) {
      if (!(req.headers['content-type'] ?? '').includes('application/json')) {
        return send(400, { message: 'Cannot send an empty message', code: 50006 }, headers);
      }
      try {
        body = JSON.parse(raw);
      } catch {
        return send(400, { message: 'The request body contains invalid JSON.', code: 50109 }, headers);
      }
      const problem = validateMessage(body as Record<string, unknown>, true);
      if (problem) return send(400, problem, headers);
      const b = body as Record<string, unknown>;
      const threadId = url.searchParams.get('thread_id');
      const refused = this.checkCreate(webhookId, known.forum, b, threadId);
      if (refused) return send(refused.status, refused.body, headers);
      const msg = this.store(webhookId, b, threadId);
      if (typeof b.thread_name === 'string') {
        // The post's thread id is its first message's id; the message lives in it.
        msg.threadId = msg.id;
        const tags = Array.isArray(b.applied_tags) ? (b.applied_tags as string[]) : [];
        this.posts.set(msg.id, { id: msg.id, webhookId, name: b.thread_name, appliedTags: tags });
      }
      if (url.searchParams.get('wait') === 'true') return send(200, toApi(msg), headers);
      return send(204, undefined, headers);
    }
    if (req.method === 'PATCH' && messageId !== undefined) {
      try {
        body = JSON.parse(raw);
      } catch {
        return send(400, { message: 'The request body contains invalid JSON.', code: 50109 }, headers);
      }
      const threadId = url.searchParams.get('thread_id');
      if (known.forum && threadId !== null && !this.posts.has(threadId))
        return send(404, { message: 'Unknown Channel', code: 10003 }, headers);
      const existing = this.messages.get(messageId);
      // A message in a thread is found only with that thread's thread_id (and none outside one).
      if (!existing || existing.webhookId !== webhookId || (existing.threadId ?? null) !== threadId) {
        return send(404, { message: 'Unknown Message', code: 10008 }, headers);
      }
      const problem = validateMessage(body as Record<string, unknown>, false);
      if (problem) return send(400, problem, headers);
      const b = body as Record<string, unknown>;
      for (const field of ['thread_name', 'applied_tags', 'username', 'avatar_url'])
        if (b[field] !== undefined)
          return send(400, formError(field, 'Cannot be set when editing.'), headers);
      if (b.flags !== undefined && !flagsAllowed(b.flags, EDIT_FLAGS))
        return send(400, formError('flags', 'Only SUPPRESS_EMBEDS can be changed when editing.'), headers);
      if (b.content !== undefined) existing.content = String(b.content);
      if (b.embeds !== undefined) existing.embeds = b.embeds as Embed[];
      if (b.allowed_mentions !== undefined)
        existing.allowed_mentions = b.allowed_mentions as StoredMessage['allowed_mentions'];
      existing.edits++;
      return send(200, toApi(existing), headers);
    }
    return send(405, { message: '405: Method Not Allowed', code: 0 }, headers);
  }

  /** Deletes a forum post with its messages (a moderator cleaning up). */
  deletePost(threadId: string): void {
    this.posts.delete(threadId);
    for (const [id, m] of this.messages) if (m.threadId === threadId) this.messages.delete(id);
  }

  /**
   * What Discord refuses when a webhook creates a message: in a forum or media channel, a post
   * (`thread_name`, 1–100 characters, `applied_tags` ≤ 5 of the channel's tags) or an existing
   * post (`thread_id`), never both and never neither; elsewhere no `thread_name` or
   * `applied_tags`; and only the SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS flags.
   */
  private checkCreate(
    webhookId: string,
    forum: { tags: Set<string> } | undefined,
    b: Record<string, unknown>,
    threadId: string | null,
  ): { status: number; body: unknown } | undefined {
    const bad = (field: string, message: string) => ({ status: 400, body: formError(field, message) });
    if (b.flags !== undefined && !flagsAllowed(b.flags, CREATE_FLAGS))
      return bad('flags', 'Only SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS can be set.');
    const name = b.thread_name;
    if (!forum) {
      if (name !== undefined || b.applied_tags !== undefined)
        return {
          status: 400,
          body: { message: 'Webhooks can only create threads in forum channels', code: 220003 },
        };
      return undefined;
    }
    if (name === undefined && threadId === null)
      return {
        status: 400,
        body: {
          message: 'Webhooks posted to forum channels must have a thread_name or thread_id',
          code: 220001,
        },
      };
    if (name !== undefined && threadId !== null) return bad('thread_name', 'Cannot be set with thread_id.');
    if (threadId !== null) {
      const post = this.posts.get(threadId);
      if (!post || post.webhookId !== webhookId)
        return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
      if (b.applied_tags !== undefined) return bad('applied_tags', 'Can only be set when creating a post.');
      return undefined;
    }
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > 100)
      return bad('thread_name', 'Must be between 1 and 100 in length.');
    const tags = b.applied_tags;
    if (tags !== undefined) {
      if (!Array.isArray(tags) || tags.length > 5)
        return bad('applied_tags', 'Must be 5 or fewer in length.');
      for (const [i, t] of tags.entries())
        if (typeof t !== 'string' || !forum.tags.has(t)) return bad(`applied_tags.${i}`, 'Unknown tag.');
    }
    return undefined;
  }

  private store(webhookId: string, b: Record<string, unknown>, threadId: string | null): StoredMessage {
    const id = String(this.nextId++);
    const msg: StoredMessage = {
      id,
      webhookId,
      content: typeof b.content === 'string' ? b.content : '',
      embeds: (b.embeds as Embed[] | undefined) ?? [],
      edits: 0,
      ...(typeof b.username === 'string' ? { username: b.username } : {}),
      ...(b.allowed_mentions
        ? { allowed_mentions: b.allowed_mentions as StoredMessage['allowed_mentions'] }
        : {}),
      ...(threadId ? { threadId } : {}),
      ...(typeof b.flags === 'number' ? { flags: b.flags } : {}),
    };
    this.messages.set(id, msg);
    return msg;
  }

  private rateHeaders(webhookId: string, remaining: number, resetAfter: number): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(Math.max(0, remaining)),
      'x-ratelimit-reset': ((this.now() + resetAfter * 1000) / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': `webhook-${webhookId}`,
    };
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function toApi(m: StoredMessage): Record<string, unknown> {
  return {
    id: m.id,
    webhook_id: m.webhookId,
    content: m.content,
    embeds: m.embeds,
    channel_id: m.threadId ?? '1',
    flags: m.flags ?? 0,
  };
}

const SUPPRESS_EMBEDS = 1 << 2;
const SUPPRESS_NOTIFICATIONS = 1 << 12;
const CREATE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS;
const EDIT_FLAGS = SUPPRESS_EMBEDS;

function flagsAllowed(flags: unknown, allowed: number): boolean {
  return typeof flags === 'number' && Number.isInteger(flags) && flags >= 0 && (flags & ~allowed) === 0;
}

type FormError = { message: string; code: number; errors: Record<string, unknown> };

function formError(field: string, message: string): FormError {
  return {
    message: 'Invalid Form Body',
    code: 50035,
    errors: { [field]: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message }] } },
  };
}

const len = (v: unknown): number => (typeof v === 'string' ? v.length : 0);

/** Discord's documented message and embed limits. Returns the error body Discord would send. */
export function validateMessage(
  b: Record<string, unknown>,
  isCreate: boolean,
): FormError | { message: string; code: number } | undefined {
  const content = b.content;
  const embeds = (b.embeds ?? []) as Embed[];
  if (isCreate && len(content) === 0 && embeds.length === 0)
    return { message: 'Cannot send an empty message', code: 50006 };
  if (len(content) > 2000) return formError('content', 'Must be 2000 or fewer in length.');
  if (typeof b.username === 'string') {
    const u = b.username.toLowerCase();
    if (u.includes('discord') || u.includes('clyde') || u.length > 80) {
      return formError('username', 'Username cannot contain "discord" or "clyde"');
    }
  }
  if (!Array.isArray(embeds)) return formError('embeds', 'Must be an array.');
  if (embeds.length > 10) return formError('embeds', 'Must be 10 or fewer in length.');
  let total = 0;
  for (const [i, e] of embeds.entries()) {
    if (len(e.title) > 256) return formError(`embeds.${i}.title`, 'Must be 256 or fewer in length.');
    if (len(e.description) > 4096)
      return formError(`embeds.${i}.description`, 'Must be 4096 or fewer in length.');
    if ((e.fields?.length ?? 0) > 25)
      return formError(`embeds.${i}.fields`, 'Must be 25 or fewer in length.');
    for (const [j, f] of (e.fields ?? []).entries()) {
      if (len(f.name) === 0 || len(f.name) > 256)
        return formError(`embeds.${i}.fields.${j}.name`, 'Must be between 1 and 256 in length.');
      if (len(f.value) === 0 || len(f.value) > 1024)
        return formError(`embeds.${i}.fields.${j}.value`, 'Must be between 1 and 1024 in length.');
      total += len(f.name) + len(f.value);
    }
    if (len(e.footer?.text) > 2048)
      return formError(`embeds.${i}.footer.text`, 'Must be 2048 or fewer in length.');
    if (len(e.author?.name) > 256)
      return formError(`embeds.${i}.author.name`, 'Must be 256 or fewer in length.');
    if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) {
      return formError(`embeds.${i}.color`, 'Must be a valid colour.');
    }
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
  }
  if (total > 6000) return formError('embeds', 'Embed size exceeds maximum size of 6000');
  return undefined;
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(options).start();
}
