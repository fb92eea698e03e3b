import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Clock } from '../../../src/lib/clock.js';
import { silentLogger } from '../../../src/lib/log.js';
import { startWatch, type Watch } from '../../../src/watch/index.js';
import type { FakeTransport } from '../helpers.js';
import { fakeChannels } from '../rig.js';

/**
 * Debian's Chromium driven by playwright-core, and a real `watch` on a loopback port for it.
 * Without /usr/bin/chromium (or CHROMIUM_PATH) the browser tests are skipped, loudly.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const why = `SKIPPING the browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  process.stderr.write(`\n*** ${why} ***\n\n`);
  return why;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export interface LiveWatch {
  url: string;
  watch: Watch;
  transports: Map<string, FakeTransport>;
  stop(): Promise<void>;
}

/** `watch` listening on 127.0.0.1 with `config` (channels of `type: fake`). */
export async function liveWatch(config: string, clock?: Clock): Promise<LiveWatch> {
  const dir = mkdtempSync(join(tmpdir(), 'watch-browser-'));
  const configFile = join(dir, 'watch.yaml');
  writeFileSync(configFile, config);
  const transports = new Map<string, FakeTransport>();
  const { service, watch, baseUrl } = await startWatch(
    { dataDir: dir, configFile, listen: '127.0.0.1:0', env: {} },
    {
      logger: silentLogger(),
      channels: fakeChannels(transports, clock),
      processMetrics: false,
      announce: () => {},
      handleSignals: false,
      ...(clock ? { clock } : {}),
    },
  );
  return { url: baseUrl, watch, transports, stop: () => service.drain() };
}
