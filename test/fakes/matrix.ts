import { randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, FakeService, jsonBody, WindowLimit } from './service.js';

/**
 * A fake Matrix homeserver for the client-server API v3
 * `PUT /_matrix/client/v3/rooms/<room>/send/<type>/<txnId>`: access tokens in
 * `Authorization: Bearer` (401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN), 403 M_FORBIDDEN for a room
 * the user has not joined, 400 M_NOT_JSON / M_BAD_JSON, 413 M_TOO_LARGE past 64 KiB, 405
 * M_UNRECOGNIZED for another method, a per-user rate limit (429 M_LIMIT_EXCEEDED with
 * `retry_after_ms` and `Retry-After`), and idempotent transactions: the same txnId from the same
 * token returns the first event again and posts nothing.
 */

export interface MatrixEvent {
  eventId: string;
  roomId: string;
  sender: string;
  type: string;
  txnId: string;
  content: Record<string, unknown>;
}

export class FakeMatrix extends FakeService {
  readonly events: MatrixEvent[] = [];
  /** Requests that repeated a transaction (answered with the first event). */
  replays = 0;
  readonly limit = new WindowLimit(1000, 1000);
  private readonly users = new Map<string, { user: string; rooms: Set<string> }>();
  private readonly txns = new Map<string, string>();

  /** A user with an access token, joined to `rooms`. */
  addUser(user: string, rooms: string[]): string {
    const token = `syt_${randomBytes(18).toString('base64url')}`;
    this.users.set(token, { user, rooms: new Set(rooms) });
    return token;
  }

  protected answer(req: FakeRequest): FakeAnswer {
    const m = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/([^/]+)\/([^/]+)$/.exec(req.path);
    if (!m) return error(404, 'M_UNRECOGNIZED', 'Unrecognized request');
    if (req.method !== 'PUT') return error(405, 'M_UNRECOGNIZED', 'Unrecognized request');
    const token =
      /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ??
      req.query.get('access_token') ??
      undefined;
    if (!token) return error(401, 'M_MISSING_TOKEN', 'Missing access token');
    const user = this.users.get(token);
    if (!user)
      return {
        status: 401,
        body: { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false },
      };
    const roomId = decodeURIComponent(m[1] ?? '');
    const type = decodeURIComponent(m[2] ?? '');
    const txnId = decodeURIComponent(m[3] ?? '');
    const seen = this.txns.get(`${token}\n${txnId}`);
    if (seen) {
      this.replays++;
      return { status: 200, body: { event_id: seen } };
    }
    if (!user.rooms.has(roomId)) return error(403, 'M_FORBIDDEN', `User ${user.user} not in room ${roomId}`);
    const content = jsonBody(req);
    if (!content) return error(400, 'M_NOT_JSON', 'Content not JSON.');
    if (Buffer.byteLength(req.body) > 65_536) return error(413, 'M_TOO_LARGE', 'event too large');
    if (
      type === 'm.room.message' &&
      (typeof content.body !== 'string' || typeof content.msgtype !== 'string')
    )
      return error(400, 'M_BAD_JSON', "'body' and 'msgtype' must be strings");
    const wait = this.limit.take(user.user);
    if (wait > 0)
      return {
        status: 429,
        body: { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: wait },
        headers: { 'retry-after': String(Math.ceil(wait / 1000)) },
      };
    const eventId = `$${randomBytes(16).toString('base64url')}`;
    this.txns.set(`${token}\n${txnId}`, eventId);
    this.events.push({ eventId, roomId, sender: user.user, type, txnId, content });
    return { status: 200, body: { event_id: eventId } };
  }
}

function error(status: number, errcode: string, message: string): FakeAnswer {
  return { status, body: { errcode, error: message } };
}
