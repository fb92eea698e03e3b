import { createHash } from 'node:crypto';
import { labelsMatch, type WebhookPayload } from '../alertmanager/payload.js';
import {
  DiscordDeliveryError,
  type DiscordMessage,
  DiscordWebhook,
  parseWebhookUrl,
  textMessage,
  UNKNOWN_CHANNEL,
  UNKNOWN_MESSAGE,
} from '../discord/index.js';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { postReport } from '../lib/outbound.js';
import type { RelayConfig } from './config.js';
import type { DrillDeliveries } from './deliveries.js';
import { flagsFor, newPostFields } from './forum.js';
import type { Outcome, RelayMetrics } from './metrics.js';
import { type GroupMessages, groupKeyOf, RelayState } from './peers/state.js';
import { lookOf, renderNotification } from './render.js';

export type RelayAnswer = { status: 'delivered'; messages: number } | { status: 'empty' };

const FAILURE_REPORT_INTERVAL_MS = 60_000;

export interface RelayDeps {
  clock: Clock;
  logger: Logger;
  metrics: RelayMetrics;
  random?: () => number;
  /** Where deliveries of drill alerts (label `drill_id`) are recorded for `GET /deliveries`. */
  deliveries?: DrillDeliveries;
  /** The message map and delivered chunks (shared with the peer replicator when `peers:` is set). */
  state?: RelayState;
}

/**
 * Route → render → deliver. Answers only once Discord accepted every message (and the heartbeat
 * ping went out); otherwise throws an AppError that the HTTP layer maps to 503 (retry) or 502.
 * It remembers the message ids of each group (to edit in place) and the chunks it already
 * delivered (so Alertmanager's retries post nothing twice) in a RelayState, which peers replicate
 * when configured. Correctness never depends on either: the worst case is a duplicate message,
 * never a lost one.
 */
export class RelayDelivery {
  private readonly hooks = new Map<string, DiscordWebhook>();
  readonly state: RelayState;
  private readonly groupQueues = new Map<string, Promise<unknown>>();
  private readonly lastFailureReport = new Map<string, number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** A failure report that goes to a Discord webhook: posted through the shared client (and bucket). */
  private readonly failureHook: DiscordWebhook | undefined;

  constructor(
    private readonly config: RelayConfig,
    private readonly deps: RelayDeps,
  ) {
    this.state = deps.state ?? new RelayState(() => deps.clock.now());
    for (const [name, route] of Object.entries(config.routes)) {
      this.hooks.set(
        name,
        new DiscordWebhook(route.discord.webhookUrl, {
          clock: deps.clock,
          logger: deps.logger,
          ...(route.discord.threadId ? { threadId: route.discord.threadId } : {}),
          ...(route.discord.username ? { username: route.discord.username } : {}),
          ...(route.discord.avatarUrl ? { avatarUrl: route.discord.avatarUrl } : {}),
          onResponse: (status) => {
            deps.metrics.discordRequests.inc({ route: name, code: String(status) });
            if (status === 429) deps.metrics.rateLimited.inc({ route: name });
          },
        }),
      );
    }
    const report = config.failureReport?.url;
    this.failureHook =
      report && isDiscordWebhook(report)
        ? new DiscordWebhook(report, { clock: deps.clock, logger: deps.logger })
        : undefined;
  }

  hasRoute(name: string): boolean {
    return this.hooks.has(name);
  }

  /** Resolves once every delivery that has started has finished (used by the SIGTERM drain). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  handle(routeName: string, payload: WebhookPayload): Promise<RelayAnswer> {
    const work = this.deliver(routeName, payload);
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  private async deliver(routeName: string, payload: WebhookPayload): Promise<RelayAnswer> {
    const started = this.deps.clock.now();
    const deadline = started + this.config.delivery.deadline;
    const count = (outcome: Outcome) => this.deps.metrics.notifications.inc({ route: routeName, outcome });
    if (payload.alerts.length === 0) {
      count('empty');
      return { status: 'empty' };
    }

    const heartbeat = this.config.heartbeat;
    const beats = heartbeat ? payload.alerts.filter((a) => labelsMatch(a.labels, heartbeat.match)) : [];
    const rest = beats.length === 0 ? payload.alerts : payload.alerts.filter((a) => !beats.includes(a));
    const tasks: Array<Promise<number>> = [];
    if (heartbeat && beats.some((a) => a.status === 'firing')) {
      const text = `alertpath relay: ${beats.length} heartbeat alert(s) firing on route ${routeName} (receiver ${payload.receiver || 'unknown'})`;
      tasks.push(
        postReport(heartbeat.url, text, { deadline, clock: this.deps.clock }).then(
          () => 0,
          (err: unknown) => {
            this.deps.metrics.heartbeatFailures.inc({ route: routeName });
            throw err;
          },
        ),
      );
    }
    if (rest.length > 0) tasks.push(this.toDiscord(routeName, { ...payload, alerts: rest }, deadline));

    const results = await Promise.allSettled(tasks);
    this.deps.metrics.deliveryDuration.observe(
      { route: routeName },
      (this.deps.clock.now() - started) / 1000,
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (failures.length > 0) {
      const rejected = failures.find((f) => f instanceof DiscordDeliveryError && f.permanent) as
        | DiscordDeliveryError
        | undefined;
      if (rejected) {
        count('rejected');
        this.reportFailure(routeName, rejected);
        throw rejected;
      }
      count('unavailable');
      const first = failures[0];
      if (first instanceof AppError && first.code === 'AP_UNAVAILABLE') throw first;
      throw new AppError('AP_UNAVAILABLE', first instanceof Error ? first.message : String(first), {
        retryAfterSeconds: 1,
      });
    }
    const messages = results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), 0);
    if (rest.length > 0)
      this.deps.deliveries?.record(routeName, payload.receiver, rest, this.deps.clock.now());
    count(rest.length === 0 ? 'heartbeat' : 'delivered');
    return { status: 'delivered', messages };
  }

  /** Posts (or edits) every message of the group, one group at a time, skipping delivered chunks. */
  private toDiscord(routeName: string, payload: WebhookPayload, deadline: number): Promise<number> {
    const route = this.config.routes[routeName];
    const hook = this.hooks.get(routeName);
    if (!route || !hook) throw new AppError('AP_NOT_FOUND', `unknown route "${routeName}"`);
    const messages = renderNotification(payload, route, {
      ...(this.deps.random ? { random: this.deps.random } : {}),
      onAlertError: (alert, err) =>
        this.deps.logger.error(
          { route: routeName, fingerprint: alert.fingerprint, err },
          'an alert could not be rendered; it was sent degraded',
        ),
    });
    const groupKey = groupKeyOf(routeName, payload.groupKey);
    const chunkKey = dedupeKey(routeName, payload);
    const look = lookOf(payload);
    // A forum route remembers its group's post (thread) even without edit in place.
    const forum = route.discord.threadName !== undefined;
    const send: SendShape = {
      flags: flagsFor(route.discord, look),
      newPost: newPostFields(route.discord, payload, look),
    };

    return this.serialized(groupKey, async () => {
      const remembered = route.editInPlace || forum ? this.state.getMessages(groupKey) : undefined;
      const cached = route.editInPlace ? remembered : undefined;
      const reuse = cached?.ids.length === messages.length ? cached.ids : undefined;
      const ids: Array<string | null> = reuse ? [...reuse] : new Array(messages.length).fill(null);
      const group: GroupMessages = {
        ids,
        ...(remembered?.threadId ? { threadId: remembered.threadId } : {}),
      };
      for (const [i, message] of messages.entries()) {
        const key = `${chunkKey}:${i}`;
        if (this.state.hasChunk(key)) {
          this.deps.metrics.deduplicated.inc({ route: routeName });
          continue;
        }
        const existing = reuse?.[i];
        ids[i] = existing
          ? await this.editOrPost(hook, existing, message, deadline, group, send)
          : await this.postInGroup(hook, message, deadline, group, send);
        this.state.markChunk(key);
        if (route.editInPlace || forum) this.state.setMessages(groupKey, group);
      }
      // A resolved group is forgotten (here and, through the replicator, on the peers).
      if (payload.status === 'resolved' && (remembered !== undefined || this.state.getMessages(groupKey)))
        this.state.forgetMessages(groupKey);
      return messages.length;
    });
  }

  /**
   * Posts a new message of the group: into its forum post when it has one, else creating the
   * post (a forum route's first message, or its post was deleted), else into the channel.
   */
  private async postInGroup(
    hook: DiscordWebhook,
    message: DiscordMessage,
    deadline: number,
    group: GroupMessages,
    send: SendShape,
  ): Promise<string> {
    const body: DiscordMessage = send.flags === undefined ? message : { ...message, flags: send.flags };
    if (group.threadId !== undefined) {
      try {
        return (await hook.post(body, { deadline, threadId: group.threadId })).id;
      } catch (err) {
        if (!(send.newPost && isGone(err, UNKNOWN_CHANNEL))) throw err;
        delete group.threadId;
      }
    }
    if (send.newPost) {
      const posted = await hook.post({ ...body, ...send.newPost }, { deadline });
      if (posted.channelId) group.threadId = posted.channelId;
      return posted.id;
    }
    return (await hook.post(body, { deadline })).id;
  }

  private async editOrPost(
    hook: DiscordWebhook,
    id: string,
    message: DiscordMessage,
    deadline: number,
    group: GroupMessages,
    send: SendShape,
  ): Promise<string> {
    try {
      await hook.edit(id, message, { deadline, ...(group.threadId ? { threadId: group.threadId } : {}) });
      return id;
    } catch (err) {
      // The message was deleted, or its whole forum post was: post it again.
      if (isGone(err, UNKNOWN_MESSAGE) || (group.threadId !== undefined && isGone(err, UNKNOWN_CHANNEL)))
        return this.postInGroup(hook, message, deadline, group, send);
      throw err;
    }
  }

  /** Runs `task` after every earlier task of the same group, so a group's messages never race. */
  private serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.groupQueues.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.groupQueues.set(key, tail);
    tail.then(() => {
      if (this.groupQueues.get(key) === tail) this.groupQueues.delete(key);
    });
    return next;
  }

  /** Tells the deadman about a permanent failure, at most once a minute per route. */
  private reportFailure(routeName: string, err: DiscordDeliveryError): void {
    const target = this.config.failureReport?.url;
    const now = this.deps.clock.now();
    const last = this.lastFailureReport.get(routeName);
    this.deps.logger.error(
      { route: routeName, status: err.discordStatus, code: err.discordCode },
      err.message,
    );
    if (!target || (last !== undefined && now - last < FAILURE_REPORT_INTERVAL_MS)) return;
    this.lastFailureReport.set(routeName, now);
    const body = JSON.stringify({
      source: 'alertpath relay',
      route: routeName,
      discordStatus: err.discordStatus ?? null,
      discordCode: err.discordCode ?? null,
      message: err.message,
    });
    const report = (
      this.failureHook
        ? this.failureHook.post(
            textMessage(`${err.message} (route ${routeName})`, {
              title: 'alertpath relay: delivery refused',
            }),
            { deadline: now + 10_000 },
          )
        : postReport(target, body, {
            deadline: now + 10_000,
            clock: this.deps.clock,
            contentType: 'application/json',
          })
    ).catch((e: unknown) =>
      this.deps.logger.error({ route: routeName, err: e }, 'failure report was not delivered'),
    );
    this.inFlight.add(report);
    report.finally(() => this.inFlight.delete(report));
  }
}

interface SendShape {
  flags: number | undefined;
  newPost: ReturnType<typeof newPostFields>;
}

/** A refusal saying the message (UNKNOWN_MESSAGE) or thread (UNKNOWN_CHANNEL) no longer exists. */
function isGone(err: unknown, code: number): boolean {
  return err instanceof DiscordDeliveryError && err.discordCode === code && (err.discordStatus ?? 0) < 500;
}

function isDiscordWebhook(url: string): boolean {
  try {
    parseWebhookUrl(url);
    return true;
  } catch {
    return false;
  }
}

/** Identifies a chunk's content across Alertmanager retries of the same notification. */
function dedupeKey(routeName: string, payload: WebhookPayload): string {
  const h = createHash('sha256');
  h.update(`${routeName}\u0000${payload.groupKey}\u0000${payload.status}`);
  const alerts = payload.alerts
    .map((a) => `${a.fingerprint || JSON.stringify(a.labels)}\u0001${a.status}\u0001${a.startsAt}`)
    .sort();
  for (const a of alerts) h.update(`\u0000${a}`);
  return h.digest('base64url');
}
