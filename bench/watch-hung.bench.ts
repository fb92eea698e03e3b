import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/lib/log.js';
import { buildWatch } from '../src/watch/index.js';
import { startHungEndpoint } from '../test/fakes/hung.js';

/**
 * Issue 16, item 2: a webhook endpoint that accepts the connection and never answers. A watch
 * (in-process, real channel types, SQLite) sends a check down; the figures are the time from the
 * first request's arrival to the first failure (its connection closed by the client, and the
 * failure visible in `GET …/notifications/`), against the send timeout. Goal: timeout ± 1 s.
 * The garbage collector runs every 50 ms (`npm run bench` starts node with --expose-gc): the
 * Node 20 bug this guards against loses the timer to the GC.
 */

const KEY = 'bench-hung-key-0123456789';
const CHECK = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

async function once(
  timeoutMs: number,
): Promise<{ closedAfter: number; recordedAfter: number; retryAfter: number }> {
  const hung = await startHungEndpoint();
  const dir = mkdtempSync(join(tmpdir(), 'watch-bench-hung-'));
  const configFile = join(dir, 'watch.yaml');
  writeFileSync(
    configFile,
    [
      `apiKeys: [{ name: b, key: ${KEY} }]`,
      `channels: { hook: { type: webhook, down: { url: "${hung.url}/hook", method: POST, body: down } } }`,
      `checks: [{ name: job, uuid: ${CHECK}, period: 1h, grace: 1h, channels: [hook] }]`,
    ].join('\n'),
  );
  const watch = await buildWatch(
    { dataDir: dir, configFile, env: {} },
    {
      logger: silentLogger(),
      processMetrics: false,
      announce: () => {},
      outbox: { sendTimeoutMs: timeoutMs },
    },
  );
  await watch.start();
  const gc = (globalThis as { gc?: () => void }).gc;
  const collector = gc ? setInterval(gc, 50) : undefined;
  try {
    await watch.app.request(`http://bench/ping/${CHECK}/fail`);
    let recorded: number | undefined;
    const until = performance.now() + timeoutMs + 30_000;
    while (performance.now() < until && (recorded === undefined || hung.requests.length < 2)) {
      if (recorded === undefined) {
        const res = await watch.app.request(`http://bench/api/v3/checks/${CHECK}/notifications/`, {
          headers: { 'x-api-key': KEY },
        });
        const [n] = ((await res.json()) as { notifications: Array<{ error: string | null }> }).notifications;
        if (n?.error) recorded = performance.now();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const [first, second] = hung.requests;
    if (!first || first.closed === undefined || recorded === undefined)
      return { closedAfter: Number.NaN, recordedAfter: Number.NaN, retryAfter: Number.NaN };
    return {
      closedAfter: first.closed - first.at,
      recordedAfter: recorded - first.at,
      retryAfter: second ? second.at - first.at : Number.NaN,
    };
  } finally {
    if (collector) clearInterval(collector);
    await watch.stop();
    await hung.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const s = (ms: number) => (Number.isNaN(ms) ? 'never' : `${(ms / 1000).toFixed(2)} s`);

export default async function (): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) process.stdout.write('(no --expose-gc: the GC is not forced)\n');
  for (const timeoutMs of [2000, 15_000]) {
    const r = await once(timeoutMs);
    const off = r.recordedAfter - timeoutMs;
    process.stdout.write(
      `send timeout ${s(timeoutMs)} (the default is 15 s): first try's connection closed after ${s(r.closedAfter)}, ` +
        `first failure recorded after ${s(r.recordedAfter)} (${off >= 0 ? '+' : ''}${s(off)}, goal ± 1 s), ` +
        `second try sent after ${s(r.retryAfter)}\n`,
    );
  }
}
