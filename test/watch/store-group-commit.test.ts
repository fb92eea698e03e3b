import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CheckRecord } from '../../src/watch/checks/model.js';
import { openPostgresStore } from '../../src/watch/store/postgres/index.js';
import { openSqliteStore } from '../../src/watch/store/sqlite/index.js';
import type { NewJob, Store, TransitionWrite } from '../../src/watch/store/types.js';
import { record, T0 } from './helpers.js';
import { createSchema, PG_URL, pgSkip } from './store-pg.js';

/**
 * Group commit: transitions queued in one turn of the event loop are committed together. Whatever
 * is batched, each caller sees its own outcome, and the stored pings, flips and jobs are the ones
 * that one transaction per transition would have written, in arrival order.
 */

type Open = (options?: { keepPings?: number }) => Promise<Store>;

interface Harness {
  open: Open;
  cleanup(): Promise<void>;
}

const sqlite = async (): Promise<Harness> => {
  const dir = mkdtempSync(join(tmpdir(), 'store-group-'));
  return {
    open: async (options) => openSqliteStore(join(dir, 'watch.db'), options),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

const postgres = async (): Promise<Harness> => {
  const s = await createSchema();
  return {
    open: (options) => openPostgresStore(PG_URL as string, { ...options, schema: s.schema }),
    cleanup: () => s.drop(),
  };
};

const skipPg = await pgSkip();

const uuidOf = (i: number) => `6c1d0b9e-3a52-4f0e-9a7d-${String(i).padStart(12, '0')}`;

function job(uuid: string, seq: number): NewJob {
  return {
    group: `g-${seq}`,
    channel: 'discord',
    event: 'up',
    notification: {
      event: 'up',
      check: { uuid, name: 'c', slug: 'c', tags: [], desc: '' },
      text: `🟢 UP #${seq}`,
      reason: 'success',
      at: T0 + seq,
    },
    fallbackChannels: ['email'],
    dueAt: T0 + seq,
    causedAt: T0 + seq,
  };
}

/**
 * The `seq`-th ping: counts itself, and every 10th also writes a flip and a job. Quotes, a
 * backslash and non-ASCII text travel in the body and the user agent.
 */
function pingTx(seq: number, body = `it's #${seq} \\ ok`, userAgent = 'curl/8 «test» 🚀') {
  return (r: CheckRecord): TransitionWrite<number> => {
    const nPings = r.state.nPings + 1;
    const flips = seq % 10 === 0;
    return {
      state: { ...r.state, status: 'up', lastPing: T0 + seq, nPings },
      ping: {
        kind: 'success',
        at: T0 + seq,
        method: 'POST',
        rid: seq % 2 === 0 ? `rid-${seq}` : null,
        exitStatus: seq % 3 === 0 ? 0 : null,
        duration: seq % 4 === 0 ? seq : null,
        remoteAddr: '10.0.0.1',
        userAgent,
        scheme: 'https',
        body: Buffer.from(body),
      },
      ...(flips
        ? {
            flip: { from: r.state.status, to: 'up' as const, at: T0 + seq, reason: 'success' as const },
            jobs: [job(r.uuid, seq)],
          }
        : {}),
      result: nPings,
    };
  };
}

for (const [kind, factory, skip] of [
  ['sqlite', sqlite, false],
  ['postgres', postgres, skipPg],
] as const) {
  describe(`group commit: ${kind}`, { skip }, () => {
    test('many concurrent pings to the same and different checks are all committed, counted and in arrival order', async () => {
      const h = await factory();
      const store = await h.open({ keepPings: 10 });
      try {
        const checks = 5;
        for (let i = 0; i < checks; i++)
          await store.insertCheck(record({ name: `c${i}`, slug: `c${i}` }, uuidOf(i)));
        // 300 pings in one turn of the event loop, spread unevenly over the checks, plus a decide
        // that throws and a check that does not exist: each caller gets its own outcome.
        const targets = Array.from({ length: 300 }, (_, seq) => (seq * 7 + (seq % 3)) % checks);
        const outcomes = targets.map((i, seq) => store.transition(uuidOf(i), pingTx(seq)));
        const failing = store.transition(uuidOf(0), () => {
          throw new Error('decide failed');
        });
        const missing = store.transition(uuidOf(99), pingTx(999));
        const results = await Promise.all(outcomes);
        await assert.rejects(failing, /decide failed/);
        assert.equal(await missing, undefined);

        const expectedN = new Array<number>(checks).fill(0);
        results.forEach((r, seq) => {
          const i = targets[seq] as number;
          expectedN[i] = (expectedN[i] ?? 0) + 1;
          // Each caller saw the state right after its own ping, in arrival order.
          assert.equal(r?.result, expectedN[i], `ping ${seq}`);
          assert.equal(r?.record.state.nPings, expectedN[i]);
          assert.equal(r?.record.state.lastPing, T0 + seq);
        });
        for (let i = 0; i < checks; i++) {
          const uuid = uuidOf(i);
          const mine = targets.flatMap((t, seq) => (t === i ? [seq] : []));
          const stored = await store.getCheck(uuid);
          assert.equal(stored?.state.nPings, mine.length, uuid);
          assert.equal(stored?.state.lastPing, T0 + (mine.at(-1) as number));
          // keepPings 10: the pings inserted and trimmed within the batch are gone, the last 10 stay.
          const pings = await store.listPings(uuid, 100);
          assert.deepEqual(
            pings.map((p) => p.n),
            Array.from({ length: 10 }, (_, k) => mine.length - k),
          );
          const last = mine.slice(-10).reverse();
          assert.deepEqual(
            pings.map((p) => Buffer.from(p.body ?? []).toString()),
            last.map((seq) => `it's #${seq} \\ ok`),
          );
          const newest = pings[0];
          const seq = last[0] as number;
          assert.deepEqual(newest, {
            n: mine.length,
            kind: 'success',
            at: T0 + seq,
            method: 'POST',
            rid: seq % 2 === 0 ? `rid-${seq}` : null,
            exitStatus: seq % 3 === 0 ? 0 : null,
            duration: seq % 4 === 0 ? seq : null,
            remoteAddr: '10.0.0.1',
            userAgent: 'curl/8 «test» 🚀',
            scheme: 'https',
            body: Buffer.from(`it's #${seq} \\ ok`),
          });
          // Flips newest first, jobs newest first: both in arrival order.
          const flipping = mine.filter((s) => s % 10 === 0).reverse();
          assert.deepEqual(
            (await store.listFlips(uuid, {})).map((f) => f.at),
            flipping.map((s) => T0 + s),
          );
          const jobs = await store.listJobs(uuid, 100);
          assert.deepEqual(
            jobs.map((j) => j.notification.text),
            flipping.map((s) => `🟢 UP #${s}`),
          );
          assert.ok(jobs.every((j) => j.status === 'pending' && j.fallbackChannels[0] === 'email'));
        }
      } finally {
        await store.close();
        await h.cleanup();
      }
    });

    test('close commits what is queued before it returns', async () => {
      const h = await factory();
      const store = await h.open();
      try {
        await store.insertCheck(record({}, uuidOf(0)));
        const queued = Array.from({ length: 20 }, (_, seq) => store.transition(uuidOf(0), pingTx(seq)));
        await store.close();
        assert.deepEqual(
          (await Promise.all(queued)).map((r) => r?.result),
          Array.from({ length: 20 }, (_, k) => k + 1),
        );
        await assert.rejects(store.transition(uuidOf(0), pingTx(20)), /closed/);
        const again = await h.open();
        assert.equal((await again.getCheck(uuidOf(0)))?.state.nPings, 20);
        await again.close();
      } finally {
        await h.cleanup();
      }
    });
  });
}

describe('group commit: postgres only', { skip: skipPg }, () => {
  test('a transition PostgreSQL refuses fails alone; the rest of its batch commits in order', async () => {
    const h = await postgres();
    const store = await h.open();
    try {
      await store.insertCheck(record({}, uuidOf(0)));
      await store.insertCheck(record({ name: 'b', slug: 'b' }, uuidOf(1)));
      const outcomes = Array.from({ length: 20 }, (_, seq) =>
        store.transition(uuidOf(seq % 2), pingTx(seq, `#${seq}`, seq === 6 ? 'nul \u0000 byte' : 'curl')),
      );
      const settled = await Promise.allSettled(outcomes);
      assert.equal(settled[6]?.status, 'rejected');
      assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 19);
      assert.equal((await store.getCheck(uuidOf(0)))?.state.nPings, 9);
      assert.equal((await store.getCheck(uuidOf(1)))?.state.nPings, 10);
      assert.deepEqual(
        (await store.listPings(uuidOf(0), 100)).map((p) => Buffer.from(p.body ?? []).toString()).reverse(),
        [0, 2, 4, 8, 10, 12, 14, 16, 18].map((s) => `#${s}`),
      );
    } finally {
      await store.close();
      await h.cleanup();
    }
  });

  test('two instances batching pings to the same checks at once: every ping is counted once', async () => {
    const h = await postgres();
    const a = await h.open({ keepPings: 1000 });
    const b = await h.open({ keepPings: 1000 });
    try {
      const checks = 20;
      for (let i = 0; i < checks; i++)
        await a.insertCheck(record({ name: `c${i}`, slug: `c${i}` }, uuidOf(i)));
      // Several rounds, each one batch per instance with the checks in opposite orders: the rows
      // are locked in uuid order, so the batches serialise on shared checks instead of deadlocking.
      const rounds = 5;
      for (let round = 0; round < rounds; round++) {
        const base = round * 1000;
        await Promise.all([
          ...Array.from({ length: 200 }, (_, k) => a.transition(uuidOf(k % checks), pingTx(base + k))),
          ...Array.from({ length: 200 }, (_, k) =>
            b.transition(uuidOf(checks - 1 - (k % checks)), pingTx(base + 500 + k)),
          ),
        ]);
      }
      for (let i = 0; i < checks; i++) {
        const pings = await a.listPings(uuidOf(i), 1000);
        const total = rounds * 20;
        assert.equal((await b.getCheck(uuidOf(i)))?.state.nPings, total);
        assert.deepEqual(
          pings.map((p) => p.n),
          Array.from({ length: total }, (_, k) => total - k),
        );
        assert.equal(new Set(pings.map((p) => p.at)).size, total);
      }
    } finally {
      await a.close();
      await b.close();
      await h.cleanup();
    }
  });
});
