import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import { buildWatch, type Watch, watchService } from '../../src/watch/index.js';
import { ManualClock } from '../helpers/clock.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';
import { MIN, SEC, settle, T0 } from './helpers.js';
import { createSchema, PG_URL, pgSkip, type TestSchema } from './store-pg.js';

/**
 * Several `watch` instances on one PostgreSQL database, as operators run them for availability:
 * each flip is paged once per channel, and a ping any instance received counts for all.
 */

const skip = await pgSkip();
const UUID = '7d0c5a52-3f7e-4b8e-9a51-0c6f2d1e4b01';

let receiver: Receiver;

function config(): string {
  return `
pingKey: test-ping-key-0123
apiKeys: [{ name: t, key: test-api-key-0123456789 }]
channels:
  a: { type: webhook, down: { url: "${receiver.url}/a/$STATUS", method: POST, body: "$NAME" } }
  b: { type: webhook, down: { url: "${receiver.url}/b/$STATUS", method: POST, body: "$NAME" } }
defaults: { repeat: 0 }
checks:
  - { name: backup, uuid: ${UUID}, period: 1m, grace: 1m, channels: [a, b] }
`;
}

async function instance(db: TestSchema, clock: ManualClock, databaseUrl = db.url): Promise<Watch> {
  const dir = mkdtempSync(join(tmpdir(), 'watch-pg-'));
  const configFile = join(dir, 'watch.yaml');
  writeFileSync(configFile, config());
  const watch = await buildWatch(
    { dataDir: dir, configFile, databaseUrl, baseUrl: 'https://watch.example.net', env: {} },
    {
      logger: silentLogger(),
      clock,
      processMetrics: false,
      announce: () => {},
      outbox: { retryBaseMs: 50, random: () => 0 },
    },
  );
  await watch.start();
  return watch;
}

async function pingVia(w: Watch): Promise<void> {
  const res = await w.app.request(`http://watch.test/ping/${UUID}`);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'OK');
}

/** Waits (in real time: the database answers asynchronously) until `cond` holds. */
async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function advance(clock: ManualClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10 * SEC) {
    await clock.advance(Math.min(10 * SEC, ms - t));
    await settle();
  }
}

async function downFlips(w: Watch): Promise<number> {
  return (await w.store.listFlips(UUID, {})).filter((f) => f.to === 'down').length;
}

describe('several instances on one PostgreSQL database', { skip }, () => {
  let db: TestSchema;
  const running: Watch[] = [];

  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
  });
  beforeEach(async () => {
    receiver.requests.length = 0;
  });

  async function both(clock: ManualClock): Promise<[Watch, Watch]> {
    db = await createSchema();
    const a = await instance(db, clock);
    const b = await instance(db, clock);
    running.push(a, b);
    return [a, b];
  }

  async function stopAll(): Promise<void> {
    for (const w of running.splice(0)) await w.stop().catch(() => {});
    await db.drop();
  }

  test('a deadline both instances hold flips once and pages each channel once', async () => {
    const clock = new ManualClock(T0);
    try {
      db = await createSchema();
      const a = await instance(db, clock);
      running.push(a);
      await pingVia(a);
      // B starts after the ping, so it loads the same deadline from the database.
      const b = await instance(db, clock);
      running.push(b);
      const deadline = T0 + 2 * MIN;
      assert.equal(a.engine.heap.get(UUID), deadline);
      assert.equal(b.engine.heap.get(UUID), deadline);

      await advance(clock, 2 * MIN + SEC);
      await until('both instances to handle the deadline', () =>
        [a, b].every((w) => w.engine.heap.get(UUID) !== deadline),
      );
      await until('both jobs to be sent', async () => {
        const jobs = await a.store.listJobs(UUID, 10);
        return jobs.length >= 2 && jobs.every((j) => j.status === 'sent');
      });
      await a.engine.outbox.idle();
      await b.engine.outbox.idle();

      assert.equal(await downFlips(a), 1);
      const jobs = await b.store.listJobs(UUID, 10);
      assert.deepEqual(jobs.map((j) => [j.channel, j.event, j.tries]).sort(), [
        ['a', 'down', 1],
        ['b', 'down', 1],
      ]);
      assert.deepEqual(receiver.requests.map((r) => r.path).sort(), ['/a/down', '/b/down']);
      assert.equal(receiver.requests[0]?.body, 'backup');
    } finally {
      await stopAll();
    }
  });

  test('a ping received by instance A moves the deadline instance B holds: no false page', async () => {
    const clock = new ManualClock(T0);
    try {
      const [a, b] = await both(clock);
      await pingVia(a);
      await b.engine.reloadDeadlines();
      const first = T0 + 2 * MIN;
      assert.equal(b.engine.heap.get(UUID), first);

      await advance(clock, 90 * SEC);
      await pingVia(a);
      const moved = T0 + 90 * SEC + 2 * MIN;
      assert.equal(a.engine.heap.get(UUID), moved);
      assert.equal(b.engine.heap.get(UUID), first, 'B still holds the old deadline');

      // Past B's old deadline, before the new one: B re-reads the check and does not flip.
      await advance(clock, 40 * SEC);
      await until('B to handle its old deadline', () => b.engine.heap.get(UUID) === moved);
      assert.equal(await downFlips(a), 0);
      assert.deepEqual(
        (await a.store.listJobs(UUID, 10)).filter((j) => j.event === 'down'),
        [],
      );
      assert.equal((await b.store.getCheck(UUID))?.state.status, 'up');
      assert.equal((await b.store.listPings(UUID, 10)).length, 2);
    } finally {
      await stopAll();
    }
  });

  test('an instance fires a deadline set by a ping another instance received, when that one is gone', async () => {
    const clock = new ManualClock(T0);
    try {
      const [a, b] = await both(clock);
      assert.equal(b.engine.heap.get(UUID), undefined, 'a new check has no deadline yet');
      await pingVia(a);
      await a.stop();
      running.splice(running.indexOf(a), 1);

      await advance(clock, 2 * MIN + 11 * SEC);
      await until('B to page', () => receiver.requests.length >= 2);
      await b.engine.outbox.idle();
      assert.equal(await downFlips(b), 1);
      assert.deepEqual(receiver.requests.map((r) => r.path).sort(), ['/a/down', '/b/down']);
    } finally {
      await stopAll();
    }
  });
});

describe('readiness follows the PostgreSQL connection', { skip }, () => {
  test('/readyz is 200 while the database answers, 503 while it is unreachable, 200 again after', async () => {
    receiver = await startReceiver();
    const db = await createSchema();
    const proxy = await tcpProxy(new URL(PG_URL as string));
    const url = new URL(db.url);
    url.host = `127.0.0.1:${proxy.port}`;
    let watch: Watch | undefined;
    try {
      watch = await instance(db, new ManualClock(T0), url.toString());
      const app = watchService(watch);
      assert.equal((await app.request('http://watch.test/readyz')).status, 200);
      await proxy.stop();
      assert.equal((await app.request('http://watch.test/readyz')).status, 503);
      await proxy.start();
      await until(
        'the pool to reconnect',
        async () => (await app.request('http://watch.test/readyz')).status === 200,
      );
    } finally {
      await watch?.stop();
      await proxy.stop();
      await db.drop();
      await receiver.close();
    }
  });
});

/** A loopback TCP proxy to the database that can be cut and restored on the same port. */
async function tcpProxy(target: URL) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const { connect } = await import('node:net');
  const start = async () => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server?.listen(port, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  };
  await start();
  return {
    get port() {
      return port;
    },
    start,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = undefined;
    },
  };
}
