import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../src/lib/log.js';
import type { CheckDef } from '../../src/watch/checks/model.js';
import { initialState } from '../../src/watch/checks/model.js';
import { WatchEngine } from '../../src/watch/engine/index.js';
import type { Defaults } from '../../src/watch/engine/plan.js';
import { createWatchMetrics } from '../../src/watch/metrics.js';
import { openSqliteStore } from '../../src/watch/store/sqlite/index.js';
import type { Store } from '../../src/watch/store/types.js';
import { ManualClock } from '../helpers/clock.js';
import { def, FakeTransport, HOUR, MIN, ping, SEC, settle, T0 } from './helpers.js';

const UUID = '11111111-2222-4333-8444-555555555555';

interface Rig {
  clock: ManualClock;
  store: Store;
  engine: WatchEngine;
  transports: Map<string, FakeTransport>;
  file: string;
}

async function rig(
  opts: {
    check?: Partial<CheckDef>;
    defaults?: Partial<Defaults>;
    channels?: string[];
    file?: string;
    clock?: ManualClock;
    seed?: boolean;
  } = {},
): Promise<Rig> {
  const clock = opts.clock ?? new ManualClock(T0);
  const file = opts.file ?? join(mkdtempSync(join(tmpdir(), 'watch-engine-')), 'watch.db');
  const store = openSqliteStore(file);
  if (opts.seed !== false)
    await store.insertCheck({
      uuid: UUID,
      managed: false,
      createdAt: T0,
      def: def(opts.check),
      state: initialState(),
    });
  const transports = new Map(
    (opts.channels ?? ['main']).map((n) => [n, new FakeTransport(n, () => clock.now())]),
  );
  const engine = new WatchEngine({
    store,
    clock,
    logger: silentLogger(),
    metrics: createWatchMetrics({ processMetrics: false }),
    settings: {
      defaults: { channels: ['main'], fallback: [], repeatMs: 0, maintenance: [], ...opts.defaults },
      baseUrl: 'https://watch.example.net',
      transports,
    },
    outbox: { retryBaseMs: 2000, random: () => 1 },
  });
  await engine.start();
  return { clock, store, engine, transports, file };
}

async function advance(r: Rig, ms: number, step = SEC): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await r.clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

async function stop(r: Rig): Promise<void> {
  await r.engine.stop();
  await r.store.close();
}

test('a check past its deadline flips down and pages its channel; the next ping pages up', async () => {
  const r = await rig();
  try {
    await r.engine.ping(UUID, ping(T0));
    await advance(r, HOUR + 10 * MIN - SEC, MIN);
    assert.equal(r.transports.get('main')?.tries.length, 0, 'nothing before the deadline');
    await advance(r, 2 * SEC, 100);
    const main = r.transports.get('main') as FakeTransport;
    assert.equal(main.sent.length, 1);
    assert.equal(main.sent[0]?.event, 'down');
    assert.equal(main.tries[0]?.at, T0 + HOUR + 10 * MIN, 'the first try is made at the deadline itself');
    assert.equal(
      main.sent[0]?.text,
      '🔴 DOWN nightly-backup: no ping for 1h 10m (expected every 1h, grace 10m); last ping 2026-11-25 03:00:12 UTC',
    );
    assert.equal(main.sent[0]?.check.pingUrl, `https://watch.example.net/ping/${UUID}`);
    await r.engine.ping(UUID, ping(r.clock.now() + 0));
    await settle();
    await r.engine.outbox.idle();
    await settle();
    assert.equal(main.sent.length, 2);
    assert.equal(main.sent[1]?.event, 'up');
    assert.match(main.sent[1]?.text ?? '', /^🟢 UP nightly-backup again after /);
    const flips = await r.store.listFlips(UUID, {});
    assert.deepEqual(
      flips.map((f) => `${f.from}->${f.to}:${f.reason}`),
      ['down->up:success', 'up->down:timeout', 'new->up:success'],
    );
  } finally {
    await stop(r);
  }
});

test('a failed try is retried with backoff, 3 tries in all, and each outcome is recorded', async () => {
  const r = await rig();
  try {
    const main = r.transports.get('main') as FakeTransport;
    main.failing = true;
    await r.engine.ping(UUID, ping(T0, { action: 'fail', body: 'exit 1' }));
    await advance(r, 10 * SEC, 250);
    assert.equal(main.tries.length, 3);
    const gaps = [
      (main.tries[1]?.at ?? 0) - (main.tries[0]?.at ?? 0),
      (main.tries[2]?.at ?? 0) - (main.tries[1]?.at ?? 0),
    ];
    assert.ok((gaps[0] ?? 0) >= 2000 && (gaps[1] ?? 0) > (gaps[0] ?? 0), `backoff grows: ${gaps}`);
    await advance(r, 60 * SEC, 5 * SEC);
    assert.equal(main.tries.length, 3, 'no fourth try');
    const jobs = await r.store.listJobs(UUID, 10);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]?.status, 'failed');
    assert.equal(jobs[0]?.tries, 3);
    assert.match(jobs[0]?.lastError ?? '', /HTTP 503/);
  } finally {
    await stop(r);
  }
});

test('when every channel of a flip failed, the fallback channels are paged', async () => {
  const r = await rig({ channels: ['main', 'phone'], defaults: { fallback: ['phone'] } });
  try {
    const main = r.transports.get('main') as FakeTransport;
    const phone = r.transports.get('phone') as FakeTransport;
    main.failing = true;
    await r.engine.ping(UUID, ping(T0));
    await advance(r, HOUR + 10 * MIN + 30 * SEC, 5 * SEC);
    assert.equal(main.tries.length, 3);
    assert.equal(phone.sent.length, 1, 'fallback paged once');
    assert.equal(phone.sent[0]?.event, 'down');
    const jobs = await r.store.listJobs(UUID, 10);
    assert.deepEqual(jobs.map((j) => `${j.channel}:${j.status}:${j.isFallback}`).sort(), [
      'main:failed:false',
      'phone:sent:true',
    ]);
  } finally {
    await stop(r);
  }
});

test('no fallback when one of the channels delivered', async () => {
  const r = await rig({
    channels: ['main', 'mail', 'phone'],
    check: { channels: ['main', 'mail'] },
    defaults: { fallback: ['phone'] },
  });
  try {
    (r.transports.get('main') as FakeTransport).failing = true;
    await r.engine.ping(UUID, ping(T0, { action: 'fail' }));
    await advance(r, 30 * SEC, SEC);
    assert.equal(r.transports.get('mail')?.sent.length, 1);
    assert.equal(r.transports.get('phone')?.tries.length, 0);
  } finally {
    await stop(r);
  }
});

test('reminders every repeat while down, none after it is up again', async () => {
  const r = await rig({ defaults: { repeatMs: 30 * MIN } });
  try {
    const main = r.transports.get('main') as FakeTransport;
    await r.engine.ping(UUID, ping(T0, { action: 'fail' }));
    await advance(r, 95 * MIN, MIN);
    assert.deepEqual(
      main.sent.map((n) => n.event),
      ['down', 'reminder', 'reminder', 'reminder'],
    );
    assert.match(main.sent[1]?.text ?? '', /^🔴 STILL DOWN nightly-backup: down for 30m/);
    await r.engine.ping(UUID, ping(r.clock.now()));
    await advance(r, HOUR, 5 * MIN);
    assert.deepEqual(main.sent.map((n) => n.event).slice(4), ['up'], 'no reminder once up');
  } finally {
    await stop(r);
  }
});

test('maintenance suppresses notifications but flips are recorded; still down at the end is told', async () => {
  // Window every day 04:00-06:00 UTC; the check goes down at 04:10.
  const r = await rig({ check: { maintenance: [{ cron: '0 4 * * *', durationMs: 2 * HOUR, tz: 'UTC' }] } });
  try {
    const main = r.transports.get('main') as FakeTransport;
    await r.engine.ping(UUID, ping(T0)); // 03:00:12
    await advance(r, 2 * HOUR, MIN); // 05:00:12: down since 04:10:12, inside the window
    assert.equal(main.tries.length, 0);
    const flips = await r.store.listFlips(UUID, {});
    assert.equal(flips[0]?.to, 'down', 'the flip is recorded');
    await advance(r, HOUR, MIN); // past 06:00
    assert.equal(main.sent.length, 1);
    assert.equal(main.sent[0]?.event, 'reminder');
    assert.equal(main.tries[0]?.at, Date.UTC(2026, 10, 25, 6, 0));
  } finally {
    await stop(r);
  }
});

test('restart: a deadline that passed while the process was down fires at start', async () => {
  const clock = new ManualClock(T0);
  const first = await rig({ clock });
  await first.engine.ping(UUID, ping(T0));
  await stop(first);
  // Down for three hours.
  clock.set(T0 + 3 * HOUR);
  const second = await rig({ clock, file: first.file, seed: false });
  try {
    await settle(10);
    await second.engine.outbox.idle();
    await settle();
    const main = second.transports.get('main') as FakeTransport;
    assert.equal(main.sent.length, 1);
    assert.equal(main.sent[0]?.event, 'down');
    const flips = await second.store.listFlips(UUID, {});
    assert.equal(flips[0]?.at, T0 + HOUR + 10 * MIN, 'the flip is dated at the deadline');
  } finally {
    await stop(second);
  }
});

test('restart (SQLite): a job a killed sender left mid-send is sent again at once, not a lease later', async () => {
  const clock = new ManualClock(T0);
  const first = await rig({ clock });
  await first.engine.stop();
  // Simulate a crash mid-send: a job claimed and never finished.
  await first.store.transition(UUID, (rec) => ({
    jobs: [
      {
        group: 'g',
        channel: 'main',
        event: 'down',
        notification: {
          event: 'down',
          check: { uuid: UUID, name: rec.def.name, slug: rec.def.slug, tags: [], desc: '' },
          text: 'x',
          reason: 'fail',
          at: T0,
        },
        fallbackChannels: [],
        dueAt: T0,
        causedAt: T0,
      },
    ],
    result: null,
  }));
  assert.equal((await first.store.claimJobs(T0, 10, 60_000)).length, 1);
  assert.equal((await first.store.claimJobs(T0, 10, 60_000)).length, 0, 'a claimed job is not claimed twice');
  await first.store.close();
  const second = await rig({ clock, file: first.file, seed: false });
  try {
    // Nothing else can hold a claim on a store only this process uses: no lease to wait out.
    await advance(second, SEC, 100);
    assert.equal(second.transports.get('main')?.sent.length, 1);
    await advance(second, 2 * 60 * SEC, 5 * SEC);
    assert.equal(second.transports.get('main')?.tries.length, 1, 'sent once, not again after a lease');
  } finally {
    await stop(second);
  }
});
