import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { silentLogger } from '../../src/lib/log.js';
import type { ChannelModule } from '../../src/watch/channels.js';
import type { ProbeResult } from '../../src/watch/checks/model.js';
import { buildWatch, type Watch, watchService } from '../../src/watch/index.js';
import type { Notification } from '../../src/watch/notify/types.js';
import type { ProbeSpec } from '../../src/watch/probes/spec.js';
import type { ManualClock } from '../helpers/clock.js';
import { settle } from './helpers.js';

/**
 * A watch built in-process on a ManualClock, whose probe runs are scripted: `outcome(name)`
 * decides what each run finds, so scheduling, flap damping and paging are tested without a
 * network and without waiting.
 */

export const API_KEY = 'probe-rig-key-0123456789';

/** A channel that records, and can hang (until the outbox gives up on it) like a dead SMTP server. */
export class ScriptedTransport {
  readonly type = 'scripted';
  readonly sent: Notification[] = [];
  tries = 0;
  hang = false;

  constructor(readonly name: string) {}

  async send(n: Notification, signal: AbortSignal): Promise<void> {
    this.tries++;
    if (this.hang) {
      await new Promise<void>((_resolve, reject) => {
        if (signal.aborted) reject(new Error('aborted'));
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    }
    this.sent.push(n);
  }
}

export interface ProbeRig {
  watch: Watch;
  clock: ManualClock;
  configFile: string;
  transports: Map<string, ScriptedTransport>;
  runs: Array<{ name: string; at: number }>;
  /** Set what the next runs of a probe find. */
  outcome: Map<string, { ok: boolean; message: string }>;
  request(path: string, init?: RequestInit): Promise<Response>;
  uuidOf(name: string): Promise<string>;
  /** Advances the clock step by step, letting commits and follow-ups run. */
  advance(ms: number, stepMs?: number): Promise<void>;
  close(): Promise<void>;
}

function scriptedChannels(transports: Map<string, ScriptedTransport>): ChannelModule {
  return {
    channelConfigSchema: z.object({ type: z.literal('scripted') }).strict(),
    createTransport(name) {
      let t = transports.get(name);
      if (!t) {
        t = new ScriptedTransport(name);
        transports.set(name, t);
      }
      return t;
    },
  };
}

export async function probeRig(config: string, clock: ManualClock): Promise<ProbeRig> {
  const dir = mkdtempSync(join(tmpdir(), 'watch-probe-rig-'));
  const configFile = join(dir, 'watch.yaml');
  writeFileSync(configFile, `apiKeys: [{ name: t, key: ${API_KEY} }]\n${config}`);
  const transports = new Map<string, ScriptedTransport>();
  const runs: Array<{ name: string; at: number }> = [];
  const outcome = new Map<string, { ok: boolean; message: string }>();
  const run = async (spec: ProbeSpec): Promise<ProbeResult> => {
    runs.push({ name: spec.name, at: clock.now() });
    const o = outcome.get(spec.name) ?? { ok: true, message: 'fine' };
    return { at: clock.now(), ok: o.ok, latencyMs: 12, message: o.message };
  };
  const watch = await buildWatch(
    { dataDir: dir, configFile, baseUrl: 'https://watch.example.net', env: {} },
    {
      logger: silentLogger(),
      clock,
      channels: scriptedChannels(transports),
      processMetrics: false,
      announce: () => {},
      outbox: { retryBaseMs: 50, random: () => 0 },
      probes: { run },
    },
  );
  await watch.start();
  const app = watchService(watch);
  const request = async (path: string, init?: RequestInit) =>
    app.request(`http://watch.test${path}`, {
      ...init,
      headers: { 'X-Api-Key': API_KEY, ...(init?.headers as Record<string, string> | undefined) },
    });
  return {
    watch,
    clock,
    configFile,
    transports,
    runs,
    outcome,
    request,
    async uuidOf(name) {
      const r = (await watch.store.listChecks()).find((c) => c.def.name === name);
      if (!r) throw new Error(`no check named ${name}`);
      return r.uuid;
    },
    async advance(ms, stepMs = 250) {
      for (let t = 0; t < ms; t += stepMs) {
        await clock.advance(Math.min(stepMs, ms - t));
        await settle();
      }
    },
    close: () => watch.stop(),
  };
}
