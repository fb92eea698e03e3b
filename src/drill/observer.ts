import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import { UUID_PATTERN } from '../watch/checks/model.js';
import type { NotifyEvent } from '../watch/notify/types.js';
import type { JobStatus } from '../watch/store/types.js';
import { ClockOffset } from './clock-offset.js';
import { type Answer, call, describeAnswer, type Endpoint, jsonOf } from './http.js';

/**
 * The one client for the external observer: `alertpath watch` or Healthchecks.io (hosted or
 * self-hosted). Both speak the Management API v3 (`X-Api-Key`, `/api/v3/checks/`, `…/flips/`,
 * `/api/v3/channels/`), with the same field names and units. `alertpath watch` also answers
 * `GET /api/v3/checks/<uuid>/notifications/` (each notification's channel and outcome);
 * Healthchecks answers 404 there, and the drill then does without.
 */

const checkSchema = z.object({
  name: z.string(),
  slug: z.string().default(''),
  status: z.string(),
  grace: z.number(),
  timeout: z.number().optional(),
  schedule: z.string().optional(),
  tz: z.string().optional(),
  last_ping: z.string().nullable().default(null),
  uuid: z.string().optional(),
  unique_key: z.string().optional(),
  channels: z.string().optional(),
  managed: z.boolean().optional(),
  kind: z.string().optional(),
});

const flipSchema = z.object({
  timestamp: z.string(),
  up: z.union([z.number(), z.boolean()]),
  from: z.string().optional(),
  to: z.string().optional(),
});

// Healthchecks answers {"flips": [...]} (its docs' example shows the bare list): take either.
const flipsSchema = z.union([z.object({ flips: z.array(flipSchema) }), z.array(flipSchema)]);

const channelSchema = z.object({ id: z.string(), name: z.string(), kind: z.string() });

const notificationSchema = z.object({
  channel: z.string(),
  event: z.string(),
  fallback: z.boolean().default(false),
  status: z.string(),
  tries: z.number().default(0),
  created: z.string(),
  finished: z.string().nullable().default(null),
  error: z.string().nullable().default(null),
});

export interface ObservedCheck {
  /** How the API addresses it: the uuid, or the `unique_key` for read-only keys. */
  id: string;
  uuid: string | undefined;
  name: string;
  slug: string;
  /** `new`, `up`, `grace`, `down`, `paused` (and `started` in v1 only). */
  status: string;
  lastPing: number | null;
  /** The period (`timeout`); undefined for cron schedules and probes. */
  periodMs: number | undefined;
  schedule: string | undefined;
  graceMs: number;
  /** Channel ids or names (watch: names; Healthchecks: ids); undefined when the key cannot see them. */
  channels: string[] | undefined;
  /** `alertpath` when the check JSON carries watch's `managed` field. */
  flavor: 'alertpath' | 'healthchecks';
  probe: boolean;
}

export interface ObservedFlip {
  at: number;
  up: boolean;
  /** The new status where the observer says it (watch); Healthchecks only says up or not. */
  to: string | undefined;
}

export interface ObservedChannel {
  id: string;
  name: string;
  kind: string;
}

export interface ObservedNotification {
  channel: string;
  event: NotifyEvent | string;
  fallback: boolean;
  status: JobStatus | string;
  tries: number;
  created: number;
  finished: number | null;
  error: string | null;
}

/** What the drill's steps need of the observer (unit tests hand in fakes). */
export interface ObserverPort {
  readonly url: string;
  findCheck(ref: string, signal?: AbortSignal): Promise<ObservedCheck>;
  getCheck(id: string, signal?: AbortSignal): Promise<ObservedCheck>;
  flips(id: string, signal?: AbortSignal): Promise<ObservedFlip[]>;
  /** 'forbidden' when the key may not list channels (a read-only key). */
  channels(signal?: AbortSignal): Promise<ObservedChannel[] | 'forbidden'>;
  /** 'unsupported' where the observer has no notifications endpoint (Healthchecks). */
  notifications(
    id: string,
    signal?: AbortSignal,
  ): Promise<ObservedNotification[] | 'unsupported' | 'forbidden'>;
  /** Local epoch ms as the observer's clock reads it (its `Date` headers). */
  toObserverTime(localMs: number): number;
}

export class ObserverClient implements ObserverPort {
  private readonly endpoint: Endpoint;
  private readonly offset = new ClockOffset();

  constructor(
    readonly url: string,
    apiKey: string,
    private readonly clock: Clock,
  ) {
    this.endpoint = {
      what: 'the observer',
      baseUrl: url,
      headers: { 'x-api-key': apiKey },
      onDate: (date, sent, received) => this.offset.observe(date, sent, received),
    };
  }

  toObserverTime(localMs: number): number {
    return this.offset.toObserver(localMs);
  }

  async findCheck(ref: string, signal?: AbortSignal): Promise<ObservedCheck> {
    if (UUID_PATTERN.test(ref)) {
      const answer = await this.get(`/api/v3/checks/${ref.toLowerCase()}`, signal);
      if (answer.status !== 404) return toCheck(this.parse(checkSchema, this.ok(answer, 'check'), 'check'));
      // Read-only keys address checks by unique_key (watch answers 404 for their uuid): look in the list.
      const all = await this.list({}, signal);
      const keys = uniqueKeys(ref.toLowerCase());
      const found = all.find(
        (c) => c.uuid === ref.toLowerCase() || (c.unique_key && keys.includes(c.unique_key)),
      );
      if (!found) throw new AppError('AP_NOT_FOUND', `the observer has no check ${ref} (is --check right?)`);
      return toCheck(found);
    }
    const matches = await this.list({ slug: ref }, signal);
    const exact = matches.filter((c) => c.slug === ref);
    if (exact.length === 0)
      throw new AppError('AP_NOT_FOUND', `the observer has no check with slug "${ref}"`);
    if (exact.length > 1)
      throw new AppError(
        'AP_CONFLICT',
        `${exact.length} checks on the observer have the slug "${ref}": pass the check's uuid to --check`,
      );
    return toCheck(exact[0] as z.output<typeof checkSchema>);
  }

  async getCheck(id: string, signal?: AbortSignal): Promise<ObservedCheck> {
    const answer = await this.get(`/api/v3/checks/${id}`, signal);
    if (answer.status === 404)
      throw new AppError('AP_NOT_FOUND', `the check ${id} is gone from the observer`);
    return toCheck(this.parse(checkSchema, this.ok(answer, 'check'), 'check'));
  }

  async flips(id: string, signal?: AbortSignal): Promise<ObservedFlip[]> {
    const answer = this.ok(await this.get(`/api/v3/checks/${id}/flips/`, signal), 'flips');
    const parsed = this.parse(flipsSchema, answer, 'flips');
    const list = Array.isArray(parsed) ? parsed : parsed.flips;
    return list.flatMap((f) => {
      const at = Date.parse(f.timestamp);
      if (!Number.isFinite(at)) return [];
      const up = f.up === 1 || f.up === true;
      return [{ at, up, to: f.to ?? (up ? 'up' : undefined) }];
    });
  }

  async channels(signal?: AbortSignal): Promise<ObservedChannel[] | 'forbidden'> {
    const answer = await this.get('/api/v3/channels/', signal);
    // Healthchecks answers a read-only key 401 here, watch 403.
    if (answer.status === 401 || answer.status === 403) return 'forbidden';
    return this.parse(z.object({ channels: z.array(channelSchema) }), this.ok(answer, 'channels'), 'channels')
      .channels;
  }

  async notifications(
    id: string,
    signal?: AbortSignal,
  ): Promise<ObservedNotification[] | 'unsupported' | 'forbidden'> {
    const answer = await this.get(`/api/v3/checks/${id}/notifications/`, signal);
    if (answer.status === 404) return 'unsupported';
    if (answer.status === 403 || answer.status === 400) return 'forbidden';
    const parsed = this.parse(
      z.object({ notifications: z.array(notificationSchema) }),
      this.ok(answer, 'notifications'),
      'notifications',
    );
    return parsed.notifications.flatMap((n) => {
      const created = Date.parse(n.created);
      if (!Number.isFinite(created)) return [];
      const finished = n.finished === null ? null : Date.parse(n.finished);
      return [{ ...n, created, finished: finished !== null && Number.isFinite(finished) ? finished : null }];
    });
  }

  private async list(query: Record<string, string>, signal?: AbortSignal) {
    const answer = await this.get('/api/v3/checks/', signal, query);
    if (answer.status === 404)
      throw new AppError(
        'AP_USAGE',
        `no Management API v3 at ${this.url} (GET /api/v3/checks/ answered 404): is --observer the observer's base URL?`,
      );
    return this.parse(z.object({ checks: z.array(checkSchema) }), this.ok(answer, 'checks'), 'checks').checks;
  }

  private get(path: string, signal?: AbortSignal, query?: Record<string, string>): Promise<Answer> {
    return call(this.endpoint, 'GET', path, {
      clock: this.clock,
      ...(signal ? { signal } : {}),
      ...(query ? { query } : {}),
    });
  }

  private ok(answer: Answer, what: string): Answer {
    if (answer.status === 200) return answer;
    if (answer.status === 401)
      throw new AppError(
        'AP_UNAUTHORIZED',
        `the observer refused the API key (${describeAnswer(answer)}): check --api-key-file`,
      );
    if (answer.status === 403)
      throw new AppError(
        'AP_FORBIDDEN',
        `the observer forbids reading the ${what} with this API key (HTTP 403): the check belongs to another project, or the key is read-only`,
      );
    throw new AppError(
      answer.status >= 500 || answer.status === 429 ? 'AP_UNAVAILABLE' : 'AP_UPSTREAM_REJECTED',
      `the observer answered ${describeAnswer(answer)} for the ${what}`,
    );
  }

  private parse<S extends z.ZodType>(schema: S, answer: Answer, what: string): z.output<S> {
    const parsed = schema.safeParse(jsonOf(answer));
    if (!parsed.success)
      throw new AppError(
        'AP_USAGE',
        `the observer at ${this.url} does not answer like the Management API v3 (${what}): is --observer its base URL?`,
      );
    return parsed.data;
  }
}

function toCheck(c: z.output<typeof checkSchema>): ObservedCheck {
  const lastPing = c.last_ping === null ? null : Date.parse(c.last_ping);
  return {
    id: c.uuid ?? c.unique_key ?? '',
    uuid: c.uuid,
    name: c.name,
    slug: c.slug,
    status: c.status,
    lastPing: lastPing !== null && Number.isFinite(lastPing) ? lastPing : null,
    periodMs: c.timeout === undefined ? undefined : c.timeout * 1000,
    schedule: c.schedule,
    graceMs: c.grace * 1000,
    channels:
      c.channels === undefined
        ? undefined
        : c.channels
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
    flavor: c.managed === undefined ? 'healthchecks' : 'alertpath',
    probe: c.kind === 'probe',
  };
}

/**
 * The `unique_key` a read-only key sees for a uuid: Healthchecks hashes the first 16 hex digits
 * of the uuid, alertpath watch the whole uuid string.
 */
function uniqueKeys(uuid: string): string[] {
  const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
  return [sha1(uuid.replace(/-/g, '').slice(0, 16)), sha1(uuid)];
}
