import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { silentLogger } from '../src/lib/log.js';
import { hashPassword } from '../src/watch/dashboard/password.js';
import { buildWatch, type Watch } from '../src/watch/index.js';
import { ManualClock } from '../test/helpers/clock.js';
import { freePort } from '../test/helpers/ports.js';
import { fakeChannels } from '../test/watch/rig.js';
import { cpuSeconds, startWatchProcess } from './watch-process.js';

/**
 * The dashboard's server-side render times, in-process (app.request: routing, store reads,
 * HTML), and ping intake with dashboards open and refreshing:
 * - the checks list with 1 000 checks (with 30 hours of flips each few) — target < 200 ms;
 * - a status page of 50 checks × 90 days of flips, rebuilt (cache expired) — target < 100 ms;
 * - durable pings/s with and without 5 signed-in dashboards re-fetching `/` every 2 s.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
const PASSWORD = 'bench password';
const uuidFor = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, min ${(s[0] ?? 0).toFixed(1)} ms (${s.length} runs)`;
}

async function build(config: string, clock: ManualClock): Promise<{ watch: Watch; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'watch-bench-dash-'));
  writeFileSync(join(dir, 'watch.yaml'), config);
  const watch = await buildWatch(
    { dataDir: dir, configFile: join(dir, 'watch.yaml'), baseUrl: 'https://watch.example.net', env: {} },
    {
      logger: silentLogger(),
      clock,
      channels: fakeChannels(new Map(), clock),
      processMetrics: false,
      announce: () => {},
    },
  );
  return { watch, dir };
}

/** Signs in through the form; the session cookie. */
async function signIn(request: (path: string, init?: RequestInit) => Promise<Response>): Promise<string> {
  const form = await request('/login');
  const csrfCookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const res = await request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ csrf, user: 'admin', password: PASSWORD }).toString(),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith('alertpath_session='));
  if (res.status !== 303 || !session) throw new Error(`sign-in failed: ${res.status}`);
  return session.split(';')[0] as string;
}

async function timeRequests(
  request: () => Promise<Response>,
  runs: number,
  between: () => Promise<void> = async () => {},
): Promise<{ ms: number[]; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs + 3; i++) {
    await between();
    const t0 = performance.now();
    const res = await request();
    const text = await res.text();
    const took = performance.now() - t0;
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    if (i >= 3) ms.push(took);
    bytes = text.length;
  }
  return { ms, bytes };
}

async function checksList(users: string): Promise<void> {
  const CHECKS = 1000;
  const now = Date.now();
  const clock = new ManualClock(now - 30 * HOUR);
  const lines = Array.from(
    { length: CHECKS },
    (_, i) =>
      `  - { name: check-${i}, uuid: ${uuidFor(i)}, period: 1h, grace: 10m, tags: [t${i % 10}, all] }`,
  );
  const { watch, dir } = await build(`${users}checks:\n${lines.join('\n')}\n`, clock);
  // 30 hours of history: every hour each check pings; 5 % of them fail and recover next hour.
  for (let h = 0; h < 30; h++) {
    await Promise.all(
      Array.from({ length: CHECKS }, (_, i) =>
        watch.engine.ping(uuidFor(i), {
          action: (i * 7 + h * 13) % 20 === 0 ? 'fail' : 'success',
          at: clock.now(),
          method: 'POST',
          body: 'ok',
        }),
      ),
    );
    clock.set(clock.now() + HOUR);
  }
  clock.set(now);
  const request = (path: string, init?: RequestInit) =>
    Promise.resolve(watch.app.request(`http://bench${path}`, init));
  const cookie = await signIn(request);
  let flips = 0;
  for (const f of await watch.store.flipsSince(0)) flips += f ? 1 : 0;
  const all = await timeRequests(() => request('/', { headers: { cookie } }), 20);
  const filtered = await timeRequests(() => request('/?tag=t3&q=check-1', { headers: { cookie } }), 20);
  process.stdout.write(
    [
      `checks list, ${CHECKS} checks, ${flips} flips in the strips' window, SQLite, server-side (app.request, whole body):`,
      `  all checks: ${stats(all.ms)}; ${(all.bytes / 1024).toFixed(0)} KiB of HTML  (target < 200 ms)`,
      `  ?tag=&q= filtered: ${stats(filtered.ms)}`,
      '',
    ].join('\n'),
  );
  await watch.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function statusPage(): Promise<void> {
  const CHECKS = 50;
  const now = Date.now();
  const clock = new ManualClock(now - 90 * DAY);
  const lines = Array.from(
    { length: CHECKS },
    (_, i) => `  - { name: service-${i}, uuid: ${uuidFor(i)}, period: 1h, grace: 10m, tags: [public] }`,
  );
  const config = `checks:\n${lines.join('\n')}\nstatusPages:\n  - { slug: main, title: Bench status, tags: [public] }\n`;
  const { watch, dir } = await build(config, clock);
  // 90 days: one ping a day per check, and an incident (fail, then recovery 2 h later) every
  // third day on a rotating third of the checks.
  for (let d = 0; d < 90; d++) {
    await Promise.all(
      Array.from({ length: CHECKS }, (_, i) =>
        watch.engine.ping(uuidFor(i), {
          action: (i + d) % 3 === 0 ? 'fail' : 'success',
          at: clock.now(),
          method: 'GET',
        }),
      ),
    );
    clock.set(clock.now() + 2 * HOUR);
    await Promise.all(
      Array.from({ length: CHECKS }, (_, i) =>
        watch.engine.ping(uuidFor(i), { action: 'success', at: clock.now(), method: 'GET' }),
      ),
    );
    clock.set(clock.now() + DAY - 2 * HOUR);
  }
  clock.set(now);
  const flips = (await watch.store.flipsSince(0)).length;
  const request = (path: string) => Promise.resolve(watch.app.request(`http://bench${path}`));
  // Each run 11 s later on the clock: past the 10 s cache, so every run rebuilds the page.
  const expire = async () => clock.set(clock.now() + 11_000);
  const html = await timeRequests(() => request('/status/main'), 20, expire);
  const json = await timeRequests(() => request('/status/main.json'), 20, expire);
  const cached = await timeRequests(() => request('/status/main'), 20);
  process.stdout.write(
    [
      `status page, ${CHECKS} checks × 90 days (${flips} flips), SQLite, server-side:`,
      `  HTML rebuilt: ${stats(html.ms)}; ${(html.bytes / 1024).toFixed(0)} KiB  (target < 100 ms)`,
      `  JSON rebuilt: ${stats(json.ms)}`,
      `  cached: ${stats(cached.ms)}`,
      '',
    ].join('\n'),
  );
  await watch.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** Durable pings/s against a real `watch` process, without and then with dashboards refreshing. */
async function intakeWithDashboard(users: string): Promise<void> {
  const CHECKS = 1000;
  const CLIENTS = 64;
  const TABS = 5;
  const dir = mkdtempSync(join(tmpdir(), 'watch-bench-dash-intake-'));
  const lines = Array.from(
    { length: CHECKS },
    (_, i) => `  - { name: c${i}, uuid: ${uuidFor(i)}, period: 1h }`,
  );
  writeFileSync(join(dir, 'watch.yaml'), `${users}checks:\n${lines.join('\n')}\n`);
  const port = await freePort();
  const args = ['--config', join(dir, 'watch.yaml'), '--data', dir, '--listen', `127.0.0.1:${port}`];
  const { child, pinned } = await startWatchProcess(args);
  const base = `http://127.0.0.1:${port}`;
  const cookie = await signIn((path, init) => fetch(`${base}${path}`, { ...init, redirect: 'manual' }));
  const pool = new Pool(base, { connections: CLIENTS, pipelining: 1 });
  const measure = async (seconds: number, dashboards: boolean) => {
    let stop = false;
    let ok = 0;
    let pages = 0;
    const pageMs: number[] = [];
    const worker = async (w: number) => {
      let i = w;
      while (!stop) {
        i = (i + CLIENTS) % CHECKS;
        const res = await pool.request({ path: `/ping/${uuidFor(i)}`, method: 'POST', body: 'ok' });
        if ((await res.body.text()) === 'OK') ok++;
      }
    };
    const tab = async (k: number) => {
      await new Promise((r) => setTimeout(r, k * 400));
      while (!stop) {
        const t0 = performance.now();
        const res = await fetch(`${base}${'/'}`, {
          headers: { cookie, 'x-refresh': '1' },
        });
        await res.text();
        pageMs.push(performance.now() - t0);
        pages++;
        await new Promise((r) => setTimeout(r, 2000));
      }
    };
    const t0 = performance.now();
    const cpu0 = cpuSeconds(child.pid);
    const running = [
      ...Array.from({ length: CLIENTS }, (_, w) => worker(w)),
      ...(dashboards ? Array.from({ length: TABS }, (_, k) => tab(k)) : []),
    ];
    await new Promise((r) => setTimeout(r, seconds * 1000));
    stop = true;
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(child.pid) - cpu0;
    const counted = ok;
    // The tabs may still be asleep: what comes in after the stop is not counted.
    await Promise.all(running);
    return { rate: counted / elapsed, ok: counted, pages, pageMs, cpu };
  };
  await measure(1, false);
  // Alternating rounds, so other load on the machine falls on both alike.
  const rounds: Array<Awaited<ReturnType<typeof measure>>[]> = [[], []];
  for (let k = 0; k < 3; k++) {
    rounds[0]?.push(await measure(3, false));
    rounds[1]?.push(await measure(3, true));
  }
  const sum = (list: Awaited<ReturnType<typeof measure>>[]) => ({
    rate: list.reduce((a, m) => a + m.rate, 0) / list.length,
    ok: list.reduce((a, m) => a + m.ok, 0),
    cpu: list.reduce((a, m) => a + m.cpu, 0),
    pages: list.reduce((a, m) => a + m.pages, 0),
    pageMs: list.flatMap((m) => m.pageMs),
  });
  const alone = sum(rounds[0] ?? []);
  const open = sum(rounds[1] ?? []);
  const perPing = alone.cpu / Math.max(1, alone.ok);
  const perRender = (open.cpu - open.ok * perPing) / Math.max(1, open.pages);
  await pool.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(
    [
      `durable ping intake (SQLite), ${CLIENTS} clients, ${CHECKS} checks, server ${pinned ? 'pinned to 1 core' : 'unpinned'}:`,
      `  no dashboard open: ${Math.round(alone.rate)} pings/s (server CPU ${(perPing * 1e6).toFixed(1)} µs per ping)`,
      `  ${TABS} dashboards refreshing the 1 000-check list every 2 s: ${Math.round(open.rate)} pings/s (${((open.rate / alone.rate) * 100).toFixed(0)} %), 3 alternating rounds of 3 s each`,
      `  list renders under load: ${open.pages}, ${stats(open.pageMs)}; server CPU per render ≈ ${(perRender * 1000).toFixed(0)} ms`,
      '',
    ].join('\n'),
  );
}

/** Sign-in answers for a wrong password and for an unknown user, at the default scrypt cost. */
async function loginTiming(): Promise<void> {
  const hash = await hashPassword(PASSWORD);
  // Three users, so no name reaches the rate limit's 5 failures (each attempt from its own address).
  const users = [0, 1, 2].map((k) => `  - { name: admin${k}, passwordHash: "${hash}" }`).join('\n');
  const { watch, dir } = await build(`users:\n${users}\n`, new ManualClock(Date.now()));
  const times: Record<'wrong' | 'unknown', number[]> = { wrong: [], unknown: [] };
  const statuses = new Set<number>();
  for (let i = 0; i < 24; i++) {
    const kind = i % 2 === 0 ? 'wrong' : 'unknown';
    const ip = `198.18.${i >> 8}.${i & 255}`;
    const form = await watch.app.request('http://bench/login', { headers: { 'x-forwarded-for': ip } });
    const cookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const t0 = performance.now();
    const res = await watch.app.request('http://bench/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': ip },
      body: new URLSearchParams({
        csrf,
        user: kind === 'wrong' ? `admin${(i >> 1) % 3}` : `nobody${i}`,
        password: 'guess',
      }).toString(),
    });
    await res.text();
    if (i >= 4) times[kind].push(performance.now() - t0);
    statuses.add(res.status);
  }
  process.stdout.write(
    [
      'sign-in with a wrong password vs an unknown user (scrypt ln=15, r=8, p=1), server-side:',
      `  wrong password: ${stats(times.wrong)}`,
      `  unknown user:   ${stats(times.unknown)}`,
      `  answers: ${[...statuses].join(', ')}`,
      '',
    ].join('\n'),
  );
  await watch.stop();
  rmSync(dir, { recursive: true, force: true });
}

export default async function (): Promise<void> {
  const hash = await hashPassword(PASSWORD, { ln: 10 });
  const users = `users:\n  - { name: admin, passwordHash: "${hash}" }\n`;
  await checksList(users);
  await statusPage();
  await loginTiming();
  await intakeWithDashboard(users);
}
