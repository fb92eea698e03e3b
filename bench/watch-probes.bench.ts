import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { phaseOf } from '../src/watch/probes/scheduler.js';
import { cliArgv } from '../test/helpers/cli.js';
import { freePort } from '../test/helpers/ports.js';

/**
 * 5 000 HTTP probes at a 30 s interval against one local server with 5 000 distinct paths.
 * `alertpath watch` runs in its own process, pinned to core 0 with taskset when available; the
 * target server runs in another process (on core 1), so neither shares the other's event loop.
 *
 * Start jitter is measured from outside: the server records when each path is hit, and each
 * probe's scheduled start is its grid slot (`phase + k * 30 s`, phase = stable hash of the name),
 * so jitter = arrival − latest slot (it includes connect and request time, so it over-states).
 */
const PROBES = 5000;
const INTERVAL_MS = 30_000;
const RUN_MS = 2 * INTERVAL_MS + 5_000;
const SETTLE_MS = 2_000;

const SERVER = `
const http = require('node:http');
const hits = [];
const server = http.createServer((req, res) => {
  const m = /^\\/t\\/(\\d+)$/.exec(req.url || '');
  if (m) hits.push(Number(m[1]), Date.now());
  res.writeHead(m ? 200 : 404, { 'content-type': 'text/plain' }).end(m ? 'ok' : 'no');
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[1]), '127.0.0.1', () => process.send({ ready: true }));
process.on('message', (msg) => {
  if (msg === 'dump') process.send({ hits });
  if (msg === 'exit') { server.closeAllConnections(); server.close(); process.disconnect(); }
});
`;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function pinned(
  core: number,
  argv: string[],
  stdio: Array<'ignore' | 'pipe' | 'inherit' | 'ipc'>,
): ChildProcess {
  const usable = process.platform === 'linux';
  return usable
    ? spawn('taskset', ['-c', String(core), process.execPath, ...argv], { stdio })
    : spawn(process.execPath, argv, { stdio });
}

/** utime + stime (seconds) and RSS / peak RSS (MB) of a process, from /proc. */
function usage(pid: number): { cpuS: number; rssMb: number; hwmMb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { cpuS: ticks / 100, rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'watch-bench-probes-'));
  const targetPort = await freePort();
  const server = pinned(1, ['-e', SERVER, String(targetPort)], ['ignore', 'inherit', 'inherit', 'ipc']);
  await new Promise<void>((resolve, reject) => {
    server.once('message', () => resolve());
    server.once('exit', (code) => reject(new Error(`target server exited ${code}`)));
  });

  const names = Array.from({ length: PROBES }, (_, i) => `probe-${i}`);
  const config = join(dir, 'watch.yaml');
  writeFileSync(
    config,
    `probes:\n${names
      .map(
        (n, i) =>
          `  - { name: ${n}, http: "http://127.0.0.1:${targetPort}/t/${i}", interval: 30s, timeout: 5s }`,
      )
      .join('\n')}\n`,
  );
  const watchPort = await freePort();
  const argv = cliArgv(['watch', '--config', config, '--data', dir, '--listen', `127.0.0.1:${watchPort}`]);
  const watch = pinned(0, argv, ['ignore', 'pipe', 'inherit']);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    watch.stdout?.setEncoding('utf8').on('data', (d: string) => {
      seen += d;
      if (seen.includes('serving http')) resolve();
    });
    watch.once('exit', (code) => reject(new Error(`watch exited ${code}: ${seen.slice(-2000)}`)));
  });
  const pid = watch.pid as number;
  const startedAt = Date.now();
  const atStart = usage(pid);
  process.stdout.write(`watch serving with ${PROBES} probes; measuring for ${RUN_MS / 1000} s\n`);
  await new Promise((r) => setTimeout(r, RUN_MS));
  const atEnd = usage(pid);
  const metrics = await (await fetch(`http://127.0.0.1:${watchPort}/metrics`)).text();

  server.send('dump');
  const hits = await new Promise<number[]>((resolve) =>
    server.once('message', (m) => resolve((m as { hits: number[] }).hits)),
  );
  watch.kill('SIGTERM');
  await new Promise((r) => watch.once('exit', r));
  server.send('exit');
  await new Promise((r) => server.once('exit', r));
  rmSync(dir, { recursive: true, force: true });

  const jitter: number[] = [];
  const perProbe = new Map<number, number>();
  for (let k = 0; k + 1 < hits.length; k += 2) {
    const i = hits[k] as number;
    const at = hits[k + 1] as number;
    if (at < startedAt + SETTLE_MS) continue;
    const phase = phaseOf(names[i] as string, INTERVAL_MS);
    jitter.push((((at - phase) % INTERVAL_MS) + INTERVAL_MS) % INTERVAL_MS);
    perProbe.set(i, (perProbe.get(i) ?? 0) + 1);
  }
  jitter.sort((a, b) => a - b);
  const up = /alertpath_watch_check_status\{check="[^"]+",status="up"\} 1/g;
  const upCount = metrics.match(up)?.length ?? 0;
  const delayCount = Number(/alertpath_watch_probe_start_delay_seconds_count (\d+)/.exec(metrics)?.[1] ?? 0);
  const delayUnder1s = Number(
    /alertpath_watch_probe_start_delay_seconds_bucket\{le="1"\} (\d+)/.exec(metrics)?.[1] ?? 0,
  );
  const cpu = atStart && atEnd ? atEnd.cpuS - atStart.cpuS : Number.NaN;
  const elapsed = (Date.now() - startedAt) / 1000;
  process.stdout.write(
    [
      `${PROBES} http probes every ${INTERVAL_MS / 1000} s, watch ${process.platform === 'linux' ? 'pinned to core 0' : 'unpinned'}, ${(RUN_MS / 1000).toFixed(0)} s:`,
      `  probe requests seen by the target: ${jitter.length} (${perProbe.size} distinct probes; ~${Math.round((PROBES * (RUN_MS - SETTLE_MS)) / INTERVAL_MS)} expected)`,
      `  start jitter (arrival − scheduled slot): p50 ${pct(jitter, 50)} ms, p99 ${pct(jitter, 99)} ms, max ${jitter[jitter.length - 1] ?? 0} ms`,
      `  watch's own start-delay histogram: ${delayUnder1s} of ${delayCount} runs started < 1 s late`,
      `  checks up at the end: ${upCount} of ${PROBES}`,
      `  watch CPU: ${cpu.toFixed(1)} s in ${elapsed.toFixed(0)} s (${((cpu / elapsed) * 100).toFixed(1)}% of one core); RSS ${atEnd?.rssMb.toFixed(0)} MB (peak ${atEnd?.hwmMb.toFixed(0)} MB)`,
      '',
    ].join('\n'),
  );
}
