import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import { type Answer, authorizedEndpoint, call, describeAnswer, type Endpoint, jsonOf } from './http.js';

/**
 * Alertmanager's API v2, the part the drill uses: status, alerts, silences. Answers are checked
 * against the shapes Alertmanager documents (its OpenAPI spec), loosely: unknown fields pass.
 */

const silenceSchema = z.object({
  id: z.string(),
  status: z.object({ state: z.string() }),
  comment: z.string().default(''),
  createdBy: z.string().default(''),
  startsAt: z.string(),
  endsAt: z.string(),
  matchers: z
    .array(z.object({ name: z.string(), value: z.string(), isRegex: z.boolean().optional() }))
    .default([]),
});
export type Silence = z.output<typeof silenceSchema>;

const alertSchema = z.object({
  labels: z.record(z.string(), z.string()),
  status: z.object({
    state: z.string(),
    silencedBy: z.array(z.string()).nullish(),
    inhibitedBy: z.array(z.string()).nullish(),
  }),
  receivers: z.array(z.object({ name: z.string() })).nullish(),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
});
export type AmAlert = z.output<typeof alertSchema>;

const statusSchema = z.object({
  cluster: z.object({
    status: z.string(),
    peers: z.array(z.object({ name: z.string(), address: z.string() })).nullish(),
  }),
  versionInfo: z.object({ version: z.string() }).partial().nullish(),
});
export type AmStatus = z.output<typeof statusSchema>;

export interface NewSilence {
  matchers: Array<{ name: string; value: string; isRegex: false; isEqual: true }>;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** What the drill's steps need of one Alertmanager (unit tests hand in fakes). */
export interface AlertmanagerPort {
  readonly url: string;
  status(signal?: AbortSignal): Promise<AmStatus>;
  alerts(filter: string[], signal?: AbortSignal): Promise<AmAlert[]>;
  createSilence(silence: NewSilence): Promise<string>;
  getSilence(id: string, signal?: AbortSignal): Promise<Silence | undefined>;
  listSilences(filter: string[]): Promise<Silence[]>;
  expireSilence(id: string): Promise<void>;
  postAlerts(alerts: PostableAlert[]): Promise<void>;
}

export class AlertmanagerClient implements AlertmanagerPort {
  private readonly endpoint: Endpoint;

  constructor(
    readonly url: string,
    authorization: string | undefined,
    private readonly clock: Clock,
  ) {
    this.endpoint = authorizedEndpoint(`Alertmanager ${url}`, url, authorization);
  }

  async status(signal?: AbortSignal): Promise<AmStatus> {
    const answer = await this.get('/api/v2/status', {}, signal);
    return this.parse(statusSchema, answer, 'status');
  }

  async alerts(filter: string[], signal?: AbortSignal): Promise<AmAlert[]> {
    const answer = await this.get('/api/v2/alerts', filterQuery(filter), signal);
    return this.parse(z.array(alertSchema), answer, 'alerts');
  }

  async createSilence(silence: NewSilence): Promise<string> {
    const answer = await call(this.endpoint, 'POST', '/api/v2/silences', {
      body: silence,
      clock: this.clock,
    });
    this.refuseAuth(answer);
    if (answer.status !== 200) {
      throw new AppError(
        'AP_UPSTREAM_REJECTED',
        `${this.endpoint.what} refused the silence: ${describeAnswer(answer)}`,
      );
    }
    const id = (jsonOf(answer) as { silenceID?: unknown } | undefined)?.silenceID;
    if (typeof id !== 'string' || id === '')
      throw new AppError('AP_UPSTREAM_REJECTED', `${this.endpoint.what} answered a silence without an id`);
    return id;
  }

  async getSilence(id: string, signal?: AbortSignal): Promise<Silence | undefined> {
    const answer = await call(this.endpoint, 'GET', `/api/v2/silence/${encodeURIComponent(id)}`, {
      clock: this.clock,
      ...(signal ? { signal } : {}),
    });
    if (answer.status === 404) return undefined;
    return this.parse(silenceSchema, this.ok(answer, 'silence'), 'silence');
  }

  async listSilences(filter: string[]): Promise<Silence[]> {
    const answer = await this.get('/api/v2/silences', filterQuery(filter));
    return this.parse(z.array(silenceSchema), answer, 'silences');
  }

  async expireSilence(id: string): Promise<void> {
    const answer = await call(this.endpoint, 'DELETE', `/api/v2/silence/${encodeURIComponent(id)}`, {
      clock: this.clock,
    });
    this.refuseAuth(answer);
    // Alertmanager answers 500 "silence not found" for an id it does not know.
    if (answer.status !== 200) {
      throw new AppError(
        'AP_UPSTREAM_REJECTED',
        `${this.endpoint.what} did not expire silence ${id}: ${describeAnswer(answer)}`,
      );
    }
  }

  async postAlerts(alerts: PostableAlert[]): Promise<void> {
    const answer = await call(this.endpoint, 'POST', '/api/v2/alerts', { body: alerts, clock: this.clock });
    this.refuseAuth(answer);
    if (answer.status !== 200)
      throw new AppError(
        'AP_UPSTREAM_REJECTED',
        `${this.endpoint.what} refused the alert: ${describeAnswer(answer)}`,
      );
  }

  private async get(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<Answer> {
    const answer = await call(this.endpoint, 'GET', path, {
      query,
      clock: this.clock,
      ...(signal ? { signal } : {}),
    });
    return this.ok(answer, path);
  }

  private ok(answer: Answer, what: string): Answer {
    this.refuseAuth(answer);
    if (answer.status !== 200) {
      throw new AppError(
        answer.status >= 500 ? 'AP_UNAVAILABLE' : 'AP_UPSTREAM_REJECTED',
        `${this.endpoint.what} answered ${describeAnswer(answer)} for ${what}`,
      );
    }
    return answer;
  }

  private refuseAuth(answer: Answer): void {
    if (answer.status === 401)
      throw new AppError(
        'AP_UNAUTHORIZED',
        `${this.endpoint.what} refused the credentials (${describeAnswer(answer)}): check --alertmanager-bearer-file / --alertmanager-basic-auth-file`,
      );
    if (answer.status === 403)
      throw new AppError('AP_FORBIDDEN', `${this.endpoint.what} forbids this (${describeAnswer(answer)})`);
  }

  private parse<S extends z.ZodType>(schema: S, answer: Answer, what: string): z.output<S> {
    const parsed = schema.safeParse(jsonOf(answer));
    if (!parsed.success) {
      throw new AppError(
        'AP_USAGE',
        `${this.endpoint.what} does not answer like Alertmanager's API v2 (${what}): is the URL Alertmanager's base URL?`,
      );
    }
    return parsed.data;
  }
}

function filterQuery(filter: string[]): Record<string, string> {
  // Alertmanager takes `filter` repeated; one matcher is all the drill ever sends.
  if (filter.length > 1) throw new Error('one filter matcher at most');
  return filter[0] === undefined ? {} : { filter: filter[0] };
}

/** `alertname="Watchdog"`, quoted as Alertmanager's matcher syntax wants. */
export function equalMatcher(name: string, value: string): string {
  return `${name}=${JSON.stringify(value)}`;
}
