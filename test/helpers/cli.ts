import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How tests start the real `alertpath` binary: the compiled CLI when tests run from `dist/`,
 * or the TypeScript source through tsx during development (`npx tsx --test test/...`).
 */
const here = dirname(fileURLToPath(import.meta.url));
const fromSource = import.meta.url.endsWith('.ts');
export const repoRoot = resolve(here, fromSource ? '../..' : '../../..');

export function cliArgv(args: string[]): string[] {
  // tsx by absolute URL, so the CLI also starts from a working directory outside the repo
  if (fromSource)
    return ['--import', import.meta.resolve('tsx'), join(repoRoot, 'src/cli/index.ts'), ...args];
  const built = join(repoRoot, 'dist/src/cli/index.js');
  if (!existsSync(built)) throw new Error(`build the CLI first (npm run build): ${built} is missing`);
  return [built, ...args];
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): ChildProcess {
  const child = spawn(process.execPath, cliArgv(args), {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  return child;
}

/** Runs the CLI to completion and collects its output. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = startCli(args, options);
  return collect(child, options.timeoutMs ?? 60_000);
}

export function collect(child: ChildProcess, timeoutMs = 60_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      child.stdout?.once('end', () => {});
      setImmediate(() => {
        clearTimeout(timer);
        resolvePromise({ code, signal, stdout, stderr });
      });
    });
  });
}

/** Resolves with the first stdout/stderr line matching `pattern` (e.g. "listening"). */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const onData = (d: Buffer | string) => {
      seen += d.toString();
      const m = pattern.exec(seen);
      if (m) {
        cleanup();
        resolvePromise(m[0]);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; saw: ${seen}`));
    }, timeoutMs);
    const onExit = () => {
      cleanup();
      reject(new Error(`process exited before printing ${pattern}; saw: ${seen}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Finds an executable on PATH, for the tests that need a real binary (alertmanager, registry). */
export function findBinary(...names: string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/sbin', '/usr/local/bin']);
  for (const name of names) for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  return undefined;
}

/** A loud skip reason for a test that needs a real part that is not installed. */
export function missingBinaryMessage(what: string, pkg: string): string {
  const msg = `SKIPPED: ${what} not found; install the Debian package '${pkg}' (bash .ci/run does this) to run this test`;
  process.stderr.write(`\n!!! ${msg}\n`);
  return msg;
}
