import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../src/lib/clock.js';
import { type Logger, silentLogger } from '../../src/lib/log.js';
import type { ChannelModule } from '../../src/watch/channels.js';
import { buildWatch, type Watch, watchService } from '../../src/watch/index.js';
import { FakeTransport } from './helpers.js';

/** A watch built in-process on a temporary data dir, with recording channels of `type: fake`. */
export interface AppRig {
  watch: Watch;
  app: ReturnType<typeof watchService>;
  transports: Map<string, FakeTransport>;
  announced: string[];
  dir: string;
  configFile?: string;
  apiKey: string | undefined;
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export function fakeChannels(transports: Map<string, FakeTransport>, clock?: Clock): ChannelModule {
  return {
    channelConfigSchema: z.object({ type: z.literal('fake') }).strict(),
    createTransport(name) {
      let t = transports.get(name);
      if (!t) {
        t = new FakeTransport(name, clock ? () => clock.now() : Date.now);
        transports.set(name, t);
      }
      return t;
    },
  };
}

export async function appRig(
  options: {
    config?: string;
    clock?: Clock;
    start?: boolean;
    dir?: string;
    baseUrl?: string;
    logger?: Logger;
  } = {},
): Promise<AppRig> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'watch-app-'));
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = join(dir, 'watch.yaml');
    writeFileSync(configFile, options.config);
  }
  const transports = new Map<string, FakeTransport>();
  const announced: string[] = [];
  const watch = await buildWatch(
    {
      dataDir: dir,
      ...(configFile ? { configFile } : {}),
      baseUrl: options.baseUrl ?? 'https://watch.example.net',
      env: {},
    },
    {
      logger: options.logger ?? silentLogger(),
      channels: fakeChannels(transports, options.clock),
      processMetrics: false,
      announce: (l) => announced.push(l),
      outbox: { retryBaseMs: 50, random: () => 0 },
      ...(options.clock ? { clock: options.clock } : {}),
    },
  );
  if (options.start !== false) await watch.start();
  const app = watchService(watch);
  const apiKey = /API key.*: (\S+)$/m.exec(announced.join('\n'))?.[1];
  return {
    watch,
    app,
    transports,
    announced,
    dir,
    ...(configFile ? { configFile } : {}),
    apiKey,
    request: async (path, init) => app.request(`http://watch.test${path}`, init),
    close: () => watch.stop(),
  };
}
