import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/lib/log.js';
import { buildWatch, type Watch, watchService } from '../../../src/watch/index.js';

/**
 * A watch built in-process with the channel types alertpath ships (./notify), from a YAML
 * config written to a temporary directory, secrets in files beside it. Driven over HTTP with
 * `app.request()` and an API key from the config.
 */

/** The environment for a `watch` child process: none of the ALERTPATH_* settings of this one. */
export const CLEAN_ENV = {
  ALERTPATH_CONFIG: '',
  ALERTPATH_DATA: '',
  ALERTPATH_DATABASE_URL: '',
  ALERTPATH_LISTEN: '',
  ALERTPATH_BASE_URL: '',
};

export const API_KEY = 'live-rig-api-key-0123456789';
export const CHECK_UUID = '7d0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b';

export interface LiveRig {
  watch: Watch;
  dir: string;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Sends the check down at once (a /fail ping). */
  fail(uuid?: string): Promise<void>;
  notifications(
    uuid?: string,
  ): Promise<
    Array<{ channel: string; status: string; tries: number; error: string | null; fallback: boolean }>
  >;
  close(): Promise<void>;
}

export async function liveRig(options: {
  /** The config's YAML (use `secret(name, value)` for `...File` keys). */
  config: (secret: (name: string, value: string) => string) => string;
  outbox?: { retryBaseMs?: number; sendTimeoutMs?: number; maxTries?: number };
}): Promise<LiveRig> {
  const dir = mkdtempSync(join(tmpdir(), 'watch-live-'));
  const secret = (name: string, value: string) => {
    const file = join(dir, name);
    writeFileSync(file, value);
    return file;
  };
  const configFile = join(dir, 'watch.yaml');
  writeFileSync(configFile, options.config(secret));
  const watch = await buildWatch(
    { dataDir: dir, configFile, baseUrl: 'https://watch.example.net', env: {} },
    {
      logger: silentLogger(),
      processMetrics: false,
      announce: () => {},
      outbox: { retryBaseMs: 50, random: () => 0, ...options.outbox },
    },
  );
  await watch.start();
  const app = watchService(watch);
  const request = async (path: string, init: RequestInit = {}) =>
    app.request(`http://watch.test${path}`, {
      ...init,
      headers: { 'x-api-key': API_KEY, ...(init.headers as Record<string, string> | undefined) },
    });
  return {
    watch,
    dir,
    request,
    async fail(uuid = CHECK_UUID) {
      const res = await app.request(`http://watch.test/ping/${uuid}/fail`, { method: 'POST', body: 'boom' });
      if (res.status !== 200) throw new Error(`ping answered ${res.status}`);
    },
    async notifications(uuid = CHECK_UUID) {
      const res = await request(`/api/v3/checks/${uuid}/notifications/`);
      return ((await res.json()) as { notifications: Awaited<ReturnType<LiveRig['notifications']>> })
        .notifications;
    },
    close: () => watch.stop(),
  };
}

/** The `apiKeys` and one check lines most rigs need. */
export function baseConfig(channels: string[], extra = ''): string {
  return [
    `apiKeys: [{ name: test, key: ${API_KEY} }]`,
    'checks:',
    `  - { name: backup, uuid: ${CHECK_UUID}, period: 1h, grace: 1h, channels: [${channels.join(', ')}] }`,
    extra,
  ].join('\n');
}
