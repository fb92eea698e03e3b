import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cliArgv } from '../test/helpers/cli.js';

/** `alertpath watch` in its own process for benchmarks, pinned to core 0 with taskset on Linux. */
export async function startWatchProcess(args: string[]): Promise<{ child: ChildProcess; pinned: boolean }> {
  const argv = cliArgv(['watch', ...args]);
  const pinned = process.platform === 'linux';
  const child = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      seen += d;
      if (seen.includes('serving http')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`watch exited ${code}: ${seen}`)));
  });
  return { child, pinned };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; else NaN). */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
