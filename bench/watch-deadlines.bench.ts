import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/lib/clock.js';
import { silentLogger } from '../src/lib/log.js';
import { applyDefinition } from '../src/watch/checks/machine.js';
import type { CheckDef } from '../src/watch/checks/model.js';
import { WatchEngine } from '../src/watch/engine/index.js';
import { createWatchMetrics } from '../src/watch/metrics.js';
import type { ChannelTransport, Notification } from '../src/watch/notify/types.js';
import { openSqliteStore } from '../src/watch/store/sqlite/index.js';

/**
 * The deadline engine at 100 000 checks (SQLite store, real clock): every check is pinged once;
 * 1 000 of them have deadlines spread over the next 10 s, the rest an hour away. Reports the delay
 * from each deadline to the first notification attempt (p50, p99, max) and the process RSS with
 * all 100 000 checks loaded and scheduled.
 */
const CHECKS = 100_000;
const DUE = 1000;
const SPREAD_MS = 10_000;

function uuidFor(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'watch-bench-deadlines-'));
  const store = openSqliteStore(join(dir, 'watch.db'));
  const base: CheckDef = {
    name: '',
    slug: '',
    tags: ['bench'],
    desc: '',
    schedule: { kind: 'simple', periodMs: 3_600_000 },
    graceMs: 1000,
    manualResume: false,
    methods: '',
    alertmanager: true,
  };
  const t0 = Date.now();
  let defs: Array<{ uuid: string; def: CheckDef }> | undefined = Array.from({ length: CHECKS }, (_, i) => {
    const periodMs = i < DUE ? 2000 + Math.round((i / DUE) * SPREAD_MS) : 3_600_000;
    return {
      uuid: uuidFor(i),
      def: { ...base, name: `c${i}`, slug: `c${i}`, schedule: { kind: 'simple' as const, periodMs } },
    };
  });
  await store.syncManaged(defs, Date.now(), applyDefinition);
  defs = undefined;
  const loadMs = Date.now() - t0;

  const delays: number[] = [];
  const transport: ChannelTransport = {
    name: 'bench',
    type: 'bench',
    async send(n: Notification) {
      if (n.event === 'down') delays.push(Date.now() - n.at);
    },
  };
  const engine = new WatchEngine({
    store,
    clock: systemClock,
    logger: silentLogger(),
    metrics: createWatchMetrics({ processMetrics: false }),
    settings: {
      defaults: { channels: ['bench'], fallback: [], repeatMs: 0, maintenance: [] },
      baseUrl: 'http://127.0.0.1:8000',
      transports: new Map([['bench', transport]]),
    },
  });
  await engine.start();

  // One ping per check, 64 at a time, as clients would send them.
  const t1 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < CHECKS) {
        const i = next++;
        await engine.ping(uuidFor(i), { action: 'success', at: Date.now(), method: 'GET' });
      }
    }),
  );
  const pingMs = Date.now() - t1;
  global.gc?.();
  const rss = process.memoryUsage().rss;

  const until = Date.now() + SPREAD_MS + 5000;
  while (delays.length < DUE && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  await engine.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  delays.sort((a, b) => a - b);
  process.stdout.write(
    [
      `deadline engine, ${CHECKS} checks loaded (${loadMs} ms to load, ${pingMs} ms to ping all once), ${DUE} deadlines over ${SPREAD_MS / 1000} s:`,
      `  ${delays.length}/${DUE} paged; delay deadline → first attempt: p50 ${pct(delays, 50)} ms, p99 ${pct(delays, 99)} ms, max ${delays[delays.length - 1] ?? 0} ms`,
      `  RSS with ${CHECKS} checks loaded and scheduled: ${mb(rss)}${global.gc ? ' (after gc)' : ''}`,
      '',
    ].join('\n'),
  );
}
