import { Agent, request } from 'undici';
import { describeNetworkError, userAgent } from '../lib/net.js';
import type { AttemptOutcome } from './outcome.js';
import { type TlsTrust, tlsConnectOptions } from './tls.js';

export interface HttpAttemptOptions {
  method?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Read up to this many bytes of the body into the outcome (0: discard it). */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

/**
 * HTTP(S) attempts with one connection pool per trust setting. Redirects are not followed: a
 * 301 is an answer like any other, and the accept set decides what it means.
 */
export class HttpAttempter {
  private readonly agent: Agent;

  constructor(trust: TlsTrust = {}) {
    this.agent = new Agent({
      connect: { ...tlsConnectOptions(trust) },
      keepAliveTimeout: 4_000,
      pipelining: 0,
    });
  }

  async attempt(url: string, options: HttpAttemptOptions): Promise<AttemptOutcome> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    try {
      const res = await request(url, {
        dispatcher: this.agent,
        method: (options.method ?? 'GET') as 'GET',
        headers: { 'user-agent': userAgent('probe'), ...options.headers },
        signal,
      });
      const body = await readBody(res.body, options.maxBodyBytes ?? 0);
      return {
        kind: 'http',
        status: res.statusCode,
        latencyMs: performance.now() - started,
        ...(body !== undefined ? { body } : {}),
      };
    } catch (err) {
      return {
        kind: 'error',
        reason: describeNetworkError(err, options.timeoutMs, timeout.aborted),
        latencyMs: performance.now() - started,
      };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** A body read up to `maxBytes` (the rest discarded); with 0, drained unread. */
export async function readBody(
  body: AsyncIterable<Buffer> & { dump(opts?: { limit: number }): Promise<void> },
  maxBytes: number,
): Promise<string | undefined> {
  if (maxBytes <= 0) {
    await body.dump({ limit: 64 * 1024 });
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}
