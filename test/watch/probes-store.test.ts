import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { initialState } from '../../src/watch/checks/model.js';
import { SQLITE_MIGRATIONS as MIGRATIONS } from '../../src/watch/store/schema.js';
import { openSqliteStore } from '../../src/watch/store/sqlite/index.js';
import { ManualClock } from '../helpers/clock.js';
import { def, HOUR, T0 } from './helpers.js';
import { probeRig } from './probe-rig.js';

const UUID = '0a0a0a0a-1b1b-4c2c-8d3d-4e4e4e4e4e4e';

test('a database from before probes is migrated in place; its checks keep working', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'watch-migrate-')), 'watch.db');
  const v1 = new Database(file);
  v1.exec(MIGRATIONS[0]?.sql ?? '');
  v1.pragma('user_version = 1');
  v1.prepare(
    `INSERT INTO checks (uuid, managed, name, slug, def, created_at, status, n_pings) VALUES (?, 0, 'old', 'old', ?, ?, 'up', 7)`,
  ).run(UUID, JSON.stringify(def({ name: 'old', slug: 'old' })), T0);
  v1.close();

  const store = openSqliteStore(file);
  try {
    const r = await store.getCheck(UUID);
    assert.equal(r?.state.status, 'up');
    assert.equal(r?.state.nPings, 7);
    assert.equal(r?.state.probeStreak, 0);
    assert.deepEqual(await store.listProbeResults(UUID, 10), []);
  } finally {
    await store.close();
  }
});

test('results: the last 1 000 per probe are kept; hourly aggregates until retention prunes them', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'watch-results-')), 'watch.db');
  const store = openSqliteStore(file);
  try {
    await store.insertCheck({
      uuid: UUID,
      managed: true,
      createdAt: T0,
      def: {
        ...def({ name: 'p', slug: 'p' }),
        schedule: { kind: 'probe', intervalMs: 10_000 },
        probe: { type: 'tcp', target: 'x:1', timeoutMs: 1000, failureThreshold: 1, successThreshold: 1 },
      },
      state: initialState(),
    });
    // 1 100 results, 10 s apart, every 4th failed; written in concurrent batches (group commit).
    for (let batch = 0; batch < 11; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const i = batch * 100 + j;
          return store.transition(UUID, () => ({
            probeResult: { at: T0 + i * 10_000, ok: i % 4 !== 0, latencyMs: i % 10, message: `r${i}` },
            result: null,
          }));
        }),
      );
    }
    const results = await store.listProbeResults(UUID, 5000);
    assert.equal(results.length, 1000);
    assert.equal(results[0]?.n, 1100);
    assert.equal(results[0]?.message, 'r1099');
    assert.equal(results[999]?.message, 'r100');

    const hours = await store.listProbeHours(UUID, {});
    assert.equal(
      hours.reduce((n, h) => n + h.probes, 0),
      1100,
      'aggregates count every result',
    );
    assert.equal(
      hours.reduce((n, h) => n + h.failures, 0),
      275,
    );
    assert.equal(hours[0]?.hour, Math.floor(T0 / HOUR) * HOUR);
    assert.equal(Math.max(...hours.map((h) => h.latencyMaxMs)), 9);

    const cut = (hours[1]?.hour as number) + 1;
    await store.prune({ keepPings: 100, before: cut });
    const left = await store.listProbeHours(UUID, {});
    assert.equal(left.length, hours.length - 2, 'hours before the retention cut are pruned');
  } finally {
    await store.close();
  }
});

test('reload: an added probe starts running, a removed one stops and its check is removed', async () => {
  const clock = new ManualClock(T0);
  const rig = await probeRig('probes:\n  - { name: one, tcp: "a.test:1", interval: 5s }\n', clock);
  try {
    for (let i = 0; i < 30 && rig.runs.length < 1; i++) await rig.advance(500);
    assert.deepEqual(
      rig.runs.map((r) => r.name),
      ['one'],
    );
    writeFileSync(
      rig.configFile,
      `apiKeys: [{ name: t, key: probe-rig-key-0123456789 }]\nprobes:\n  - { name: two, tcp: "b.test:1", interval: 5s }\n`,
    );
    assert.equal(await rig.watch.reload(), true);
    const before = rig.runs.length;
    await rig.advance(11_000);
    const after = rig.runs.slice(before).map((r) => r.name);
    assert.ok(after.length >= 2, `ran ${after.join(',')}`);
    assert.deepEqual([...new Set(after)], ['two']);
    assert.deepEqual(
      (await rig.watch.store.listChecks()).map((c) => c.def.name),
      ['two'],
    );
  } finally {
    await rig.close();
  }
});
