import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { CheckRecord, CheckState, Flip } from '../../src/watch/checks/model.js';
import type { Notification } from '../../src/watch/notify/types.js';
import { openPostgresStore } from '../../src/watch/store/postgres/index.js';
import { LATEST_SCHEMA, SQLITE_MIGRATIONS } from '../../src/watch/store/schema.js';
import { openSqliteStore } from '../../src/watch/store/sqlite/index.js';
import { type NewJob, PROBE_RESULTS_KEPT, type Store } from '../../src/watch/store/types.js';
import { HOUR, MIN, record, storedPing, T0 } from './helpers.js';
import { createSchema, PG_URL, pgSkip, querySchema } from './store-pg.js';

/**
 * One behaviour suite, run against both stores: whatever `watch` relies on from the SQLite store
 * holds for PostgreSQL too, including two handles on one database (two instances).
 */

interface Harness {
  /** A new handle on the same database (a second instance, or a re-open). */
  open(options?: { keepPings?: number }): Promise<Store>;
  /** Marks the database as written by a newer alertpath. */
  bumpSchema(): Promise<void>;
  cleanup(): Promise<void>;
}

type Factory = () => Promise<Harness>;

const sqlite: Factory = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
  const file = join(dir, 'watch.db');
  return {
    open: async (options) => openSqliteStore(file, options),
    bumpSchema: async () => {
      const db = new Database(file);
      db.pragma('user_version = 99');
      db.close();
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

const postgres: Factory = async () => {
  const s = await createSchema();
  return {
    open: (options) => openPostgresStore(PG_URL as string, { ...options, schema: s.schema }),
    bumpSchema: async () => {
      await querySchema(s.schema, 'INSERT INTO alertpath_migrations (version, applied_at) VALUES (99, 0)');
    },
    cleanup: () => s.drop(),
  };
};

const skipPg = await pgSkip();

const UUID_A = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c01';
const UUID_B = '0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5c02';

function note(uuid: string, text: string): Notification {
  return {
    event: 'down',
    check: { uuid, name: 'nightly-backup', slug: 'nightly-backup', tags: [], desc: '' },
    text,
    reason: 'timeout',
    at: T0,
  };
}

function job(uuid: string, over: Partial<NewJob> = {}): NewJob {
  return {
    group: 'g1',
    channel: 'discord',
    event: 'down',
    notification: note(uuid, '🔴 DOWN nightly-backup'),
    fallbackChannels: [],
    dueAt: T0,
    causedAt: T0,
    ...over,
  };
}

/** A transition that flips a check down once its deadline passed, as the engine's does. */
function timeoutAt(now: number) {
  return (r: CheckRecord) => {
    if (r.state.status !== 'up' || r.state.alertAfter === null || now < r.state.alertAfter)
      return { result: false };
    const flip: Flip = { from: 'up', to: 'down', at: now, reason: 'timeout' };
    return {
      state: { ...r.state, status: 'down' as const, downSince: now, nextReminder: now + HOUR },
      flip,
      jobs: [job(r.uuid, { group: `flip-${now}` })],
      result: true,
    };
  };
}

function up(r: CheckRecord, alertAfter: number): CheckState {
  return { ...r.state, status: 'up', lastPing: T0, alertAfter };
}

async function withStore(
  factory: Factory,
  fn: (store: Store, h: Harness) => Promise<void>,
  options?: { keepPings?: number },
): Promise<void> {
  const h = await factory();
  let store: Store | undefined;
  try {
    store = await h.open(options);
    await fn(store, h);
  } finally {
    await store?.close();
    await h.cleanup();
  }
}

for (const [kind, factory, skip] of [
  ['sqlite', sqlite, false],
  ['postgres', postgres, skipPg],
] as const) {
  describe(`store contract: ${kind}`, { skip }, () => {
    test('migrates an empty database, keeps data across a re-open, refuses a newer schema', async () => {
      const h = await factory();
      try {
        const first = await h.open();
        assert.equal(first.kind, kind);
        assert.equal(await first.healthy(), true);
        await first.insertCheck(record({}, UUID_A));
        await first.setSetting('ping_key', 'k1');
        await first.setSetting('ping_key', 'k2');
        await first.close();
        assert.equal(await first.healthy(), false);

        const again = await h.open();
        assert.equal((await again.getCheck(UUID_A))?.def.name, 'nightly-backup');
        assert.equal(await again.getSetting('ping_key'), 'k2');
        assert.equal(await again.getSetting('missing'), undefined);
        await again.close();

        await h.bumpSchema();
        await assert.rejects(
          h.open(),
          new RegExp(`newer alertpath \\(schema 99, this one knows ${LATEST_SCHEMA}\\)`),
        );
      } finally {
        await h.cleanup();
      }
    });

    test('checks: insert, by slug, update definition, delete', () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        await store.insertCheck(record({ name: 'other', slug: 'other' }, UUID_B));
        assert.deepEqual(
          (await store.listChecks()).map((r) => r.uuid),
          [UUID_A, UUID_B],
        );
        assert.deepEqual(
          (await store.checksBySlug('other')).map((r) => r.uuid),
          [UUID_B],
        );
        const got = await store.getCheck(UUID_A);
        assert.deepEqual(got, record({}, UUID_A));

        const updated = await store.updateDefinition(UUID_A, (r) => ({
          def: { ...r.def, graceMs: 5 * MIN },
          state: { ...r.state, alertAfter: T0 + HOUR },
        }));
        assert.equal(updated?.def.graceMs, 5 * MIN);
        assert.equal((await store.getCheck(UUID_A))?.state.alertAfter, T0 + HOUR);
        assert.equal(await store.updateDefinition('nope', () => undefined), undefined);

        assert.equal(await store.deleteCheck(UUID_B), true);
        assert.equal(await store.deleteCheck(UUID_B), false);
        assert.equal(await store.getCheck(UUID_B), undefined);
      }));

    test('a transition writes state, ping, flip and jobs together; a throwing decide writes nothing', () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        assert.equal(await store.transition('missing', () => ({ result: 1 })), undefined);

        const done = await store.transition(UUID_A, (r) => ({
          state: { ...up(r, T0 + HOUR), nPings: 1 },
          ping: {
            kind: 'success',
            at: T0,
            method: 'POST',
            rid: null,
            exitStatus: 0,
            duration: null,
            remoteAddr: '10.0.0.1',
            userAgent: 'curl',
            scheme: 'https',
            body: Buffer.from('backup ok'),
          },
          flip: { from: 'new', to: 'up', at: T0, reason: 'success' },
          jobs: [job(r.uuid, { event: 'up', fallbackChannels: ['email'] })],
          result: 'ok',
        }));
        assert.equal(done?.result, 'ok');
        assert.equal(done?.record.state.status, 'up');
        const stored = await store.getCheck(UUID_A);
        assert.equal(stored?.state.status, 'up');
        assert.equal(stored?.state.alertAfter, T0 + HOUR);
        const pings = await store.listPings(UUID_A, 10);
        assert.equal(pings.length, 1);
        assert.deepEqual(pings[0], {
          n: 1,
          kind: 'success',
          at: T0,
          method: 'POST',
          rid: null,
          exitStatus: 0,
          duration: null,
          remoteAddr: '10.0.0.1',
          userAgent: 'curl',
          scheme: 'https',
          body: Buffer.from('backup ok'),
        });
        assert.deepEqual(await store.pingBody(UUID_A, 1), Buffer.from('backup ok'));
        assert.equal(await store.pingBody(UUID_A, 2), undefined);
        assert.deepEqual(await store.listFlips(UUID_A, {}), [
          { at: T0, from: 'new', to: 'up', reason: 'success' },
        ]);
        const jobs = await store.listJobs(UUID_A, 10);
        assert.equal(jobs.length, 1);
        assert.equal(jobs[0]?.status, 'pending');
        assert.equal(jobs[0]?.tries, 0);
        assert.equal(jobs[0]?.event, 'up');
        assert.deepEqual(jobs[0]?.fallbackChannels, ['email']);
        assert.equal(jobs[0]?.notification.text, '🔴 DOWN nightly-backup');
        assert.equal(jobs[0]?.createdAt, T0);
        assert.deepEqual(await store.wakeTimes(), [{ uuid: UUID_A, at: T0 + HOUR }]);

        await assert.rejects(
          store.transition(UUID_A, () => {
            throw new Error('decide failed');
          }),
          /decide failed/,
        );
        assert.equal((await store.getCheck(UUID_A))?.state.nPings, 1);
      }));

    test('wake-up times: a deadline unless down (a paused check has one while a run it started goes on), a reminder while down', () =>
      withStore(factory, async (store) => {
        const uuid = (i: number) => `0b7e4b7c-1f7a-4c1e-8e9e-4d2f3a6b5d0${i}`;
        const states: Array<Partial<CheckState>> = [
          { status: 'new', alertAfter: T0 + 1 },
          { status: 'up', alertAfter: T0 + 2, nextReminder: T0 + 99 },
          // Down with a stale deadline and no reminder: the engine has nothing to do (the rule
          // that drifted between the stores).
          { status: 'down', alertAfter: T0 + 3, nextReminder: null },
          { status: 'down', alertAfter: T0 + 4, nextReminder: T0 + 40 },
          { status: 'paused', alertAfter: T0 + 5, nextReminder: T0 + 50 },
          { status: 'up', alertAfter: null },
          { status: 'paused', alertAfter: null, nextReminder: T0 + 60 },
        ];
        for (const [i, over] of states.entries()) {
          const r = record({ name: `c${i}`, slug: `c${i}` }, uuid(i));
          await store.insertCheck({ ...r, state: { ...r.state, ...over } });
        }
        const got = (await store.wakeTimes()).sort((a, b) => a.at - b.at);
        assert.deepEqual(got, [
          { uuid: uuid(0), at: T0 + 1 },
          { uuid: uuid(1), at: T0 + 2 },
          { uuid: uuid(4), at: T0 + 5 },
          { uuid: uuid(3), at: T0 + 40 },
        ]);
      }));

    test('ping bodies are bytes: non-UTF-8 and NUL bytes come back unchanged; open runs persist', () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        const bytes = Buffer.from([0x48, 0x69, 0x00, 0xe9, 0x99, 0xff, 0x0a]);
        const runs = [
          { rid: 'a1b2c3d4-0000-4000-8000-00000000000a', at: T0 },
          { rid: null, at: T0 + 1 },
        ];
        await store.transition(UUID_A, (r) => ({
          state: { ...r.state, nPings: 1, runs },
          ping: storedPing({ kind: 'log', body: bytes }),
          result: null,
        }));
        assert.deepEqual(Buffer.from((await store.pingBody(UUID_A, 1)) ?? []), bytes);
        const [p] = await store.listPings(UUID_A, 10);
        assert.deepEqual(Buffer.from(p?.body ?? []), bytes);
        assert.deepEqual((await store.getCheck(UUID_A))?.state.runs, runs);
      }));

    test('pings: the last keepPings are kept; prune trims to the configured count', () =>
      withStore(
        factory,
        async (store) => {
          await store.insertCheck(record({}, UUID_A));
          for (let i = 1; i <= 5; i++) {
            await store.transition(UUID_A, (r) => ({
              state: { ...r.state, nPings: r.state.nPings + 1, lastPing: T0 + i },
              ping: storedPing({ at: T0 + i, method: 'GET', body: Buffer.from(`body ${i}`) }),
              result: null,
            }));
          }
          assert.deepEqual(
            (await store.listPings(UUID_A, 10)).map((p) => p.n),
            [5, 4, 3],
          );
          assert.deepEqual(
            (await store.listPings(UUID_A, 2)).map((p) => p.n),
            [5, 4],
          );
          assert.equal(await store.pingBody(UUID_A, 2), undefined);
          await store.prune({ keepPings: 1, before: 0 });
          assert.deepEqual(
            (await store.listPings(UUID_A, 10)).map((p) => p.n),
            [5],
          );
        },
        { keepPings: 3 },
      ));

    test("flipsSince: every check's flips from a time on, oldest first, with their uuid", () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        await store.insertCheck(record({ name: 'b', slug: 'b' }, UUID_B));
        const flip = (at: number, to: 'up' | 'down'): Flip => ({
          from: to === 'up' ? 'down' : 'up',
          to,
          at,
          reason: 'success',
        });
        await store.transition(UUID_A, () => ({ flip: flip(T0, 'down'), result: null }));
        await store.transition(UUID_B, () => ({ flip: flip(T0 + MIN, 'down'), result: null }));
        await store.transition(UUID_A, () => ({ flip: flip(T0 + 2 * MIN, 'up'), result: null }));
        assert.deepEqual(
          (await store.flipsSince(T0 + 1)).map((f) => [f.uuid, f.at, f.to]),
          [
            [UUID_B, T0 + MIN, 'down'],
            [UUID_A, T0 + 2 * MIN, 'up'],
          ],
        );
      }));

    test('sessions: shared by every handle on the database, gone when expired or deleted', async () => {
      const h = await factory();
      try {
        const a = await h.open();
        const b = await h.open();
        const s = { idHash: 'h1', user: 'admin', csrf: 'c1', createdAt: T0, expiresAt: T0 + HOUR };
        await a.insertSession(s);
        assert.deepEqual(await b.getSession('h1', T0 + MIN), s);
        assert.equal(await b.getSession('h1', T0 + HOUR), undefined, 'expired');
        assert.equal(await b.getSession('other', T0), undefined);
        await b.deleteSession('h1');
        assert.equal(await a.getSession('h1', T0 + MIN), undefined);
        // A new session drops the expired ones.
        await a.insertSession({ ...s, idHash: 'old', expiresAt: T0 + MIN });
        await a.insertSession({ ...s, idHash: 'new', createdAt: T0 + HOUR, expiresAt: T0 + 2 * HOUR });
        assert.equal(await a.getSession('old', 0), undefined);
        await a.close();
        await b.close();
      } finally {
        await h.cleanup();
      }
    });

    test('flips: newest first, filtered by [from, to); prune drops old ones', () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        const flips: Flip[] = [
          { from: 'new', to: 'up', at: T0, reason: 'success' },
          { from: 'up', to: 'down', at: T0 + HOUR, reason: 'timeout' },
          { from: 'down', to: 'up', at: T0 + 2 * HOUR, reason: 'success' },
        ];
        for (const flip of flips) await store.transition(UUID_A, () => ({ flip, result: null }));
        assert.deepEqual(
          (await store.listFlips(UUID_A, {})).map((f) => f.at),
          [T0 + 2 * HOUR, T0 + HOUR, T0],
        );
        assert.deepEqual(await store.listFlips(UUID_A, { from: T0 + 1, to: T0 + 2 * HOUR }), [
          { at: T0 + HOUR, from: 'up', to: 'down', reason: 'timeout' },
        ]);
        assert.deepEqual(await store.listFlips('missing', {}), []);
        await store.prune({ keepPings: 100, before: T0 + HOUR });
        assert.deepEqual(
          (await store.listFlips(UUID_A, {})).map((f) => f.at),
          [T0 + 2 * HOUR, T0 + HOUR],
        );
      }));

    test('outbox: due jobs are claimed once, a lapsed lease is reclaimed, outcomes are recorded', () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        await store.transition(UUID_A, (r) => ({
          jobs: [job(r.uuid, { channel: 'discord' }), job(r.uuid, { channel: 'email', dueAt: T0 + 2 * MIN })],
          result: null,
        }));
        assert.equal(await store.nextJobDue(), T0);
        const claimed = await store.claimJobs(T0, 10, MIN);
        assert.deepEqual(
          claimed.map((j) => [j.channel, j.status, j.tries]),
          [['discord', 'sending', 1]],
        );
        assert.deepEqual(await store.claimJobs(T0 + 1000, 10, MIN), []);
        // Due next: the email job at +2 min... or the discord lease lapsing at +1 min.
        assert.equal(await store.nextJobDue(), T0 + MIN);
        const reclaimed = await store.claimJobs(T0 + MIN, 10, MIN);
        assert.deepEqual(
          reclaimed.map((j) => [j.channel, j.tries]),
          [['discord', 2]],
        );
        const id = reclaimed[0]?.id as number;
        await store.finishJob(id, { at: T0 + MIN, ok: false, error: 'HTTP 503', retryAt: T0 + 3 * MIN });
        let jobs = await store.listJobs(UUID_A, 10);
        const discord = jobs.find((j) => j.channel === 'discord');
        assert.equal(discord?.status, 'pending');
        assert.equal(discord?.dueAt, T0 + 3 * MIN);
        assert.equal(discord?.lastError, 'HTTP 503');
        assert.equal(discord?.finishedAt, null);

        const next = await store.claimJobs(T0 + 3 * MIN, 10, MIN);
        assert.deepEqual(next.map((j) => [j.channel, j.tries]).sort(), [
          ['discord', 3],
          ['email', 1],
        ]);
        for (const j of next) await store.finishJob(j.id, { at: T0 + 3 * MIN, ok: true });
        jobs = await store.listJobs(UUID_A, 10);
        assert.deepEqual(
          jobs.map((j) => [j.channel, j.status, j.finishedAt]),
          [
            ['email', 'sent', T0 + 3 * MIN],
            ['discord', 'sent', T0 + 3 * MIN],
          ],
        );
        await store.prune({ keepPings: 100, before: 0 });
        assert.equal((await store.listJobs(UUID_A, 10)).length, 2);
        assert.equal(await store.nextJobDue(), undefined);
        // A finished job cannot be finished again.
        assert.deepEqual(await store.finishJob(id, { at: T0 + 4 * MIN, ok: false, error: 'late' }), {
          fallbackQueued: 0,
        });
        assert.equal((await store.listJobs(UUID_A, 10)).find((j) => j.id === id)?.status, 'sent');
        // Finished jobs older than `before` go (these were created at the wall-clock time).
        await store.prune({ keepPings: 100, before: Number.MAX_SAFE_INTEGER });
        assert.deepEqual(await store.listJobs(UUID_A, 10), []);
      }));

    test('outbox: when every job of a flip failed, the fallback channels are queued once', () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        await store.transition(UUID_A, (r) => ({
          jobs: ['discord', 'ntfy'].map((channel) => job(r.uuid, { channel, fallbackChannels: ['email'] })),
          result: null,
        }));
        const claimed = await store.claimJobs(T0, 10, MIN);
        assert.equal(claimed.length, 2);
        const [a, b] = claimed as unknown as [{ id: number }, { id: number }];
        assert.deepEqual(await store.finishJob(a.id, { at: T0 + 1, ok: false, error: 'down' }), {
          fallbackQueued: 0,
        });
        assert.deepEqual(await store.finishJob(b.id, { at: T0 + 2, ok: false, error: 'down' }), {
          fallbackQueued: 1,
        });
        const fallback = (await store.claimJobs(T0 + 2, 10, MIN))[0];
        assert.equal(fallback?.channel, 'email');
        assert.equal(fallback?.isFallback, true);
        assert.equal(fallback?.causedAt, T0);
        assert.deepEqual(
          await store.finishJob(fallback?.id as number, { at: T0 + 3, ok: false, error: 'x' }),
          {
            fallbackQueued: 0,
          },
        );
      }));

    test('channel outcomes: the newest per channel wins, from any handle; a late older one is ignored', async () => {
      const h = await factory();
      const a = await h.open();
      const b = await h.open();
      try {
        assert.deepEqual(await a.channelOutcomes(), []);
        await a.recordChannelOutcome({
          channel: 'phone',
          at: T0,
          ok: false,
          permanent: true,
          error: 'HTTP 401',
          fingerprint: 'f1',
        });
        await b.recordChannelOutcome({
          channel: 'mail',
          at: T0,
          ok: true,
          permanent: false,
          error: null,
          fingerprint: 'm',
        });
        await b.recordChannelOutcome({
          channel: 'phone',
          at: T0 + 2,
          ok: true,
          permanent: false,
          error: null,
          fingerprint: 'f2',
        });
        await a.recordChannelOutcome({
          channel: 'phone',
          at: T0 + 1,
          ok: false,
          permanent: true,
          error: 'late',
          fingerprint: 'f1',
        });
        assert.deepEqual(await a.channelOutcomes(), [
          { channel: 'mail', at: T0, ok: true, permanent: false, error: null, fingerprint: 'm' },
          { channel: 'phone', at: T0 + 2, ok: true, permanent: false, error: null, fingerprint: 'f2' },
        ]);
      } finally {
        await a.close();
        await b.close();
        await h.cleanup();
      }
    });

    test('jobs left mid-send are due again at once on a single-process store, never on a shared one', () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        await store.transition(UUID_A, (r) => ({ jobs: [job(r.uuid)], result: null }));
        assert.equal((await store.claimJobs(T0, 10, MIN)).length, 1);
        const requeued = await store.requeueClaimed(T0 + 1000);
        if (store.shared) {
          assert.equal(requeued, 0, 'another instance may hold the claim');
          assert.equal((await store.claimJobs(T0 + 1000, 10, MIN)).length, 0);
        } else {
          assert.equal(requeued, 1);
          const again = await store.claimJobs(T0 + 1000, 10, MIN);
          assert.deepEqual(
            again.map((j) => [j.status, j.tries]),
            [['sending', 2]],
          );
        }
      }));

    test('probe results: the last 1 000 are kept, hourly aggregates count, sum and take the max', () =>
      withStore(factory, async (store) => {
        await store.insertCheck(record({}, UUID_A));
        const total = PROBE_RESULTS_KEPT + 60;
        const hour0 = Math.floor(T0 / HOUR) * HOUR;
        for (let i = 1; i <= total; i++) {
          const at = hour0 + (i <= 1000 ? 0 : HOUR) + i;
          await store.transition(UUID_A, () => ({
            probeResult: { at, ok: i % 10 !== 0, latencyMs: i === 7 ? 900.5 : 10, message: `r${i}` },
            result: null,
          }));
        }
        const results = await store.listProbeResults(UUID_A, 5000);
        assert.equal(results.length, PROBE_RESULTS_KEPT);
        assert.deepEqual(results[0], {
          n: total,
          at: hour0 + HOUR + total,
          ok: false,
          latencyMs: 10,
          message: `r${total}`,
        });
        assert.equal(results.at(-1)?.n, total - PROBE_RESULTS_KEPT + 1);
        assert.deepEqual(
          (await store.listProbeResults(UUID_A, 2)).map((r) => r.n),
          [total, total - 1],
        );
        assert.deepEqual(await store.listProbeHours(UUID_A, {}), [
          { hour: hour0, probes: 1000, failures: 100, latencySumMs: 999 * 10 + 900.5, latencyMaxMs: 900.5 },
          { hour: hour0 + HOUR, probes: 60, failures: 6, latencySumMs: 600, latencyMaxMs: 10 },
        ]);
        assert.equal((await store.listProbeHours(UUID_A, { from: hour0 + 1 })).length, 1);
        assert.equal((await store.listProbeHours(UUID_A, { to: hour0 + 1 })).length, 1);
        await store.prune({ keepPings: 100, before: hour0 + 1 });
        assert.deepEqual(
          (await store.listProbeHours(UUID_A, {})).map((h) => h.hour),
          [hour0 + HOUR],
        );
      }));

    test('config sync creates, updates and removes managed checks; API keys and settings persist', () =>
      withStore(factory, async (store) => {
        const recompute = (_d: unknown, s: CheckState) => ({ ...s, alertAfter: T0 + 42 });
        const a = record({ name: 'a', slug: 'a' }).def;
        const b = record({ name: 'b', slug: 'b' }).def;
        const first = await store.syncManaged([{ def: a }, { uuid: UUID_B, def: b }], T0, recompute);
        assert.equal(first.created.length, 2);
        assert.ok(first.created.includes(UUID_B));
        const again = await store.syncManaged([{ def: a }, { uuid: UUID_B, def: b }], T0, recompute);
        assert.deepEqual(again, { created: [], updated: [], removed: [] });
        const changed = await store.syncManaged([{ def: { ...a, graceMs: 1 } }], T0, recompute);
        assert.deepEqual(changed, { created: [], updated: [first.created[0]], removed: [UUID_B] });
        const [only] = await store.listChecks();
        assert.equal(only?.managed, true);
        assert.equal(only?.def.graceMs, 1);
        assert.equal(only?.state.alertAfter, T0 + 42);

        await store.insertApiKey({ name: 'ci', hash: 'h1', readOnly: true }, T0);
        await store.insertApiKey({ name: 'admin', hash: 'h2', readOnly: false }, T0);
        assert.deepEqual(await store.listApiKeys(), [
          { name: 'ci', hash: 'h1', readOnly: true, source: 'database' },
          { name: 'admin', hash: 'h2', readOnly: false, source: 'database' },
        ]);
      }));

    test('two handles on one database: a deadline both hold flips once, each job is claimed once', async () => {
      const h = await factory();
      const a = await h.open();
      const b = await h.open();
      try {
        const uuids = Array.from(
          { length: 20 },
          (_, i) => `0b7e4b7c-1f7a-4c1e-8e9e-${String(i).padStart(12, '0')}`,
        );
        for (const uuid of uuids) {
          await a.insertCheck(record({}, uuid));
          await a.transition(uuid, (r) => ({ state: up(r, T0 + HOUR), result: null }));
        }
        const now = T0 + HOUR + 1;
        // Both instances wake for every deadline at once.
        const outcomes = await Promise.all(
          uuids.flatMap((uuid) => [a.transition(uuid, timeoutAt(now)), b.transition(uuid, timeoutAt(now))]),
        );
        assert.equal(outcomes.filter((o) => o?.result === true).length, uuids.length);
        for (const uuid of uuids) {
          assert.equal((await b.listFlips(uuid, {})).length, 1, uuid);
          assert.equal((await a.listJobs(uuid, 10)).length, 1, uuid);
        }
        // Both senders claim at once, a few at a time: every job is claimed by exactly one.
        const seen: number[] = [];
        for (;;) {
          const [x, y] = await Promise.all([a.claimJobs(now, 3, MIN), b.claimJobs(now, 3, MIN)]);
          if (x.length + y.length === 0) break;
          seen.push(...x.map((j) => j.id), ...y.map((j) => j.id));
        }
        assert.equal(seen.length, uuids.length);
        assert.equal(new Set(seen).size, uuids.length);
      } finally {
        await a.close();
        await b.close();
        await h.cleanup();
      }
    });
  });
}

test('SQLite: a database from before migration 5 upgrades in place and keeps its data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-upgrade-'));
  const file = join(dir, 'watch.db');
  try {
    const old = new Database(file);
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 2)) old.exec(m.sql);
    old.pragma('user_version = 2');
    old.prepare("INSERT INTO settings (key, value) VALUES ('ping_key', 'kept-across-upgrade')").run();
    old.close();
    const before = openSqliteStore(file);
    await before.close();
    const raw = new Database(file);
    assert.equal(raw.pragma('user_version', { simple: true }), LATEST_SCHEMA);
    raw.close();
    const store = openSqliteStore(file);
    try {
      await store.insertCheck(record({}, UUID_A));
      await store.recordChannelOutcome({
        channel: 'x',
        at: T0,
        ok: true,
        permanent: false,
        error: null,
        fingerprint: '',
      });
      assert.equal((await store.channelOutcomes()).length, 1);
      assert.equal((await store.getCheck(UUID_A))?.def.name, 'nightly-backup');
      assert.equal(await store.getSetting('ping_key'), 'kept-across-upgrade');
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
