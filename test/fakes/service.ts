import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The frame of a fake SaaS HTTP API (Telegram, Pushover, Gotify, Matrix, PagerDuty): a loopback
 * server that records every request and lets a subclass answer it the way the real service
 * does, and enforce its documented limits. Tests can make the next answers fail, hold answers
 * back for ever (a hung service), or drop the connection after the request was handled (the
 * service did the work but its answer was lost).
 */

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RecordedCall extends FakeRequest {
  status: number;
  at: number;
}

export abstract class FakeService {
  readonly calls: RecordedCall[] = [];
  url = '';
  /** Requests that arrived, answered or not. */
  received = 0;
  private server: Server | undefined;
  private readonly failures: FakeAnswer[] = [];
  private hang = false;
  private dropAnswers = 0;

  /** Answers a request as the service would. */
  protected abstract answer(req: FakeRequest): FakeAnswer;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** The next `count` requests get this answer instead (a 500, a 429 with a wait…). */
  failNext(count: number, answer: FakeAnswer): void {
    for (let i = 0; i < count; i++) this.failures.push(answer);
  }

  /** While on, requests are read and never answered. */
  setHang(on: boolean): void {
    this.hang = on;
  }

  /** The next `count` requests are handled (their effect kept), then the connection is cut. */
  dropNextAnswers(count: number): void {
    this.dropAnswers += count;
  }

  /** Calls that were answered with this status (optionally on a path). */
  answered(status: number, path?: string): RecordedCall[] {
    return this.calls.filter((c) => c.status === status && (path === undefined || c.path === path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.received++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.hang) return;
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const answer = this.failures.shift() ?? this.answer(request);
    this.calls.push({ ...request, status: answer.status, at: Date.now() });
    if (this.dropAnswers > 0) {
      this.dropAnswers--;
      req.socket.destroy();
      return;
    }
    const body = answer.body === undefined ? '' : JSON.stringify(answer.body);
    res
      .writeHead(answer.status, {
        ...(answer.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...answer.headers,
      })
      .end(body);
  }
}

/** The body as JSON, or undefined. */
export function jsonBody(req: FakeRequest): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(req.body) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A per-key limit of `limit` requests per `windowMs`; answers how long to wait (ms) or 0. */
export class WindowLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();
  /** Requests refused because the client came back too soon. */
  violations = 0;

  constructor(
    public limit: number,
    public windowMs: number,
  ) {}

  take(key: string, now = Date.now()): number {
    const w = this.windows.get(key) ?? { start: now, count: 0 };
    if (now - w.start >= this.windowMs) {
      w.start = now;
      w.count = 0;
    }
    this.windows.set(key, w);
    if (w.count >= this.limit) {
      this.violations++;
      return w.start + this.windowMs - now;
    }
    w.count++;
    return 0;
  }
}
