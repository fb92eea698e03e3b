import { spawnSync } from 'node:child_process';
import { cliArgv } from '../test/helpers/cli.js';

/**
 * Cold start of `alertpath wait --help`: a fresh Node process each run, as systemd starts it.
 * Goal: < 150 ms on the 2-core CI machine. `node -e ""` is printed beside it as the floor.
 */
const RUNS = 30;

function time(args: string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${String(r.stderr)}`);
    if (i >= 3) out.push(ms); // the first runs warm the page cache
  }
  return out.sort((a, b) => a - b);
}

function summary(sorted: number[]): string {
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return `min ${at(0).toFixed(0)} ms, p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms`;
}

export default async function (): Promise<void> {
  const node = time(['-e', '']);
  const help = time(cliArgv(['wait', '--help']));
  const usage = time(cliArgv(['wait', '--systemd-dropin', 'pve-guests.service', 'https://10.10.12.2/']));
  process.stdout.write(`node -e "" (floor)             ${summary(node)}\n`);
  process.stdout.write(`alertpath wait --help          ${summary(help)}   (goal p50 < 150 ms)\n`);
  process.stdout.write(`alertpath wait --systemd-dropin ${summary(usage)}\n`);
}
