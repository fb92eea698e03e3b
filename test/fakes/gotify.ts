import { randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, FakeService, jsonBody } from './service.js';

/**
 * A fake Gotify server (`POST <prefix>/message`): an application token in `X-Gotify-Key`,
 * `?token=` or `Authorization: Bearer` (client tokens and unknown ones get 401), a JSON body
 * whose `message` is required and `priority` an integer, Gotify's error body
 * `{error, errorCode, errorDescription}`, and 404 elsewhere.
 */

export interface GotifyMessage {
  appToken: string;
  title?: string;
  message: string;
  priority?: number;
  extras?: Record<string, unknown>;
}

export class FakeGotify extends FakeService {
  readonly messages: GotifyMessage[] = [];
  readonly appTokens = new Set<string>();
  readonly clientTokens = new Set<string>();

  constructor(readonly prefix = '') {
    super();
  }

  addApp(): string {
    const t = `A${randomBytes(12).toString('base64url').slice(0, 14)}`;
    this.appTokens.add(t);
    return t;
  }

  addClient(): string {
    const t = `C${randomBytes(12).toString('base64url').slice(0, 14)}`;
    this.clientTokens.add(t);
    return t;
  }

  get base(): string {
    return `${this.url}${this.prefix}`;
  }

  protected answer(req: FakeRequest): FakeAnswer {
    if (req.path !== `${this.prefix}/message` || req.method !== 'POST')
      return error(404, 'Not Found', 'page not found');
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const token = String(req.headers['x-gotify-key'] ?? '') || req.query.get('token') || bearer || '';
    if (!this.appTokens.has(token))
      return error(
        401,
        'Unauthorized',
        'you need to provide a valid access token or user credentials to access this api',
      );
    const body = jsonBody(req);
    if (!body) return error(400, 'Bad Request', 'invalid JSON body');
    if (typeof body.message !== 'string' || body.message === '')
      return error(400, 'Bad Request', "Field 'message' is required");
    if (body.priority !== undefined && !Number.isInteger(body.priority))
      return error(400, 'Bad Request', "Field 'priority' must be an integer");
    if (body.title !== undefined && typeof body.title !== 'string')
      return error(400, 'Bad Request', "Field 'title' must be a string");
    const msg: GotifyMessage = {
      appToken: token,
      message: body.message,
      ...(typeof body.title === 'string' ? { title: body.title } : {}),
      ...(typeof body.priority === 'number' ? { priority: body.priority } : {}),
      ...(body.extras && typeof body.extras === 'object'
        ? { extras: body.extras as Record<string, unknown> }
        : {}),
    };
    this.messages.push(msg);
    return {
      status: 200,
      body: { id: this.messages.length, appid: 1, ...msg, date: new Date().toISOString() },
    };
  }
}

function error(status: number, error: string, errorDescription: string): FakeAnswer {
  return { status, body: { error, errorCode: status, errorDescription } };
}
