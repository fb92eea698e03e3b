import { request } from 'undici';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import { describeNetworkError, userAgent } from '../lib/net.js';
import { redactSecrets } from '../lib/redact.js';
import { abortableSleep } from './poll.js';

/**
 * The drill's one HTTP helper: a JSON request to an endpoint it depends on (Alertmanager, the
 * observer, the relay), bounded in time. A connection that cannot be made at all is
 * AP_UNREACHABLE (exit 2); every answer, whatever its status, is handed back for the client to
 * interpret. A 429 is waited out (Retry-After, at most 10 s) and tried again twice.
 */

export interface Endpoint {
  /** What the endpoint is, for messages: `the observer`, `Alertmanager http://am:9093`. */
  what: string;
  baseUrl: string;
  headers: Record<string, string>;
  /** Sees each answer's `Date` header with the local send and receive times (clock offset). */
  onDate?: (date: string, sentAt: number, receivedAt: number) => void;
}

/** An endpoint that authenticates with an `Authorization` header, if any. */
export function authorizedEndpoint(
  what: string,
  baseUrl: string,
  authorization: string | undefined,
): Endpoint {
  return { what, baseUrl, headers: authorization ? { authorization } : {} };
}

export interface Answer {
  status: number;
  text: string;
  contentType: string;
  retryAfter: string | undefined;
}

export interface CallOptions {
  body?: unknown;
  query?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
  clock: Clock;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_RETRY_AFTER_MS = 10_000;
/** Bodies read at most (a check list of a big project is a few hundred kB). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function call(
  endpoint: Endpoint,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: CallOptions,
): Promise<Answer> {
  const url = new URL(endpoint.baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  for (let attempt = 0; ; attempt++) {
    const answer = await once(endpoint, method, url, options);
    if (answer.status !== 429 || attempt >= 2) return answer;
    const seconds = Number(answer.retryAfter);
    const wait =
      Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 2000;
    await abortableSleep(options.clock, wait, options.signal);
  }
}

async function once(
  endpoint: Endpoint,
  method: 'GET' | 'POST' | 'DELETE',
  url: URL,
  options: CallOptions,
): Promise<Answer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const sentAt = options.clock.now();
  try {
    const res = await request(url, {
      method,
      headers: {
        accept: 'application/json',
        'user-agent': userAgent('drill'),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...endpoint.headers,
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal,
    });
    const text = await readText(res.body);
    const receivedAt = options.clock.now();
    const date = res.headers.date;
    if (typeof date === 'string') endpoint.onDate?.(date, sentAt, receivedAt);
    const contentType = res.headers['content-type'];
    const retryAfter = res.headers['retry-after'];
    return {
      status: res.statusCode,
      text,
      contentType: typeof contentType === 'string' ? contentType : '',
      retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
    };
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    if (err instanceof AppError) throw err;
    throw new AppError(
      'AP_UNREACHABLE',
      `cannot reach ${endpoint.what} at ${redactSecrets(url.origin + url.pathname)}: ${describeNetworkError(err, timeoutMs, timeout.aborted)}`,
      { cause: err },
    );
  }
}

async function readText(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new AppError('AP_PAYLOAD_TOO_LARGE', 'answer larger than 16 MiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The JSON of an answer, or undefined when it is not JSON. */
export function jsonOf(answer: Answer): unknown {
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}

/** The first line of an error answer, short and without secrets: `HTTP 400: wrong api key`. */
export function describeAnswer(answer: Answer): string {
  const json = jsonOf(answer);
  let detail = '';
  if (typeof json === 'string') detail = json;
  else if (json && typeof json === 'object') {
    const o = json as { error?: unknown; message?: unknown };
    if (typeof o.error === 'string') detail = o.error;
    else if (
      o.error &&
      typeof o.error === 'object' &&
      typeof (o.error as { message?: unknown }).message === 'string'
    )
      detail = (o.error as { message: string }).message;
    else if (typeof o.message === 'string') detail = o.message;
  } else if (!answer.contentType.includes('html')) detail = answer.text.trim().split('\n')[0] ?? '';
  detail = redactSecrets(detail).slice(0, 200);
  return `HTTP ${answer.status}${detail ? `: ${detail}` : ''}`;
}

/** `Authorization` for a bearer token file's content or a `user:pass` basic-auth file's content. */
export function authorizationHeader(kind: 'bearer' | 'basic', secret: string): string {
  return kind === 'bearer' ? `Bearer ${secret}` : `Basic ${Buffer.from(secret, 'utf8').toString('base64')}`;
}
