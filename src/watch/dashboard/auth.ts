import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Clock } from '../../lib/clock.js';
import { safeEqual } from '../../lib/safe-equal.js';
import type { SessionRow, Store } from '../store/types.js';
import type { DashboardUser } from './config.js';

/**
 * Dashboard sign-in: sessions kept in the store (several instances on one PostgreSQL share
 * them; the store keeps only a hash of the cookie's id), CSRF tokens, and a login rate limit
 * per client address and per user name with exponential back-off.
 */

export const SESSION_COOKIE = 'alertpath_session';
/** The CSRF token of the sign-in form, before there is a session (double submit). */
export const LOGIN_CSRF_COOKIE = 'alertpath_login_csrf';
export const SESSION_TTL_MS = 7 * 86_400_000;

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && a !== '' && b !== undefined && b !== '' && safeEqual(a, b);
}

/** `Secure` when the dashboard is reached over https (its base URL, or a proxy's header). */
export function isSecure(c: Context, baseUrl: string): boolean {
  return (
    baseUrl.startsWith('https://') ||
    c.req.header('x-forwarded-proto') === 'https' ||
    new URL(c.req.url).protocol === 'https:'
  );
}

export function cookieOptions(c: Context, baseUrl: string, maxAgeSeconds: number) {
  return {
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure: isSecure(c, baseUrl),
    path: '/',
    maxAge: maxAgeSeconds,
  };
}

export interface SignedIn {
  session: SessionRow;
  user: DashboardUser;
}

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** A new session (a new id on every sign-in: no fixation); the cookie's value. */
  async create(user: string): Promise<{ id: string; session: SessionRow }> {
    const id = newToken();
    const now = this.clock.now();
    const session = {
      idHash: sha256(id),
      user,
      csrf: newToken(),
      createdAt: now,
      expiresAt: now + SESSION_TTL_MS,
    };
    await this.store.insertSession(session);
    return { id, session };
  }

  /** The request's session and user, while both exist (a user removed from the config is out). */
  async current(c: Context, users: readonly DashboardUser[]): Promise<SignedIn | undefined> {
    const id = getCookie(c, SESSION_COOKIE);
    if (!id) return undefined;
    const session = await this.store.getSession(sha256(id), this.clock.now());
    const user = session && users.find((u) => u.name === session.user);
    return session && user ? { session, user } : undefined;
  }

  async destroy(c: Context): Promise<void> {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) await this.store.deleteSession(sha256(id));
  }
}

export function setSessionCookie(c: Context, baseUrl: string, id: string): void {
  setCookie(c, SESSION_COOKIE, id, cookieOptions(c, baseUrl, SESSION_TTL_MS / 1000));
}

/**
 * Failed sign-ins per key (a client address, a user name): after `free` failures each further
 * one doubles the wait, from 1 s up to 15 min. A success clears the key's count.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, { count: number; last: number }>();
  private static readonly FREE = 5;
  private static readonly MAX_MS = 15 * 60_000;
  private static readonly FORGET_MS = 24 * 3_600_000;

  constructor(private readonly clock: Clock) {}

  /** How long the keys must still wait (0: try now). */
  waitMs(keys: readonly string[]): number {
    const now = this.clock.now();
    let wait = 0;
    for (const key of keys) {
      const f = this.failures.get(key);
      if (!f || f.count < LoginLimiter.FREE) continue;
      const backoff = Math.min(LoginLimiter.MAX_MS, 1000 * 2 ** (f.count - LoginLimiter.FREE));
      wait = Math.max(wait, f.last + backoff - now);
    }
    return Math.max(0, wait);
  }

  fail(keys: readonly string[]): void {
    const now = this.clock.now();
    if (this.failures.size > 100_000) this.forgetOld(now);
    for (const key of keys) {
      const f = this.failures.get(key);
      this.failures.set(key, { count: (f?.count ?? 0) + 1, last: now });
    }
  }

  succeed(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private forgetOld(now: number): void {
    for (const [key, f] of this.failures)
      if (now - f.last > LoginLimiter.FORGET_MS) this.failures.delete(key);
  }
}
