import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { freePort } from '../test/helpers/ports.js';
import { cpuSeconds, startWatchProcess } from './watch-process.js';

/**
 * Durable ping intake: `alertpath watch` in its own process (pinned to one core with taskset when
 * available; SQLite WAL, synchronous=FULL, group commit), 64 concurrent keep-alive clients
 * pinging 1000 checks. Every `OK` counted here was committed before it was sent.
 */
const CLIENTS = 64;
const CHECKS = 1000;
const WARMUP_MS = 1000;
const MEASURE_MS = 5000;

function uuidFor(i: number): string {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'watch-bench-intake-'));
  const config = join(dir, 'watch.yaml');
  const checks = Array.from(
    { length: CHECKS },
    (_, i) => `  - { name: c${i}, uuid: ${uuidFor(i)}, period: 1h }`,
  );
  writeFileSync(config, `apiKeys: [{ name: b, key: bench-key-0123456789 }]\nchecks:\n${checks.join('\n')}\n`);
  const port = await freePort();
  // WATCH_BENCH_DATABASE_URL=postgres://… measures the PostgreSQL store instead of SQLite.
  const database = process.env.WATCH_BENCH_DATABASE_URL;
  const args = [
    '--config',
    config,
    '--data',
    dir,
    '--listen',
    `127.0.0.1:${port}`,
    ...(database ? ['--database', database] : []),
  ];
  const { child, pinned } = await startWatchProcess(args);

  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CLIENTS, pipelining: 1 });
  let measuring = false;
  let stop = false;
  let ok = 0;
  let bad = 0;
  const latencies: number[] = [];
  const worker = async (w: number) => {
    let i = w;
    while (!stop) {
      i = (i + CLIENTS) % CHECKS;
      const t0 = performance.now();
      const res = await pool.request({ path: `/ping/${uuidFor(i)}`, method: 'POST', body: 'backup ok' });
      const text = await res.body.text();
      if (!measuring) continue;
      if (res.statusCode === 200 && text === 'OK') ok++;
      else bad++;
      latencies.push(performance.now() - t0);
    }
  };
  const workers = Array.from({ length: CLIENTS }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  measuring = true;
  const started = performance.now();
  const cpuBefore = cpuSeconds(child.pid);
  await new Promise((r) => setTimeout(r, MEASURE_MS));
  const cpu = cpuSeconds(child.pid) - cpuBefore;
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(workers);
  await pool.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  process.stdout.write(
    [
      `durable ping intake (${database ? 'PostgreSQL' : 'SQLite'}), ${CLIENTS} concurrent clients, ${CHECKS} checks, server ${pinned ? 'pinned to 1 core' : 'unpinned'}:`,
      `  ${Math.round(ok / elapsed)} pings/s answered OK (${ok} in ${elapsed.toFixed(1)} s, ${bad} not OK)`,
      `  latency p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms`,
      // Less sensitive than pings/s to other load on the machine: what one ping costs the server.
      `  server CPU ${((cpu / Math.max(1, ok)) * 1e6).toFixed(1)} µs per ping (${cpu.toFixed(2)} s of CPU)`,
      '',
    ].join('\n'),
  );
}
