import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Clock } from '../../lib/clock.js';
import { formatDuration } from '../../lib/duration.js';
import { remoteAddress } from '../http/ping.js';
import {
  cookieOptions,
  LOGIN_CSRF_COOKIE,
  LoginLimiter,
  newToken,
  SESSION_COOKIE,
  type Sessions,
  type SignedIn,
  sameToken,
  setSessionCookie,
} from './auth.js';
import type { DashboardUser } from './config.js';
import { html } from './html.js';
import { page } from './layout.js';
import { verifyPassword } from './password.js';

/**
 * `/login` and `/logout`, and the guard of every dashboard page: a session, and on a POST its
 * CSRF token (`csrf` form field); a write needs a user who is not read-only.
 */

export interface LoginDeps {
  sessions: Sessions;
  clock: Clock;
  users: () => readonly DashboardUser[];
  baseUrl: () => string;
}

const WRONG = 'Wrong user name or password.';
export const FORM_LIMIT = 64 * 1024;

/** Where to go after signing in: a path on this site only (never `//evil.example`). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

function loginPage(opts: { csrf: string; next: string; error?: string; name?: string }): string {
  return page({
    title: 'Sign in',
    body: html`<main><h1>Sign in</h1>
${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
<form class="login" method="post" action="/login">
<input type="hidden" name="csrf" value="${opts.csrf}"><input type="hidden" name="next" value="${opts.next}">
<label>User name <input type="text" name="user" autocomplete="username" required value="${opts.name ?? ''}"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button class="primary" type="submit">Sign in</button>
</form></main>`,
  });
}

export function forbiddenPage(text: string): string {
  return page({ title: 'Forbidden', body: html`<main><h1>Forbidden</h1><p>${text}</p></main>` });
}

function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === 'string' ? v : '';
}

export function loginRoutes(app: Hono, deps: LoginDeps): void {
  const limiter = new LoginLimiter(deps.clock);
  const loginCsrf = (c: Context) => {
    let token = getCookie(c, LOGIN_CSRF_COOKIE);
    if (!token || token.length < 32) {
      token = newToken();
      setCookie(c, LOGIN_CSRF_COOKIE, token, cookieOptions(c, deps.baseUrl(), 3600));
    }
    return token;
  };

  app.get('/login', async (c) => {
    if (deps.users().length === 0) return c.redirect('/');
    return c.html(loginPage({ csrf: loginCsrf(c), next: safeNext(c.req.query('next')) }));
  });

  app.post('/login', bodyLimit({ maxSize: FORM_LIMIT }), async (c) => {
    if (deps.users().length === 0) return c.redirect('/');
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    if (!sameToken(field(form, 'csrf'), getCookie(c, LOGIN_CSRF_COOKIE)))
      return c.html(
        loginPage({
          csrf: loginCsrf(c),
          next,
          error: 'The form expired (missing or stale CSRF token); sign in again.',
        }),
        403,
      );
    const name = field(form, 'user');
    const keys = [`ip:${remoteAddress(c)}`, `user:${name}`];
    const wait = limiter.waitMs(keys);
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      return c.html(
        loginPage({
          csrf: loginCsrf(c),
          next,
          name,
          error: `Too many failed sign-ins; try again in ${formatDuration(Math.max(1000, wait))}.`,
        }),
        429,
      );
    }
    const user = deps.users().find((u) => u.name === name);
    // Unknown users are checked against a dummy hash: the same work, the same answer.
    const ok = await verifyPassword(field(form, 'password'), user?.passwordHash);
    if (!ok || !user) {
      limiter.fail(keys);
      return c.html(loginPage({ csrf: loginCsrf(c), next, name, error: WRONG }), 401);
    }
    limiter.succeed(keys);
    // A new session id on every sign-in (no fixation); the old session, if any, ends.
    await deps.sessions.destroy(c);
    const { id } = await deps.sessions.create(user.name);
    setSessionCookie(c, deps.baseUrl(), id);
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/' });
    return c.redirect(next, 303);
  });

  app.post('/logout', bodyLimit({ maxSize: FORM_LIMIT }), async (c) => {
    const who = await deps.sessions.current(c, deps.users());
    const form = await c.req.parseBody();
    if (!who || !sameToken(field(form, 'csrf'), who.session.csrf))
      return c.html(forbiddenPage('Missing or wrong CSRF token.'), 403);
    await deps.sessions.destroy(c);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
}

/**
 * The signed-in user of a dashboard request, or the answer to send instead: a redirect to the
 * sign-in page (GET), 403 (POST without a session or with a wrong CSRF token, or a read-only
 * user writing). The form is parsed here for POSTs and handed back.
 */
export async function guard(
  c: Context,
  deps: LoginDeps,
  opts: { write?: boolean } = {},
): Promise<{ who: SignedIn; form: Record<string, unknown> } | Response> {
  const who = await deps.sessions.current(c, deps.users());
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    if (!who) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`);
    return { who, form: {} };
  }
  const form = await c.req.parseBody();
  if (!who || !sameToken(field(form, 'csrf'), who.session.csrf))
    return c.html(forbiddenPage('Missing or wrong CSRF token: reload the page and try again.'), 403);
  if (opts.write && who.user.readOnly)
    return c.html(forbiddenPage(`${who.user.name} is a read-only user.`), 403);
  return { who, form };
}
