import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';

/**
 * A fake of hosted Healthchecks.io (healthchecks.io cannot be reached from tests): the parts of
 * its ping API and Management API v3 that `alertpath drill` uses, answering as Healthchecks'
 * own code does (hc/api/views.py, decorators.py, forms.py, models.py `to_dict`):
 *
 * - API keys are 32 characters, sent in `X-Api-Key`; any other length is `401 {"error":
 *   "missing api key"}`, an unknown key `401 {"error": "wrong api key"}`. Read-only keys may
 *   list and get checks and flips (they see `unique_key`, no uuid, URLs or channels); on
 *   `/api/v3/channels/` they get `401 wrong api key`, as `authorize` rejects them.
 * - A check of another project is `403` with an empty body; an unknown uuid is Django's HTML
 *   404 page; an unknown unique_key an empty 404; bad flip filters an empty 400.
 * - Check JSON has Healthchecks' fields (`grace`, `timeout` in seconds, `status` up / grace /
 *   down / new / paused, `last_ping` in whole seconds with `+00:00`, `channels` as sorted
 *   comma-separated channel *uuids*); flips are `{"flips": [{"timestamp", "up"}]}`, newest
 *   first, dated at the moment the check went down (`alert_after`), not when it was noticed.
 * - More than 100 API requests a minute per key get 429 (the documented rate limit).
 * - A sender loop (Healthchecks' `sendalerts`) flips checks down every 500 ms.
 *
 * Checks are seeded directly with any period: Healthchecks' 60 s minimum applies to creating
 * checks through its API, which the drill never does; short periods keep the tests short.
 */

const DJANGO_404 =
  '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA1 = /^[A-z0-9]{40}$/;
const RATE_LIMIT = 100;

export interface FakeCheck {
  code: string;
  project: string;
  name: string;
  slug: string;
  timeoutS: number;
  graceS: number;
  status: 'new' | 'up' | 'down' | 'paused';
  lastPing: number | null;
  channels: string[];
  pings: Array<{ at: number; kind: 'success' | 'fail'; body: string }>;
}

export interface FakeChannel {
  code: string;
  project: string;
  name: string;
  kind: string;
}

interface Project {
  name: string;
  apiKey: string;
  apiKeyReadonly: string;
}

export class FakeHealthchecks {
  readonly projects: Project[] = [];
  readonly checks: FakeCheck[] = [];
  readonly channels: FakeChannel[] = [];
  readonly flips: Array<{ owner: string; created: number; oldStatus: string; newStatus: string }> = [];
  readonly apiRequests: Array<{ method: string; path: string; at: number }> = [];
  url = '';
  private server: ServerType | undefined;
  private sender: NodeJS.Timeout | undefined;

  project(name: string): Project {
    const p = { name, apiKey: key('w'), apiKeyReadonly: key('r') };
    this.projects.push(p);
    return p;
  }

  addChannel(project: Project, name: string, kind: string): FakeChannel {
    const ch = { code: randomUUID(), project: project.name, name, kind };
    this.channels.push(ch);
    return ch;
  }

  addCheck(
    project: Project,
    over: Partial<FakeCheck> & { name: string; timeoutS: number; graceS: number },
  ): FakeCheck {
    const c: FakeCheck = {
      code: randomUUID(),
      project: project.name,
      slug: over.name,
      status: 'new',
      lastPing: null,
      channels: [],
      pings: [],
      ...over,
    };
    this.checks.push(c);
    return c;
  }

  async start(): Promise<this> {
    const app = new Hono();
    app.all('/ping/:code/:action?', async (c) => this.ping(c));
    app.use('/api/*', async (c, next) => {
      this.apiRequests.push({ method: c.req.method, path: c.req.path, at: Date.now() });
      await next();
    });
    app.get('/api/v3/status/', (c) => c.text('OK'));
    app.get('/api/v3/checks/', (c) => this.read(c, (p, ro) => this.list(c, p, ro)));
    app.get('/api/v3/checks/:id', (c) => this.read(c, (p, ro) => this.single(c, p, ro, c.req.param('id'))));
    app.get('/api/v3/checks/:id/flips/', (c) => this.read(c, (p) => this.flipsOf(c, p, c.req.param('id'))));
    app.get('/api/v3/channels/', (c) => this.write(c, (p) => this.channelList(c, p)));
    app.all('*', (c) => c.html(DJANGO_404, 404));
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.sender = setInterval(() => this.sendAlerts(), 500);
    return this;
  }

  async close(): Promise<void> {
    clearInterval(this.sender);
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  statusOf(c: FakeCheck, now = Date.now()): string {
    if (c.status === 'new' || c.status === 'paused' || c.status === 'down') return c.status;
    if (c.lastPing === null) return 'up';
    const graceStart = c.lastPing + c.timeoutS * 1000;
    if (now >= graceStart + c.graceS * 1000) return 'down';
    if (now >= graceStart) return 'grace';
    return 'up';
  }

  private sendAlerts(): void {
    const now = Date.now();
    for (const c of this.checks) {
      if (c.status !== 'up' || c.lastPing === null) continue;
      const alertAfter = c.lastPing + (c.timeoutS + c.graceS) * 1000;
      if (alertAfter < now) {
        c.status = 'down';
        this.flips.unshift({ owner: c.code, created: alertAfter, oldStatus: 'up', newStatus: 'down' });
      }
    }
  }

  private async ping(c: Context): Promise<Response> {
    const code = c.req.param('code') ?? '';
    const action = c.req.param('action');
    const check = UUID.test(code) ? this.checks.find((x) => x.code === code) : undefined;
    if (!check) return c.text('not found', 404);
    if (action !== undefined && action !== 'fail') return c.html(DJANGO_404, 404);
    const now = Date.now();
    const body = await c.req.text();
    const kind = action === 'fail' ? 'fail' : 'success';
    check.pings.push({ at: now, kind, body });
    const newStatus = kind === 'fail' ? 'down' : 'up';
    if (check.status !== newStatus) {
      this.flips.unshift({ owner: check.code, created: now, oldStatus: check.status, newStatus });
      check.status = newStatus;
    }
    check.lastPing = now;
    c.header('Ping-Body-Limit', '100000');
    c.header('Access-Control-Allow-Origin', '*');
    return c.text('OK');
  }

  private authenticate(
    c: Context,
    readOnlyAllowed: boolean,
  ): { project: Project; readOnly: boolean } | Response {
    const apiKey = c.req.header('x-api-key') ?? '';
    if (apiKey.length !== 32) return c.json({ error: 'missing api key' }, 401);
    const project = this.projects.find(
      (p) => p.apiKey === apiKey || (readOnlyAllowed && p.apiKeyReadonly === apiKey),
    );
    if (!project) return c.json({ error: 'wrong api key' }, 401);
    const recent = this.apiRequests.filter((r) => r.at > Date.now() - 60_000).length;
    if (recent > RATE_LIMIT) return c.text('Too Many Requests', 429);
    return { project, readOnly: project.apiKeyReadonly === apiKey };
  }

  private read(c: Context, f: (p: Project, readOnly: boolean) => Response): Response {
    const auth = this.authenticate(c, true);
    return auth instanceof Response ? auth : f(auth.project, auth.readOnly);
  }

  private write(c: Context, f: (p: Project) => Response): Response {
    const auth = this.authenticate(c, false);
    return auth instanceof Response ? auth : f(auth.project);
  }

  private list(c: Context, project: Project, readOnly: boolean): Response {
    const slug = c.req.query('slug');
    const checks = this.checks.filter((x) => x.project === project.name && (!slug || x.slug === slug));
    return c.json({ checks: checks.map((x) => this.toDict(x, readOnly)) });
  }

  private lookup(c: Context, project: Project, id: string): FakeCheck | Response {
    if (UUID.test(id)) {
      const check = this.checks.find((x) => x.code === id);
      if (!check) return c.html(DJANGO_404, 404);
      if (check.project !== project.name) return c.body(null, 403);
      return check;
    }
    if (SHA1.test(id)) {
      const check = this.checks.find((x) => x.project === project.name && uniqueKey(x.code) === id);
      return check ?? c.body(null, 404);
    }
    return c.html(DJANGO_404, 404);
  }

  private single(c: Context, project: Project, readOnly: boolean, id: string): Response {
    const found = this.lookup(c, project, id);
    return found instanceof Response ? found : c.json(this.toDict(found, readOnly));
  }

  private flipsOf(c: Context, project: Project, id: string): Response {
    const found = this.lookup(c, project, id);
    if (found instanceof Response) return found;
    const stamp = (name: string, max: number) => {
      const v = c.req.query(name);
      if (v === undefined) return undefined;
      const n = Number(v);
      return /^-?\d+$/.test(v) && n >= 0 && n <= max ? n : Number.NaN;
    };
    const start = stamp('start', 10_000_000_000);
    const end = stamp('end', 10_000_000_000);
    const seconds = stamp('seconds', 31_536_000);
    if ([start, end, seconds].some((v) => Number.isNaN(v))) return c.body(null, 400);
    const flips = this.flips.filter(
      (f) =>
        f.owner === found.code &&
        (start === undefined || start === 0 || f.created >= start * 1000) &&
        (end === undefined || end === 0 || f.created < end * 1000) &&
        (seconds === undefined || seconds === 0 || f.created >= Date.now() - seconds * 1000),
    );
    return c.json({
      flips: flips.map((f) => ({ timestamp: iso(f.created), up: f.newStatus === 'up' ? 1 : 0 })),
    });
  }

  private channelList(c: Context, project: Project): Response {
    return c.json({
      channels: this.channels
        .filter((ch) => ch.project === project.name)
        .map((ch) => ({ id: ch.code, name: ch.name, kind: ch.kind })),
    });
  }

  private toDict(x: FakeCheck, readOnly: boolean): Record<string, unknown> {
    const site = this.url;
    const graceStart = x.status === 'up' && x.lastPing !== null ? x.lastPing + x.timeoutS * 1000 : null;
    const out: Record<string, unknown> = {
      name: x.name,
      slug: x.slug,
      tags: '',
      desc: '',
      grace: x.graceS,
      n_pings: x.pings.length,
      status: this.statusOf(x),
      started: false,
      last_ping: x.lastPing === null ? null : iso(x.lastPing),
      next_ping: graceStart === null ? null : iso(graceStart),
      manual_resume: false,
      methods: '',
      subject: '',
      subject_fail: '',
      start_kw: '',
      success_kw: '',
      failure_kw: '',
      filter_subject: false,
      filter_body: false,
      filter_http_body: false,
      filter_default_fail: false,
      badge_url: `${site}/b/2/${randomUUID()}.svg`,
    };
    if (readOnly) out.unique_key = uniqueKey(x.code);
    else {
      out.uuid = x.code;
      out.ping_url = `${site}/ping/${x.code}`;
      out.update_url = `${site}/api/v3/checks/${x.code}`;
      out.pause_url = `${site}/api/v3/checks/${x.code}/pause`;
      out.resume_url = `${site}/api/v3/checks/${x.code}/resume`;
      out.channels = [...x.channels].sort().join(',');
    }
    out.timeout = x.timeoutS;
    return out;
  }
}

/** Healthchecks' `unique_key`: sha1 of the first 16 hex digits of the uuid. */
export function uniqueKey(code: string): string {
  return createHash('sha1').update(code.replace(/-/g, '').slice(0, 16)).digest('hex');
}

/** Python's `datetime.replace(microsecond=0).isoformat()` for a UTC datetime. */
function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

function key(prefix: string): string {
  return `hc${prefix}_${randomUUID().replace(/-/g, '')}`.slice(0, 32);
}
