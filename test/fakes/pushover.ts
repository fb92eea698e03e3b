import { randomBytes, randomUUID } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, FakeService, jsonBody } from './service.js';

/**
 * A fake Pushover API (`/1/messages.json`, `/1/receipts/cancel_by_tag/<tag>.json`) with
 * Pushover's rules: 30-character application tokens and user/group keys (400 `token`/`user`
 * invalid), message required and at most 1024 characters, title 250, url 512, url_title 100,
 * priority -2…2, emergencies (2) need `retry` ≥ 30 and `expire` ≤ 10800, and a monthly quota
 * (429 once used up), with the `X-Limit-App-*` headers. Emergencies stay active until
 * cancelled by tag.
 */

export interface PushoverMessage {
  user: string;
  title?: string;
  message: string;
  priority: number;
  retry?: number;
  expire?: number;
  tags: string[];
  url?: string;
  urlTitle?: string;
  device?: string;
  sound?: string;
  timestamp?: number;
  cancelled: boolean;
}

const LIMITS = { message: 1024, title: 250, url: 512, url_title: 100 } as const;

export class FakePushover extends FakeService {
  readonly messages: PushoverMessage[] = [];
  readonly apps = new Set<string>();
  readonly users = new Set<string>();
  /** Messages left this month for the applications. */
  quota = 10_000;

  static key(): string {
    return randomBytes(30)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'x')
      .slice(0, 30);
  }

  addApp(): string {
    const k = FakePushover.key();
    this.apps.add(k);
    return k;
  }

  addUser(): string {
    const k = FakePushover.key();
    this.users.add(k);
    return k;
  }

  /** Emergencies still ringing. */
  activeEmergencies(): PushoverMessage[] {
    return this.messages.filter((m) => m.priority === 2 && !m.cancelled);
  }

  protected answer(req: FakeRequest): FakeAnswer {
    if (req.method !== 'POST') return fail(404, ['not found']);
    const p = params(req);
    const token = p.token ?? '';
    if (!this.apps.has(token)) return fail(400, ['application token is invalid'], { token: 'invalid' });
    const cancel = /^\/1\/receipts\/cancel_by_tag\/([^/]+)\.json$/.exec(req.path);
    if (cancel) {
      const tag = decodeURIComponent(cancel[1] ?? '');
      let canceled = 0;
      for (const m of this.activeEmergencies())
        if (m.tags.includes(tag)) {
          m.cancelled = true;
          canceled++;
        }
      return ok({ canceled });
    }
    if (req.path !== '/1/messages.json') return fail(404, ['not found']);
    if (!this.users.has(p.user ?? ''))
      return fail(400, ['user identifier is not a valid user, group, or subscribed user key'], {
        user: 'invalid',
      });
    const message = p.message ?? '';
    if (message.trim() === '') return fail(400, ['message cannot be blank'], { message: 'cannot be blank' });
    for (const [field, max] of Object.entries(LIMITS)) {
      const v = p[field];
      if (v !== undefined && [...v].length > max)
        return fail(400, [`${field} is too long (maximum is ${max} characters)`], { [field]: 'is too long' });
    }
    const priority = p.priority === undefined ? 0 : Number(p.priority);
    if (!Number.isInteger(priority) || priority < -2 || priority > 2)
      return fail(400, ['priority is invalid'], { priority: 'invalid' });
    const retry = p.retry === undefined ? undefined : Number(p.retry);
    const expire = p.expire === undefined ? undefined : Number(p.expire);
    if (priority === 2) {
      if (retry === undefined)
        return fail(400, ['retry must be supplied with priority=2'], { retry: 'invalid' });
      if (expire === undefined)
        return fail(400, ['expire must be supplied with priority=2'], { expire: 'invalid' });
      if (retry < 30) return fail(400, ['retry is too small (minimum is 30 seconds)'], { retry: 'invalid' });
      if (expire > 10_800)
        return fail(400, ['expire is too large (maximum is 10800 seconds)'], { expire: 'invalid' });
    }
    if (this.quota <= 0)
      return {
        ...fail(429, ['application is over its monthly message limit']),
        headers: this.limitHeaders(),
      };
    this.quota--;
    this.messages.push({
      user: p.user ?? '',
      message,
      priority,
      tags: (p.tags ?? '').split(',').filter(Boolean),
      cancelled: false,
      ...(p.title !== undefined ? { title: p.title } : {}),
      ...(retry !== undefined ? { retry } : {}),
      ...(expire !== undefined ? { expire } : {}),
      ...(p.url !== undefined ? { url: p.url } : {}),
      ...(p.url_title !== undefined ? { urlTitle: p.url_title } : {}),
      ...(p.device !== undefined ? { device: p.device } : {}),
      ...(p.sound !== undefined ? { sound: p.sound } : {}),
      ...(p.timestamp !== undefined ? { timestamp: Number(p.timestamp) } : {}),
    });
    return {
      ...ok(priority === 2 ? { receipt: randomBytes(15).toString('hex') } : {}),
      headers: this.limitHeaders(),
    };
  }

  private limitHeaders(): Record<string, string> {
    return {
      'x-limit-app-limit': '10000',
      'x-limit-app-remaining': String(Math.max(0, this.quota)),
      'x-limit-app-reset': String(Math.floor(Date.now() / 1000) + 86_400),
    };
  }
}

function ok(extra: Record<string, unknown>): FakeAnswer {
  return { status: 200, body: { status: 1, request: randomUUID(), ...extra } };
}

function fail(status: number, errors: string[], fields: Record<string, string> = {}): FakeAnswer {
  return { status, body: { ...fields, errors, status: 0, request: randomUUID() } };
}

function params(req: FakeRequest): Record<string, string | undefined> {
  const json = jsonBody(req);
  if (json) return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(new URLSearchParams(req.body));
}
