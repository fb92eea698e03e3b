import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { FakeDiscord } from '../test/fakes/discord.js';
import { alert, payload } from '../test/helpers/alerts.js';

/**
 * Relay memory under hostile bodies (issue 16): the shipped CLI (`alertpath relay`, default heap)
 * receives four worst-case bodies at once, each under the 4 MiB `maxBodyBytes`, and the figure is
 * the process's peak RSS (VmHWM). A fresh relay per shape. The shipped Deployment's limit is 256Mi.
 *
 * Compare with another build: `RELAY_BENCH_CLI=/other/checkout/dist/src/cli/index.js npm run bench relay-memory`.
 */
const here = dirname(fileURLToPath(import.meta.url));
const cli = process.env.RELAY_BENCH_CLI ?? join(here, '../src/cli/index.js');
const LIMIT = 4 * 1024 * 1024;

function junk(extra: string): string {
  const body = JSON.stringify({ ...payload([alert({ alertname: 'A' })]), junk: 0 });
  return body.replace('"junk":0', `"junk":${extra}`);
}

function fill(make: (i: number) => string, open: string, close: string): string {
  const parts: string[] = [];
  let size = 1024;
  for (let i = 0; size < LIMIT - 2048; i++) {
    const p = make(i);
    parts.push(p);
    size += p.length + 1;
  }
  return junk(`${open}${parts.join(',')}${close}`);
}

const shapes: Array<[string, () => string]> = [
  ['1.9-million-deep array', () => junk(`${'['.repeat(1_900_000)}${']'.repeat(1_900_000)}`)],
  ['a million empty objects', () => fill(() => '{}', '[', ']')],
  ['distinct short strings', () => fill((i) => `"${i.toString(36)}"`, '[', ']')],
  [
    '199 999 small objects (under the container bound)',
    () => {
      const parts = Array.from({ length: 199_990 }, (_, i) => `{"k":"${i.toString(36)}"}`);
      return junk(`[${parts.join(',')}]`);
    },
  ],
  [
    'real alerts, as many as fit',
    () => {
      const alerts = [];
      let size = 0;
      for (let i = 0; size < LIMIT - 4096; i++) {
        const a = alert(
          { alertname: 'KubePodCrashLooping', namespace: 'apps', pod: `pod-${i}`, severity: 'warning' },
          { annotations: { description: `Pod apps/pod-${i} is crash looping.` } },
        );
        size += JSON.stringify(a).length + 1;
        alerts.push(a);
      }
      return JSON.stringify(payload(alerts));
    },
  ],
];

function vmHwmMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function startRelay(webhookUrl: string) {
  const dir = mkdtempSync(join(tmpdir(), 'relay-mem-'));
  const config = join(dir, 'relay.yaml');
  writeFileSync(config, `routes:\n  default:\n    discord:\n      webhookUrl: ${webhookUrl}\n`);
  const child = spawn(process.execPath, [cli, 'relay', '--config', config, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /"listen":"([^"]+)"[^\n]*listening/.exec(out);
      if (m?.[1]) resolve(`http://${m[1]}`);
    });
    child.once('exit', (code) => reject(new Error(`relay exited ${code}: ${out}`)));
  });
  return { url, pid: child.pid as number, stop: () => child.kill('SIGKILL') };
}

export default async function bench(): Promise<void> {
  const discord = await new FakeDiscord({ limit: 1e9, windowMs: 1000 }).start();
  process.stdout.write(`relay peak RSS, 4 concurrent bodies of each shape (cli: ${cli})\n`);
  for (const [name, make] of shapes) {
    const body = make();
    const relay = await startRelay(discord.webhook());
    const idle = vmHwmMb(relay.pid);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        request(`${relay.url}/webhook`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        })
          .then(async (r) => {
            await r.body.dump();
            return r.statusCode;
          })
          .catch((e: Error) => e.message),
      ),
    );
    const peak = vmHwmMb(relay.pid);
    relay.stop();
    process.stdout.write(
      `  ${name.padEnd(52)} ${(body.length / 1048576).toFixed(2)} MiB each: peak ${peak.toFixed(0)} MB (idle ${idle.toFixed(0)} MB), answers ${answers.join(' ')}\n`,
    );
  }
  await discord.close();
}
