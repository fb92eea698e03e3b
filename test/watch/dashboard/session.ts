import assert from 'node:assert/strict';
import { hashPassword } from '../../../src/watch/dashboard/password.js';

/** A browser over `app.request`: a cookie jar, forms with their CSRF token, no redirects followed. */
export class Session {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly request: (path: string, init?: RequestInit) => Promise<Response>,
    private readonly headers: Record<string, string> = {},
  ) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) headers.set(k, v);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.request(path, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq);
      const value = (pair ?? '').slice(eq + 1);
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  async get(path: string): Promise<{ res: Response; text: string }> {
    const res = await this.fetch(path);
    return { res, text: await res.text() };
  }

  /** POSTs a form; `csrf` defaults to the token in the page at `from`. */
  async post(path: string, fields: Record<string, string>): Promise<{ res: Response; text: string }> {
    const res = await this.fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return { res, text: await res.text() };
  }

  /** The CSRF token of the first form on a page. */
  static csrf(page: string): string {
    const token = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(token, 'the page has a CSRF token');
    return token;
  }

  async login(user: string, password: string): Promise<Response> {
    const { text } = await this.get('/login');
    return this.fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: Session.csrf(text), user, password, next: '/' }).toString(),
    });
  }
}

export const PASSWORD = 'correct horse battery staple';
export const READER_PASSWORD = 'reader password 1';

/** `users:` YAML with an admin and a read-only reader (cheap scrypt cost for tests). */
export async function usersYaml(): Promise<string> {
  const admin = await hashPassword(PASSWORD, { ln: 10 });
  const reader = await hashPassword(READER_PASSWORD, { ln: 10 });
  return `users:\n  - { name: admin, passwordHash: "${admin}" }\n  - { name: reader, passwordHash: "${reader}", readOnly: true }\n`;
}
