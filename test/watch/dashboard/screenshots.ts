import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/cli.js';
import { ManualClock } from '../../helpers/clock.js';
import { CHROMIUM, chromiumSkip, launch, liveWatch } from './browser.js';
import { PASSWORD, usersYaml } from './session.js';

/**
 * `npm run screenshots`: a watch with a few weeks of made-up history, and a PNG of each page in
 * light and dark mode (plus the status page on a phone), in docs/screenshots/, for a person to
 * look at. Not a test: nothing is asserted.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OUT = join(repoRoot, 'docs/screenshots');
const uuid = (i: number) => `5b5cf3f2-0a6e-4c6f-9d7e-${String(i).padStart(12, '0')}`;

const CHECKS = [
  { name: 'alertmanager-watchdog', period: '1m', grace: '5m', tags: '[k8s, deadman, public]' },
  { name: 'nightly-backup', period: '1d', grace: '1h', tags: '[backup, public]' },
  { name: 'etcd-snapshot', period: '6h', grace: '30m', tags: '[k8s, backup]' },
  { name: 'certbot-renew', period: '12h', grace: '1h', tags: '[tls]' },
  { name: 'offsite-sync', period: '1h', grace: '15m', tags: '[backup, public]' },
  { name: 'zfs-scrub', period: '7d', grace: '1d', tags: '[storage]' },
];

async function main(): Promise<void> {
  if (chromiumSkip()) process.exit(1);
  const now = Date.now();
  const clock = new ManualClock(now - 30 * DAY);
  const config = `${await usersYaml()}channels: { mail: { type: fake }, phone: { type: fake } }
defaults: { channels: [mail] }
checks:
${CHECKS.map((c, i) => `  - { name: ${c.name}, uuid: ${uuid(i)}, period: ${c.period}, grace: ${c.grace}, tags: ${c.tags}${i === 3 ? ', channels: []' : ''} }`).join('\n')}
probes:
  - { name: storage-api, http: "https://10.10.12.2/api/v2.0/system/info", interval: 1h, tags: [storage, public] }
statusPages:
  - { slug: lab, title: Homelab status, tags: [public], announcement: "Storage maintenance Saturday 22:00–23:00 UTC" }
`;
  const live = await liveWatch(config, clock);
  const { watch } = live;
  const probe = (await watch.store.listChecks()).find((r) => r.def.probe)?.uuid as string;
  // 30 days: hourly pings, an outage of offsite-sync, a failed backup, a flaky probe.
  for (let h = 0; h < 30 * 24; h++) {
    const t = clock.now();
    for (let i = 0; i < CHECKS.length; i++) {
      if (i === 5 && h % (24 * 7) !== 0) continue;
      if (i === 1 && h % 24 !== 0) continue;
      if (i === 2 && h % 6 !== 0) continue;
      if (i === 3 && h % 12 !== 0) continue;
      const down = (i === 4 && h >= 400 && h < 405) || (i === 1 && h === 24 * 12);
      await watch.engine.ping(uuid(i), {
        action: down ? 'fail' : 'success',
        at: t,
        method: 'POST',
        body: down ? 'rsync: connection unexpectedly closed (code 12)' : 'ok',
        remoteAddr: '192.0.2.10',
        userAgent: 'curl/8.5.0',
        scheme: 'https',
      });
    }
    await watch.engine.probeResult(probe, {
      at: t,
      ok: h % 97 !== 5,
      latencyMs: 40 + ((h * 37) % 60) + (h % 24 === 3 ? 180 : 0),
      message: h % 97 !== 5 ? 'HTTP 200 in 52 ms' : 'HTTP 503 from https://10.10.12.2/api/v2.0/system/info',
    });
    clock.set(t + HOUR);
  }
  clock.set(now);
  for (let i = 1; i < CHECKS.length; i++)
    await watch.engine.ping(uuid(i), { action: 'success', at: now - 2 * 60_000, method: 'POST', body: 'ok' });
  await watch.engine.ping(uuid(0), {
    action: 'fail',
    at: now - 5 * 60_000,
    method: 'POST',
    body: 'Watchdog stopped',
  });

  mkdirSync(OUT, { recursive: true });
  const browser = await launch();
  const shots: string[] = [];
  try {
    for (const scheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 860 },
        colorScheme: scheme,
      });
      const page = await context.newPage();
      const shoot = async (name: string, path: string) => {
        await page.goto(`${live.url}${path}`);
        const file = join(OUT, `${name}-${scheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        shots.push(file);
      };
      await shoot('login', '/login');
      await page.fill('input[name=user]', 'admin');
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL(`${live.url}/`), page.click('button[type=submit]')]);
      await shoot('checks', '/');
      await shoot('check', `/checks/${uuid(4)}`);
      await shoot('probe', `/checks/${probe}?range=7d`);
      await shoot('status-page', '/status/lab');
      await context.close();
    }
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      javaScriptEnabled: false,
    });
    const page = await phone.newPage();
    await page.goto(`${live.url}/status/lab`);
    const file = join(OUT, 'status-page-phone-dark.png');
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
    await phone.close();
  } finally {
    await browser.close();
    await live.stop();
  }
  process.stdout.write(
    `${shots.length} screenshots (Chromium ${CHROMIUM}):\n${shots.map((s) => `  ${s}`).join('\n')}\n`,
  );
}

await main();
