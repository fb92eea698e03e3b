import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Clock } from '../../lib/clock.js';
import type { IdSource } from '../../lib/ids.js';
import { redactSecrets } from '../../lib/redact.js';
import { TtlCache } from '../../lib/ttl-cache.js';
import { type CheckRecord, UUID_PATTERN } from '../checks/model.js';
import type { RoutingContext } from '../checks/routing.js';
import { routingOf } from '../checks/routing.js';
import type { WatchEngine } from '../engine/index.js';
import { uniqueKey } from '../http/check-json.js';
import { testNotification } from '../notify/test-message.js';
import type { FlipRow, Store } from '../store/types.js';
import { SCRIPT, SCRIPT_URL, STYLESHEET, STYLESHEET_URL } from './assets.js';
import { Sessions, type SignedIn, sameToken } from './auth.js';
import {
  badgeChecks,
  badgeStatus,
  badgeUptime,
  shieldsJson,
  statusBadgeSvg,
  UPTIME_WINDOWS,
  type UptimeWindow,
  uptimeBadgeSvg,
} from './badge.js';
import { renderCheckPage } from './check-page.js';
import {
  checkHref,
  type ListRow,
  listRows,
  renderList,
  renderRow,
  STRIP_MAX_MS,
  STRIP_SLOTS,
  slotMs,
  sortRows,
} from './checks-list.js';
import type { DashboardUser, StatusPageConfig } from './config.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { FORM_LIMIT, guard, type LoginDeps, loginRoutes } from './login.js';
import { PROBE_RANGES, type ProbeRange, probeSection } from './probe-page.js';
import { pageChecks, renderStatusPage, STATUS_DAYS, statusPageJson, statusPageModel } from './status-page.js';

/**
 * The browser side of `watch` at `/`: public status pages and badges (no login), and, when the
 * config has users, the dashboard behind a login. Server-rendered HTML, one stylesheet, one small
 * script that only improves (live refresh, copy buttons).
 */

export interface DashboardSettings {
  baseUrl: string;
  pingKey: string;
  badgeKey: string;
  users: readonly DashboardUser[];
  statusPages: readonly StatusPageConfig[];
  channels: ReadonlyArray<{ name: string; type: string }>;
  routing: RoutingContext;
}

export interface DashboardDeps {
  store: Store;
  engine: WatchEngine;
  clock: Clock;
  ids: IdSource;
  settings: () => DashboardSettings;
  /** How long a rendered status page or badge is reused (default 10 s). */
  publicCacheMs?: number;
}

const DAY = 86_400_000;
const SLICE = 200;
/** Inline style attributes are used (charts, strips); scripts only from this site. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const PUBLIC_CACHE_HEADER = 'public, max-age=30';

export function dashboardApp(deps: DashboardDeps): Hono {
  const app = new Hono();
  const cacheMs = deps.publicCacheMs ?? 10_000;
  const cache = new TtlCache<string, { body: string; type: string }>(cacheMs, 500, () => deps.clock.now());

  // Dashboard pages: no framing (a pause button is not clickjacked), no uuid in a Referer, only
  // this site's script, and never cached by a proxy. Only the dashboard's own paths: the ping
  // and management APIs are mounted beside it.
  const pageHeaders: MiddlewareHandler = async (c, next) => {
    await next();
    c.header('Content-Security-Policy', PAGE_CSP);
    c.header('X-Frame-Options', 'DENY');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
  for (const path of ['/', '/login', '/logout', '/checks/*', '/status/*']) app.use(path, pageHeaders);
  app.use('/badge/*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    c.header('X-Content-Type-Options', 'nosniff');
  });

  app.get(STYLESHEET_URL, (c) =>
    c.body(STYLESHEET, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
    }),
  );
  app.get(SCRIPT_URL, (c) =>
    c.body(SCRIPT, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
    }),
  );

  /** Flips of these checks since `from`, one query per check (a status page has tens). */
  const flipsFor = async (uuids: readonly string[], from: number) => {
    const map = new Map<string, FlipRow[]>();
    await Promise.all(uuids.map(async (u) => map.set(u, await deps.store.listFlips(u, { from }))));
    return (uuid: string) => map.get(uuid) ?? [];
  };

  const cached = async (key: string, make: () => Promise<{ body: string; type: string } | undefined>) => {
    const hit = cache.get(key);
    if (hit) return hit;
    const made = await make();
    if (made) cache.set(key, made);
    return made;
  };

  app.get('/status/:file', async (c) => {
    const file = c.req.param('file');
    const json = file.endsWith('.json');
    const slug = json ? file.slice(0, -5) : file;
    const cfg = deps.settings().statusPages.find((p) => p.slug === slug);
    if (!cfg) return c.html(notFoundPage('No such status page.'), 404);
    const out = await cached(`status:${file}`, async () => {
      const now = deps.clock.now();
      const records = pageChecks(cfg, await deps.store.listChecks());
      // Flips of the whole first day and before: the state at the window's start.
      const flipsOf = await flipsFor(
        records.map((r) => r.uuid),
        now - (STATUS_DAYS + 1) * DAY,
      );
      const model = statusPageModel(cfg, records, flipsOf, now);
      return json
        ? { body: JSON.stringify(statusPageJson(model)), type: 'application/json; charset=utf-8' }
        : { body: renderStatusPage(model), type: 'text/html; charset=utf-8' };
    });
    return c.body(out?.body ?? '', 200, {
      'Content-Type': out?.type ?? 'text/plain',
      'Cache-Control': PUBLIC_CACHE_HEADER,
      // The JSON is public: other sites may show it.
      ...(json ? { 'Access-Control-Allow-Origin': '*' } : {}),
    });
  });

  app.get('/badge/:key/*', async (c) => {
    const settings = deps.settings();
    const rest = c.req.path.slice(`/badge/${c.req.param('key')}/`.length);
    if (!sameToken(c.req.param('key'), settings.badgeKey)) return c.text('not found', 404);
    const m =
      /^([^/]+)\.svg$/.exec(rest) ??
      /^([^/]+)\/uptime\/(24h|7d|30d)\.svg$/.exec(rest) ??
      /^([^/]+)\/(shields)\.json$/.exec(rest);
    if (!m) return c.text('not found', 404);
    const target = decodeURIComponent(m[1] ?? '');
    const kind = m[2];
    const out = await cached(`badge:${rest}`, async () => {
      const now = deps.clock.now();
      const records = badgeChecks(target, await deps.store.listChecks());
      if (records.length === 0) return undefined;
      if (kind === 'shields')
        return {
          body: JSON.stringify(shieldsJson(target, badgeStatus(records, now))),
          type: 'application/json; charset=utf-8',
        };
      if (kind === undefined)
        return { body: statusBadgeSvg(target, badgeStatus(records, now)), type: 'image/svg+xml' };
      const windowMs = UPTIME_WINDOWS[kind as UptimeWindow];
      const flipsOf = await flipsFor(
        records.map((r) => r.uuid),
        now - windowMs - DAY,
      );
      return {
        body: uptimeBadgeSvg(target, kind as UptimeWindow, badgeUptime(records, flipsOf, now, windowMs)),
        type: 'image/svg+xml',
      };
    });
    if (!out) return c.text('not found', 404);
    return c.body(out.body, 200, {
      'Content-Type': out.type,
      'Cache-Control': 'public, max-age=60',
      'Access-Control-Allow-Origin': '*',
    });
  });

  const sessions = new Sessions(deps.store, deps.clock);
  const login: LoginDeps = {
    sessions,
    clock: deps.clock,
    users: () => deps.settings().users,
    baseUrl: () => deps.settings().baseUrl,
  };
  loginRoutes(app, login);
  const frame = (who: SignedIn) => ({
    name: who.user.name,
    readOnly: who.user.readOnly,
    csrf: who.session.csrf,
  });

  /** The check a dashboard URL names: by uuid, or by `unique_key` (read-only users' links). */
  const findCheck = async (id: string) => {
    if (UUID_PATTERN.test(id)) return deps.store.getCheck(id.toLowerCase());
    if (/^[0-9a-f]{40}$/.test(id))
      return (await deps.store.listChecks()).find((r) => uniqueKey(r.uuid) === id);
    return undefined;
  };

  const checkPage = async (
    who: SignedIn,
    record: CheckRecord,
    notice?: { ok: boolean; text: string },
    range: ProbeRange = '24h',
  ) => {
    const settings = deps.settings();
    const now = deps.clock.now();
    const [pings, flips, jobs] = await Promise.all([
      deps.store.listPings(record.uuid, 50),
      deps.store.listFlips(record.uuid, {}),
      deps.store.listJobs(record.uuid, 50),
    ]);
    const probe = record.def.probe ? await probeSection(deps.store, record, now, range) : undefined;
    return page({
      title: record.def.name,
      user: frame(who),
      script: true,
      body: renderCheckPage({
        record,
        href: checkHref(record, who.user.readOnly),
        now,
        baseUrl: settings.baseUrl,
        pingKey: settings.pingKey,
        badgeKey: settings.badgeKey,
        routing: routingOf(record.def, settings.routing),
        pings,
        flips: flips.slice(0, 50),
        jobs,
        user: { readOnly: who.user.readOnly, csrf: who.session.csrf },
        ...(probe ? { probe } : {}),
        ...(notice ? { notice } : {}),
      }),
    });
  };

  app.get('/checks/:id', async (c) => {
    const g = await guard(c, login);
    if (g instanceof Response) return g;
    const record = await findCheck(c.req.param('id'));
    if (!record) return c.html(notFoundPage('No such check.'), 404);
    const range = c.req.query('range');
    return c.html(
      await checkPage(
        g.who,
        record,
        undefined,
        range && range in PROBE_RANGES ? (range as ProbeRange) : '24h',
      ),
    );
  });

  for (const action of ['pause', 'resume'] as const)
    app.post(`/checks/:id/${action}`, bodyLimit({ maxSize: FORM_LIMIT }), async (c) => {
      const g = await guard(c, login, { write: true });
      if (g instanceof Response) return g;
      const record = await findCheck(c.req.param('id'));
      if (!record) return c.html(notFoundPage('No such check.'), 404);
      if (action === 'pause') await deps.engine.pause(record.uuid);
      else if (record.state.status === 'paused') await deps.engine.resume(record.uuid);
      return c.redirect(checkHref(record, false), 303);
    });

  app.post('/checks/:id/test', bodyLimit({ maxSize: FORM_LIMIT }), async (c) => {
    const g = await guard(c, login, { write: true });
    if (g instanceof Response) return g;
    const record = await findCheck(c.req.param('id'));
    if (!record) return c.html(notFoundPage('No such check.'), 404);
    const settings = deps.settings();
    const channel = typeof g.form.channel === 'string' ? g.form.channel : '';
    if (!settings.channels.some((ch) => ch.name === channel))
      return c.html(notFoundPage('No such channel.'), 404);
    const n = testNotification({
      channel,
      baseUrl: settings.baseUrl,
      uuid: deps.ids.uuid(),
      now: deps.clock.now(),
    });
    const sent = await deps.engine.outbox.sendNow(channel, n, `test.${n.check.uuid}`);
    const failure = sent.outcome;
    return c.html(
      await checkPage(
        g.who,
        record,
        failure
          ? { ok: false, text: `Test notification to ${channel} failed: ${redactSecrets(failure.message)}` }
          : { ok: true, text: `Test notification sent to ${channel}.` },
      ),
      failure ? 502 : 200,
    );
  });

  app.get('/', async (c) => {
    const settings = deps.settings();
    const pages = settings.statusPages;
    if (settings.users.length > 0) {
      const g = await guard(c, login);
      if (g instanceof Response) return g;
      const now = deps.clock.now();
      const records = await deps.store.listChecks();
      // The longest strip decides how far back flips are read (a loop: 100 000 checks are too
      // many arguments for Math.max).
      let span = 0;
      for (const r of records) span = Math.max(span, slotMs(r.def) * STRIP_SLOTS);
      const since = now - Math.min(STRIP_MAX_MS, span);
      const flips = new Map<string, FlipRow[]>();
      for (const f of await deps.store.flipsSince(since)) {
        const list = flips.get(f.uuid);
        if (list) list.push(f);
        else flips.set(f.uuid, [f]);
      }
      const filter = { tags: c.req.queries('tag') ?? [], q: c.req.query('q') ?? '' };
      // In slices of 200 checks, yielding between them: a 1 000-check list never holds ping
      // intake up for the whole render.
      const rows: ListRow[] = [];
      for (let i = 0; i < records.length; i += SLICE) {
        rows.push(
          ...listRows(records.slice(i, i + SLICE), (u) => flips.get(u) ?? [], {
            now,
            filter,
            routing: settings.routing,
          }),
        );
        await yieldToLoop();
      }
      sortRows(rows);
      const readOnly = g.who.user.readOnly;
      const rowHtml: Html[] = [];
      for (let i = 0; i < rows.length; i += SLICE) {
        for (const row of rows.slice(i, i + SLICE)) rowHtml.push(renderRow(row, { filter, now, readOnly }));
        await yieldToLoop();
      }
      const allTags = [...new Set(records.flatMap((r) => r.def.tags))].sort();
      return c.html(
        page({
          title: 'Checks',
          user: frame(g.who),
          script: true,
          body: renderList({
            rows,
            filter,
            allTags,
            total: records.length,
            now,
            readOnly,
            rowHtml,
            badgeKey: settings.badgeKey,
            baseUrl: settings.baseUrl,
          }),
        }),
      );
    }
    return c.html(
      page({
        title: 'Dashboard off',
        body: html`<main><h1>alertpath watch</h1>
<p>The dashboard is off: no <code>users</code> are configured (see <code>alertpath watch hash-password</code>).
The ping API is at <code>/ping/</code> and the management API at <code>/api/v3/</code>.</p>
${pages.length > 0 ? html`<h2>Status pages</h2><ul>${pages.map((p) => html`<li><a href="/status/${p.slug}">${p.title}</a></li>`)}</ul>` : ''}
</main>`,
      }),
    );
  });

  return app;
}

export function notFoundPage(text: string): string {
  return page({ title: 'Not found', body: html`<main><h1>Not found</h1><p>${text}</p></main>` });
}
