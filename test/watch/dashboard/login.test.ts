import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { silentLogger } from '../../../src/lib/log.js';
import { hashPassword, parseHash, verifyPassword } from '../../../src/watch/dashboard/password.js';
import { buildWatch, type Watch } from '../../../src/watch/index.js';
import { openSqliteStore } from '../../../src/watch/store/sqlite/index.js';
import { ManualClock } from '../../helpers/clock.js';
import { appRig } from '../rig.js';
import { createSchema, pgSkip } from '../store-pg.js';
import { PASSWORD, READER_PASSWORD, Session, usersYaml } from './session.js';

/** Sign-in over HTTP: sessions, CSRF, the rate limit, read-only users, no fixation. */

const UUID = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c01';

async function rig(clock = new ManualClock()) {
  const config = `${await usersYaml()}checks:\n  - { name: backup, uuid: ${UUID}, period: 1h, grace: 10m, tags: [db] }\n`;
  const r = await appRig({ config, clock, start: false });
  return { ...r, clock, browser: (ip = '192.0.2.1') => new Session(r.request, { 'x-forwarded-for': ip }) };
}

describe('passwords', () => {
  test('scrypt hashes verify; other passwords, unknown users and broken hashes do not', async () => {
    const hash = await hashPassword('s3cret', { ln: 10 });
    assert.match(hash, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('s3cret', hash), true);
    assert.equal(await verifyPassword('s3cret ', hash), false);
    assert.equal(await verifyPassword('s3cret', undefined), false);
    assert.equal(await verifyPassword('s3cret', '$scrypt$nope'), false);
    assert.equal(typeof parseHash('$argon2id$v=19$...'), 'string');
    assert.equal(typeof parseHash('$scrypt$ln=40,r=8,p=1$c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5'), 'string');
  });
});

describe('sign-in', () => {
  test('pages need a session; signing in sets an HttpOnly, SameSite=Lax, Secure cookie', async () => {
    const r = await rig();
    try {
      const b = r.browser();
      let res = await b.fetch('/');
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/login?next=%2F');
      const { text } = await b.get('/login');
      assert.match(text, /<form class="login" method="post" action="\/login">/);
      res = await (
        await b.post('/login', { csrf: Session.csrf(text), user: 'admin', password: PASSWORD, next: '/' })
      ).res;
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('alertpath_session='));
      assert.ok(cookie);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Secure/);
      const home = await b.get('/');
      assert.equal(home.res.status, 200);
      assert.match(home.text, /<h1>Checks<\/h1>/);
      assert.match(home.text, />backup</);
    } finally {
      await r.close();
    }
  });

  test('after sign-in, `next` leads back on this site only', async () => {
    const r = await rig();
    try {
      const go = async (next: string) => {
        const b = r.browser(`192.0.2.${20 + next.length}`);
        const { text } = await b.get(`/login?next=${encodeURIComponent(next)}`);
        const res = await b.fetch('/login', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            csrf: Session.csrf(text),
            user: 'admin',
            password: PASSWORD,
            next,
          }).toString(),
        });
        return res.headers.get('location');
      };
      assert.equal(await go(`/checks/${UUID}`), `/checks/${UUID}`);
      assert.equal(await go('//evil.example/x'), '/');
      assert.equal(await go('/\\evil.example'), '/');
      assert.equal(await go('https://evil.example/'), '/');
    } finally {
      await r.close();
    }
  });

  test('a wrong password and an unknown user get the same answer', async () => {
    const r = await rig();
    try {
      const wrong = await r.browser('192.0.2.10').login('admin', 'guess');
      const unknown = await r.browser('192.0.2.11').login('nobody', 'guess');
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      const body = async (res: Response, name: string) =>
        (await res.text()).replace(/value="[^"]*"/g, '').replace(name, 'X');
      assert.equal(await body(wrong, 'admin'), await body(unknown, 'nobody'));
      assert.equal(
        wrong.headers.getSetCookie().some((c) => c.startsWith('alertpath_session=')),
        false,
      );
    } finally {
      await r.close();
    }
  });

  test('no session fixation: a new session id on every sign-in, the old one ends', async () => {
    const r = await rig();
    try {
      const b = r.browser();
      b.cookies.set('alertpath_session', 'chosen-by-an-attacker-aaaaaaaaaaaaaaaaaaaaaaa');
      await b.login('admin', PASSWORD);
      const first = b.cookies.get('alertpath_session');
      assert.ok(first && first !== 'chosen-by-an-attacker-aaaaaaaaaaaaaaaaaaaaaaa');
      await b.login('admin', PASSWORD);
      const second = b.cookies.get('alertpath_session');
      assert.ok(second && second !== first);
      const stale = new Session(r.request);
      stale.cookies.set('alertpath_session', first);
      assert.equal((await stale.fetch('/')).status, 302, 'the first session ended');
      assert.equal((await b.fetch('/')).status, 200);
    } finally {
      await r.close();
    }
  });

  test('sessions expire, and signing out ends them', async () => {
    const r = await rig();
    try {
      const b = r.browser();
      await b.login('admin', PASSWORD);
      const kept = new Session(r.request);
      kept.cookies.set('alertpath_session', b.cookies.get('alertpath_session') as string);
      const home = await b.get('/');
      const out = await b.post('/logout', {
        csrf: Session.csrf(home.text.slice(home.text.indexOf('action="/logout"'))),
      });
      assert.equal(out.res.status, 303);
      assert.equal((await kept.fetch('/')).status, 302, 'the session is gone from the store');
      const again = r.browser();
      await again.login('admin', PASSWORD);
      assert.equal((await again.fetch('/')).status, 200);
      await r.clock.advance(7 * 86_400_000 + 1000);
      assert.equal((await again.fetch('/')).status, 302, 'expired after 7 days');
    } finally {
      await r.close();
    }
  });
});

describe('config reload', () => {
  test('a user removed from the config is signed out; a new one can sign in', async () => {
    const r = await rig();
    try {
      const b = r.browser();
      await b.login('admin', PASSWORD);
      assert.equal((await b.fetch('/')).status, 200);
      const config = readFileSync(r.configFile as string, 'utf8');
      writeFileSync(r.configFile as string, config.replace(/ {2}- \{ name: admin,.*\n/, ''));
      assert.equal(await r.watch.reload(), true);
      assert.equal((await b.fetch('/')).status, 302, 'signed out');
      assert.equal((await r.browser('192.0.2.77').login('reader', READER_PASSWORD)).status, 303);
      assert.equal((await r.browser('192.0.2.78').login('admin', PASSWORD)).status, 401);
    } finally {
      await r.close();
    }
  });
});

describe('CSRF', () => {
  test('sign-in without the form token, or with another one, is refused', async () => {
    const r = await rig();
    try {
      const b = r.browser();
      await b.get('/login');
      let res = await b.post('/login', { user: 'admin', password: PASSWORD });
      assert.equal(res.res.status, 403);
      res = await b.post('/login', { csrf: 'x'.repeat(43), user: 'admin', password: PASSWORD });
      assert.equal(res.res.status, 403);
      // A token from another browser's form does not match this browser's cookie.
      const other = r.browser();
      const token = Session.csrf((await other.get('/login')).text);
      res = await b.post('/login', { csrf: token, user: 'admin', password: PASSWORD });
      assert.equal(res.res.status, 403);
      assert.equal(b.cookies.has('alertpath_session'), false);
    } finally {
      await r.close();
    }
  });

  test('sign-out needs the session CSRF token', async () => {
    const r = await rig();
    try {
      const b = r.browser();
      await b.login('admin', PASSWORD);
      assert.equal((await b.post('/logout', {})).res.status, 403);
      assert.equal((await b.post('/logout', { csrf: 'wrong' })).res.status, 403);
      assert.equal((await b.fetch('/')).status, 200, 'still signed in');
    } finally {
      await r.close();
    }
  });
});

describe('login rate limit', () => {
  test('after 5 failures per address, back-off doubles; the right password waits too', async () => {
    const r = await rig();
    try {
      const b = r.browser('198.51.100.7');
      for (let i = 0; i < 5; i++) assert.equal((await b.login('admin', `guess ${i}`)).status, 401);
      let res = await b.login('admin', PASSWORD);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.match(await res.text(), /Too many failed sign-ins/);
      // The same address is limited for another user name too.
      assert.equal((await b.login('reader', READER_PASSWORD)).status, 429);
      await r.clock.advance(1000);
      assert.equal((await b.login('admin', 'guess 6')).status, 401);
      res = await b.login('admin', PASSWORD);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '2');
      await r.clock.advance(2000);
      assert.equal((await b.login('admin', PASSWORD)).status, 303, 'a success clears the count');
      assert.equal((await b.login('admin', 'guess 7')).status, 401);
    } finally {
      await r.close();
    }
  });

  test('per user name, from any number of addresses', async () => {
    const r = await rig();
    try {
      for (let i = 0; i < 5; i++)
        assert.equal((await r.browser(`203.0.113.${i}`).login('admin', 'guess')).status, 401);
      assert.equal((await r.browser('203.0.113.99').login('admin', PASSWORD)).status, 429);
      assert.equal((await r.browser('203.0.113.99').login('reader', READER_PASSWORD)).status, 303);
    } finally {
      await r.close();
    }
  });
});

describe('without users', () => {
  test('the dashboard is off; public pages stay on', async () => {
    const r = await appRig({ config: 'statusPages: [{ slug: main, title: Main }]\n', start: false });
    try {
      const home = await r.request('/');
      assert.equal(home.status, 200);
      const text = await home.text();
      assert.match(text, /dashboard is off/);
      assert.match(text, /href="\/status\/main"/);
      assert.equal((await r.request('/login')).status, 302);
      assert.equal((await r.request('/status/main')).status, 200);
    } finally {
      await r.close();
    }
  });
});

describe('sessions in the store', () => {
  test('SQLite: a session outlives the process that made it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessions-'));
    const a = await openSqliteStore(join(dir, 'watch.db'));
    await a.insertSession({ idHash: 'h1', user: 'admin', csrf: 'c1', createdAt: 1000, expiresAt: 5000 });
    await a.close();
    const b = await openSqliteStore(join(dir, 'watch.db'));
    try {
      assert.deepEqual(await b.getSession('h1', 2000), {
        idHash: 'h1',
        user: 'admin',
        csrf: 'c1',
        createdAt: 1000,
        expiresAt: 5000,
      });
      assert.equal(await b.getSession('h1', 5000), undefined, 'expired');
      await b.deleteSession('h1');
      assert.equal(await b.getSession('h1', 2000), undefined);
    } finally {
      await b.close();
    }
  });

  test('PostgreSQL: two instances share sessions (sign in on one, use the other)', async (t) => {
    const skip = await pgSkip();
    if (skip) return t.skip(skip);
    const db = await createSchema();
    const clock = new ManualClock();
    const config = `${await usersYaml()}checks:\n  - { name: backup, uuid: ${UUID}, period: 1h }\n`;
    const make = async (): Promise<Watch> => {
      const dir = mkdtempSync(join(tmpdir(), 'dash-pg-'));
      writeFileSync(join(dir, 'watch.yaml'), config);
      return buildWatch(
        {
          dataDir: dir,
          configFile: join(dir, 'watch.yaml'),
          databaseUrl: db.url,
          baseUrl: 'https://w.example',
          env: {},
        },
        { logger: silentLogger(), clock, processMetrics: false, announce: () => {} },
      );
    };
    const a = await make();
    const b = await make();
    try {
      const onA = new Session(async (p, init) => a.app.request(`http://watch.test${p}`, init));
      assert.equal((await onA.login('admin', PASSWORD)).status, 303);
      const onB = new Session(async (p, init) => b.app.request(`http://watch.test${p}`, init));
      onB.cookies.set('alertpath_session', onA.cookies.get('alertpath_session') as string);
      const home = await onB.get('/');
      assert.equal(home.res.status, 200);
      assert.match(home.text, />backup</);
      // Signing out on B ends the session on A too.
      await onB.post('/logout', {
        csrf: Session.csrf(home.text.slice(home.text.indexOf('action="/logout"'))),
      });
      assert.equal((await onA.fetch('/')).status, 302);
    } finally {
      await a.stop();
      await b.stop();
      await db.drop();
    }
  });
});
