import { request } from 'undici';
import { describeNetworkError, userAgent } from '../../lib/net.js';
import { redactSecrets } from '../../lib/redact.js';
import { readBody } from '../../probe/http.js';
import { clampRetry, DeliveryError, retryAfterHeader, statusKind } from './failure.js';
import { wellFormed } from './format.js';

/** What a service's error body says, for the channels whose APIs answer JSON errors. */
export interface ServiceErrors {
  /** A short, secret-free reason from the error body (`description`, `error`, `errors[0]`). */
  describe?(json: unknown): string | undefined;
  /** The retry time a rate-limited answer carries in its body, in ms. */
  retryAfterMs?(json: unknown): number | undefined;
  /** The wait for a 429 that names none (default: the outbox's own backoff). */
  defaultRetryAfterMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

/** Answers are read up to this size (a success needs a few hundred bytes; errors are cut). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * One HTTP try for a channel. Resolves with the answer on 2xx; otherwise throws a DeliveryError
 * classified by `statusKind` (permanent or transient, with the retry time of a 429 from its
 * `Retry-After` header or the service's body) and a short, secret-free reason:
 * `api.telegram.org answered HTTP 400: Bad Request: chat not found`, `no answer from … in time`,
 * `…: connection refused`. URLs are never quoted whole (some carry tokens); header values are
 * made safe to send (no CR/LF, latin-1 only), so a check name never breaks a request.
 */
export async function sendHttp(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    signal: AbortSignal;
    /** Also bounds waiting for headers and body inside undici. */
    timeoutMs?: number;
    errors?: ServiceErrors;
  },
): Promise<HttpAnswer> {
  const where = host(url);
  const headers: Record<string, string> = { 'user-agent': userAgent('watch') };
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k] = headerValue(v);
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method: (init.method ?? 'POST') as 'POST',
      headers,
      ...(init.body !== undefined ? { body: init.body } : {}),
      signal: init.signal,
      ...(init.timeoutMs !== undefined
        ? { headersTimeout: init.timeoutMs, bodyTimeout: init.timeoutMs }
        : {}),
    });
  } catch (err) {
    throw networkFailure(err, where, init.signal, init.timeoutMs);
  }
  let text: string;
  try {
    text = (await readBody(res.body, MAX_ANSWER_BYTES)) ?? '';
  } catch (err) {
    throw networkFailure(err, where, init.signal, init.timeoutMs);
  }
  const json = parseJson(text);
  const answer: HttpAnswer = { status: res.statusCode, headers: res.headers, text, json };
  if (res.statusCode >= 200 && res.statusCode < 300) return answer;
  throw httpFailure(answer, where, init.errors);
}

/** The DeliveryError for a non-2xx answer. */
export function httpFailure(answer: HttpAnswer, where: string, errors?: ServiceErrors): DeliveryError {
  const { status } = answer;
  let retryAfterMs: number | undefined;
  if (status === 429 || status === 503) {
    retryAfterMs =
      retryAfterHeader(answer.headers['retry-after'], serverNow(answer.headers)) ??
      errors?.retryAfterMs?.(answer.json) ??
      (status === 429 ? errors?.defaultRetryAfterMs : undefined);
  }
  const said = errors?.describe?.(answer.json) ?? firstLine(answer.text);
  const detail = said ? `: ${redactSecrets(said).slice(0, 200)}` : '';
  const wait = retryAfterMs !== undefined ? ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)` : '';
  return new DeliveryError(
    `${where} answered HTTP ${status}${wait}${detail}`,
    statusKind(status),
    retryAfterMs,
  );
}

function networkFailure(err: unknown, where: string, signal: AbortSignal, timeoutMs = 0): DeliveryError {
  const code = (err as { code?: string }).code;
  if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new DeliveryError(`no answer from ${where} in time`, 'transient');
  const reason = describeNetworkError(err, timeoutMs, false);
  return new DeliveryError(`${where}: ${redactSecrets(reason).slice(0, 200)}`, 'transient');
}

function parseJson(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}

/** The server's clock from its `Date` header, so an HTTP-date Retry-After needs no local clock. */
function serverNow(headers: HttpAnswer['headers']): number {
  const d = headers.date;
  const t = Date.parse(Array.isArray(d) ? (d[0] ?? '') : (d ?? ''));
  return Number.isNaN(t) ? Number.NaN : t;
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'endpoint';
  }
}

/**
 * A header value that can be sent: control characters (CR, LF, NUL…) become spaces, and
 * characters beyond latin-1 become `&#N;` references (what Healthchecks does), so a check name
 * with a line break or an emoji never fails the page.
 */
export function headerValue(value: string): string {
  let out = '';
  for (const ch of wellFormed(value)) {
    const c = ch.codePointAt(0) ?? 0x20;
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) out += ' ';
    else if (c > 0xff) out += `&#${c};`;
    else out += ch;
  }
  return out.trim();
}

/** A body retry time in seconds (Telegram's `parameters.retry_after`, Discord's `retry_after`). */
export function secondsRetry(v: unknown): number | undefined {
  return typeof v === 'number' ? clampRetry(v * 1000) : undefined;
}
