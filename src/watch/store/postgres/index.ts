import pg from 'pg';
import { AppError } from '../../../lib/errors.js';
import { redactSecrets } from '../../../lib/redact.js';
import type {
  CheckDef,
  CheckRecord,
  CheckState,
  FlipReason,
  PingKind,
  PingRecord,
} from '../../checks/model.js';
import { initialState } from '../../checks/model.js';
import {
  CHECK_COLUMNS,
  type CheckRow,
  JOB_COLUMNS,
  type JobRow,
  minDefined,
  stateColumns,
  toCheckRecord,
  toJob,
} from '../rows.js';
import {
  type ApiKeyRow,
  type FlipRow,
  type JobOutcome,
  type JobStatus,
  type NewJob,
  type OutboxJob,
  PROBE_RESULTS_KEPT,
  type ProbeHourRow,
  type ProbeResultRow,
  type Store,
  type SyncResult,
  type TransitionWrite,
} from '../types.js';
import { BatchWrites, insertResult, text } from './batch-writes.js';
import { MIGRATIONS } from './migrations.js';

/**
 * The shared store: any number of `watch` instances on one PostgreSQL database. Transitions are
 * group-committed: a batch locks its checks' rows (`SELECT … ORDER BY uuid FOR UPDATE`) and lets
 * the pure `decide` of each transition, in arrival order, look at the state as committed by
 * whichever instance wrote last, so a deadline two instances both hold flips once. Outbox jobs
 * are claimed with a conditional `UPDATE … WHERE status = 'pending' … RETURNING` (plus
 * `FOR UPDATE SKIP LOCKED`), so each job is sent by one instance.
 */

export interface PostgresStoreOptions {
  /** Pings kept per check (default 100). */
  keepPings?: number;
  /** Use this schema (search_path) instead of the role's default: tests, or several deployments. */
  schema?: string;
  /** Connections in the pool (default 10). */
  maxConnections?: number;
  /** Idle connection errors (the pool reconnects; readiness shows the outage). */
  onError?: (err: Error) => void;
  /**
   * Group-commit batches in flight at once, each on its own connection (default 2). A further
   * batch starts only when the newest one has been running for a while (held up by a row lock
   * another instance holds, say): otherwise the queue waits for it and grows into a larger batch.
   */
  maxBatches?: number;
}

interface Pending {
  uuid: string;
  decide: (record: CheckRecord) => TransitionWrite<unknown>;
  resolve: (v: { record: CheckRecord; result: unknown } | undefined) => void;
  reject: (err: unknown) => void;
}

type Outcome =
  | { ok: true; value: { record: CheckRecord; result: unknown } | undefined }
  | { ok: false; err: unknown };

/** Transitions per batch at most (bounds the size of one transaction's statements). */
const MAX_BATCH = 256;
/** A batch running this long no longer holds the next one back (see maxBatches). */
const OVERLAP_AFTER_MS = 10;

type Client = pg.PoolClient;

/** /readyz answers within this even when the database hangs. */
const HEALTH_TIMEOUT_MS = 2000;
/** Advisory lock keys (arbitrary constants): schema migrations, and the sync of config checks. */
const MIGRATE_LOCK = 0x61_70_6d_31; // "apm1"
const SYNC_LOCK = 0x61_70_73_31; // "aps1"

/** BIGINT (epoch ms, ids, counts) as a JS number: every value alertpath stores is below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** Connects, applies the migrations, and answers the store; a clear one-line error otherwise. */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema))
    throw new AppError('AP_USAGE', `invalid PostgreSQL schema name "${options.schema}"`);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'alertpath-watch',
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  pool.on('error', options.onError ?? (() => {}));
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof AppError) throw err;
    throw new AppError(
      'AP_UNAVAILABLE',
      `cannot use the PostgreSQL database ${describeUrl(url)}: ${redactSecrets(oneLine(err))}`,
    );
  }
  return new PostgresStore(pool, options);
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly keepPings: number;
  private closed = false;
  /** close() was called: no new transitions, the queued ones are still committed. */
  private closing = false;
  private readonly defCache = new Map<string, CheckDef>();
  private readonly maxBatches: number;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** Batches between their first query and their callers' answers. */
  private readonly running = new Set<Promise<void>>();
  /** When the newest running batch started (performance.now()). */
  private newestStart = 0;
  private overlapTimer: NodeJS.Timeout | undefined;

  constructor(pool: pg.Pool, options: PostgresStoreOptions = {}) {
    this.pool = pool;
    this.keepPings = options.keepPings ?? 100;
    this.maxBatches = Math.max(1, options.maxBatches ?? 2);
  }

  async healthy(): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
      timer.unref();
    });
    const probe = this.pool.query('SELECT 1').then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // Queued transitions are still committed (and answered) before the pool goes away.
    while (this.queue.length > 0 || this.running.size > 0) {
      this.startBatches();
      await Promise.all(this.running);
    }
    clearTimeout(this.overlapTimer);
    this.closed = true;
    await this.pool.end();
  }

  async getSetting(key: string): Promise<string | undefined> {
    const r = await this.q<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return r[0]?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.q(
      'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  async listChecks(): Promise<CheckRecord[]> {
    const rows = await this.q<CheckRow>(`SELECT ${CHECK_COLUMNS} FROM checks ORDER BY id`);
    return rows.map((r) => this.toRecord(r));
  }

  async getCheck(uuid: string): Promise<CheckRecord | undefined> {
    const rows = await this.q<CheckRow>(`SELECT ${CHECK_COLUMNS} FROM checks WHERE uuid = $1`, [uuid]);
    return rows[0] ? this.toRecord(rows[0]) : undefined;
  }

  async checksBySlug(slug: string): Promise<CheckRecord[]> {
    const rows = await this.q<CheckRow>(`SELECT ${CHECK_COLUMNS} FROM checks WHERE slug = $1 ORDER BY id`, [
      slug,
    ]);
    return rows.map((r) => this.toRecord(r));
  }

  async insertCheck(record: CheckRecord): Promise<void> {
    await insertCheckRow(this.pool, record);
  }

  async updateDefinition(
    uuid: string,
    update: (record: CheckRecord) => { def: CheckDef; state: CheckState } | undefined,
  ): Promise<CheckRecord | undefined> {
    return this.tx(async (c) => {
      const row = await lockCheck(c, uuid);
      if (!row) return undefined;
      const current = this.toRecord(row);
      const next = update(current);
      if (!next) return current;
      await c.query('UPDATE checks SET name = $1, slug = $2, def = $3, alert_after = $4 WHERE id = $5', [
        next.def.name,
        next.def.slug,
        JSON.stringify(next.def),
        next.state.alertAfter,
        row.id,
      ]);
      return { ...current, def: next.def, state: { ...current.state, alertAfter: next.state.alertAfter } };
    });
  }

  async deleteCheck(uuid: string): Promise<boolean> {
    this.assertOpen();
    const r = await this.pool.query('DELETE FROM checks WHERE uuid = $1', [uuid]);
    return (r.rowCount ?? 0) > 0;
  }

  async syncManaged(
    defs: Array<{ uuid?: string; def: CheckDef }>,
    now: number,
    recompute: (def: CheckDef, state: CheckState) => CheckState,
  ): Promise<SyncResult> {
    const result: SyncResult = { created: [], updated: [], removed: [] };
    await this.tx(async (c) => {
      // Instances starting together with one config must not each create the same checks.
      await c.query('SELECT pg_advisory_xact_lock($1)', [SYNC_LOCK]);
      // Locked in uuid order, as group-commit batches lock theirs, so the two cannot deadlock.
      const rows = (
        await c.query<CheckRow>(`SELECT ${CHECK_COLUMNS} FROM checks ORDER BY uuid FOR UPDATE`)
      ).rows.sort((x, y) => x.id - y.id);
      const existing = rows.map((r) => ({ row: r, rec: this.toRecord(r) }));
      const managedByName = new Map(existing.filter((e) => e.rec.managed).map((e) => [e.rec.def.name, e]));
      const byUuid = new Map(existing.map((e) => [e.rec.uuid, e]));
      const keep = new Set<string>();
      for (const { uuid, def } of defs) {
        const found = (uuid ? byUuid.get(uuid) : undefined) ?? managedByName.get(def.name);
        if (found && (found.rec.managed || found.rec.uuid === uuid)) {
          keep.add(found.rec.uuid);
          const defText = JSON.stringify(def);
          if (defText !== found.row.def || !found.rec.managed) {
            const state = recompute(def, found.rec.state);
            await c.query(
              'UPDATE checks SET managed = TRUE, name = $1, slug = $2, def = $3, alert_after = $4 WHERE id = $5',
              [def.name, def.slug, defText, state.alertAfter, found.row.id],
            );
            result.updated.push(found.rec.uuid);
          }
          continue;
        }
        const newUuid = uuid ?? crypto.randomUUID();
        await insertCheckRow(c, { uuid: newUuid, managed: true, createdAt: now, def, state: initialState() });
        keep.add(newUuid);
        result.created.push(newUuid);
      }
      for (const e of existing) {
        if (e.rec.managed && !keep.has(e.rec.uuid)) {
          await c.query('DELETE FROM checks WHERE id = $1', [e.row.id]);
          result.removed.push(e.rec.uuid);
        }
      }
    });
    return result;
  }

  /**
   * Group commit: transitions queue up and everything queued is committed in one transaction, as
   * soon as no batch is committing (or the one committing has taken over 10 ms, up to
   * `maxBatches` at once on different connections); meanwhile the queue grows into the next
   * batch. Each caller is answered after the commit of its batch.
   */
  transition<T>(
    uuid: string,
    decide: (record: CheckRecord) => TransitionWrite<T>,
  ): Promise<{ record: CheckRecord; result: T } | undefined> {
    if (this.closing) return Promise.reject(new AppError('AP_UNAVAILABLE', 'the store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ uuid, decide, resolve: resolve as Pending['resolve'], reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.queue.length > 0 && this.running.size < this.maxBatches) {
      if (this.running.size > 0 && !this.closing) {
        const wait = this.newestStart + OVERLAP_AFTER_MS - performance.now();
        if (wait > 0) {
          this.overlapTimer ??= setTimeout(() => {
            this.overlapTimer = undefined;
            this.startBatches();
          }, Math.ceil(wait));
          return;
        }
      }
      const batch = this.queue.splice(0, MAX_BATCH);
      this.newestStart = performance.now();
      const run: Promise<void> = this.commitBatch(batch).finally(() => {
        this.running.delete(run);
        if (this.queue.length > 0 && !this.closing) this.scheduleFlush();
      });
      this.running.add(run);
    }
  }

  /** Commits one batch and answers its callers; never rejects. */
  private async commitBatch(batch: Pending[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.applyBatch(batch);
    } catch {
      await this.retryAlone(batch);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (!o) p.reject(new Error('transition lost'));
      else if (o.ok) p.resolve(o.value);
      else p.reject(o.err);
    });
  }

  /**
   * One transaction for the whole batch: lock every row it touches in uuid order (so concurrent
   * batches, here or on another instance, cannot deadlock), apply each transition in arrival
   * order against the locked state, write everything with one statement per kind, commit once.
   */
  private async applyBatch(batch: Pending[]): Promise<Outcome[]> {
    this.assertOpen();
    return inTransaction(this.pool, async (c) => {
      const uuids = [...new Set(batch.map((p) => p.uuid))];
      // BEGIN and the lock in one round trip (a simple query: the uuids as escaped literals).
      const results = (await c.query(
        `BEGIN; SELECT ${CHECK_COLUMNS} FROM checks WHERE uuid IN (${uuids.map(text).join(', ')})
         ORDER BY uuid FOR UPDATE`,
      )) as unknown as pg.QueryResult<CheckRow>[];
      const current = new Map<string, { id: number; record: CheckRecord }>();
      for (const row of results[1]?.rows ?? [])
        current.set(row.uuid, { id: row.id, record: this.toRecord(row) });
      const writes = new BatchWrites(this.keepPings);
      const outcomes = batch.map((p): Outcome => {
        const held = current.get(p.uuid);
        if (!held) return { ok: true, value: undefined };
        const record = held.record;
        let write: TransitionWrite<unknown>;
        try {
          write = p.decide(record);
        } catch (err) {
          return { ok: false, err };
        }
        const state = write.state ?? record.state;
        if (write.state) writes.state(held.id, state);
        if (write.ping) writes.ping(held.id, state.nPings, write.ping);
        if (write.probeResult) writes.probeResult(held.id, write.probeResult);
        if (write.flip) writes.flip(held.id, write.flip);
        const now = write.flip?.at ?? write.ping?.at ?? Date.now();
        for (const job of write.jobs ?? []) writes.job(record.uuid, job, now);
        const next = { ...record, state };
        held.record = next;
        return { ok: true, value: { record: next, result: write.result } };
      });
      await writes.writeAndCommit(c);
      return outcomes;
    });
  }

  /**
   * The batch's transaction failed (one bad transition, a deadlock with another instance, a lost
   * connection): each transition is tried again in its own transaction, so one bad transition
   * fails alone. Transitions of one check stay in arrival order; different checks go in parallel.
   */
  private async retryAlone(batch: Pending[]): Promise<void> {
    const byCheck = new Map<string, Pending[]>();
    for (const p of batch) {
      const list = byCheck.get(p.uuid);
      if (list) list.push(p);
      else byCheck.set(p.uuid, [p]);
    }
    await Promise.all(
      [...byCheck.values()].map(async (list) => {
        for (const p of list) {
          try {
            p.resolve(await this.transitionAlone(p.uuid, p.decide));
          } catch (err) {
            p.reject(err);
          }
        }
      }),
    );
  }

  /** Alone in its own transaction: the fallback when the batch that carried it failed. */
  private async transitionAlone<T>(
    uuid: string,
    decide: (record: CheckRecord) => TransitionWrite<T>,
  ): Promise<{ record: CheckRecord; result: T } | undefined> {
    return this.tx(async (c) => {
      // The row lock serialises transitions of one check across instances; `decide` sees the
      // state the previous holder committed (a deadline already handled elsewhere is a no-op).
      const row = await lockCheck(c, uuid);
      if (!row) return undefined;
      const record = this.toRecord(row);
      const write = decide(record);
      const state = write.state ?? record.state;
      if (write.state) {
        const s = stateColumns(state);
        await c.query(
          `UPDATE checks SET status = $1, last_ping = $2, last_start = $3, last_start_rid = $4,
             last_duration = $5, n_pings = $6, alert_after = $7, down_since = $8, next_reminder = $9,
             probe_streak = $10
           WHERE id = $11`,
          [
            s.status,
            s.last_ping,
            s.last_start,
            s.last_start_rid,
            s.last_duration,
            s.n_pings,
            s.alert_after,
            s.down_since,
            s.next_reminder,
            s.probe_streak,
            row.id,
          ],
        );
      }
      if (write.ping) {
        const g = write.ping;
        const n = state.nPings;
        await c.query(
          `INSERT INTO pings (check_id, n, kind, at, method, rid, exit_status, duration, remote_addr, user_agent, scheme, body)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            row.id,
            n,
            g.kind,
            g.at,
            g.method,
            g.rid,
            g.exitStatus,
            g.duration,
            g.remoteAddr,
            g.userAgent,
            g.scheme,
            g.body,
          ],
        );
        if (n > this.keepPings)
          await c.query('DELETE FROM pings WHERE check_id = $1 AND n = $2', [row.id, n - this.keepPings]);
      }
      if (write.probeResult) await insertResult(c, row.id, write.probeResult);
      if (write.flip)
        await c.query(
          'INSERT INTO flips (check_id, at, from_status, to_status, reason) VALUES ($1, $2, $3, $4, $5)',
          [row.id, write.flip.at, write.flip.from, write.flip.to, write.flip.reason],
        );
      const now = write.flip?.at ?? write.ping?.at ?? Date.now();
      for (const job of write.jobs ?? []) await insertJob(c, record.uuid, job, now);
      return { record: { ...record, state }, result: write.result };
    });
  }

  async wakeTimes(): Promise<Array<{ uuid: string; at: number }>> {
    // Only the times the engine acts on (its `wakeTime`): a deadline while up or new, a reminder
    // while down. Other instances re-read these periodically, so stale ones would cost a no-op
    // transition each time.
    const rows = await this.q<{ uuid: string; alert_after: number | null; next_reminder: number | null }>(
      `SELECT uuid,
         CASE WHEN status IN ('up', 'new') THEN alert_after END AS alert_after,
         CASE WHEN status = 'down' THEN next_reminder END AS next_reminder
       FROM checks
       WHERE (status IN ('up', 'new') AND alert_after IS NOT NULL)
          OR (status = 'down' AND next_reminder IS NOT NULL)`,
    );
    const out: Array<{ uuid: string; at: number }> = [];
    for (const r of rows) {
      const at = minDefined(r.alert_after, r.next_reminder);
      if (at !== null) out.push({ uuid: r.uuid, at });
    }
    return out;
  }

  async listPings(uuid: string, limit: number): Promise<PingRecord[]> {
    const rows = await this.q<{
      n: number;
      kind: PingKind;
      at: number;
      method: string;
      rid: string | null;
      exit_status: number | null;
      duration: number | null;
      remote_addr: string;
      user_agent: string;
      scheme: string;
      body: string | null;
    }>(
      `SELECT n, kind, at, method, rid, exit_status, duration, remote_addr, user_agent, scheme, body FROM pings
       WHERE check_id = (SELECT id FROM checks WHERE uuid = $1) ORDER BY n DESC LIMIT $2`,
      [uuid, limit],
    );
    return rows.map((r) => ({
      n: r.n,
      kind: r.kind,
      at: r.at,
      method: r.method,
      rid: r.rid,
      exitStatus: r.exit_status,
      duration: r.duration,
      remoteAddr: r.remote_addr,
      userAgent: r.user_agent,
      scheme: r.scheme,
      body: r.body,
    }));
  }

  async pingBody(uuid: string, n: number): Promise<string | undefined> {
    const rows = await this.q<{ body: string | null }>(
      'SELECT body FROM pings WHERE check_id = (SELECT id FROM checks WHERE uuid = $1) AND n = $2',
      [uuid, n],
    );
    return rows[0]?.body ?? undefined;
  }

  async listFlips(uuid: string, range: { from?: number; to?: number }): Promise<FlipRow[]> {
    const rows = await this.q<{ at: number; from_status: string; to_status: string; reason: string }>(
      `SELECT at, from_status, to_status, reason FROM flips
       WHERE check_id = (SELECT id FROM checks WHERE uuid = $1) AND at >= $2 AND at < $3 ORDER BY id DESC`,
      [uuid, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER],
    );
    return rows.map((r) => ({
      at: r.at,
      from: r.from_status,
      to: r.to_status,
      reason: r.reason as FlipReason,
    }));
  }

  async listProbeResults(uuid: string, limit: number): Promise<ProbeResultRow[]> {
    const rows = await this.q<{ n: number; at: number; ok: boolean; latency_ms: number; message: string }>(
      `SELECT n, at, ok, latency_ms, message FROM probe_results
       WHERE check_id = (SELECT id FROM checks WHERE uuid = $1) ORDER BY n DESC LIMIT $2`,
      [uuid, Math.min(limit, PROBE_RESULTS_KEPT)],
    );
    return rows.map((r) => ({ n: r.n, at: r.at, ok: r.ok, latencyMs: r.latency_ms, message: r.message }));
  }

  async listProbeHours(uuid: string, range: { from?: number; to?: number }): Promise<ProbeHourRow[]> {
    const rows = await this.q<{
      hour: number;
      probes: number;
      failures: number;
      latency_sum: number;
      latency_max: number;
    }>(
      `SELECT hour, probes, failures, latency_sum, latency_max FROM probe_hourly
       WHERE check_id = (SELECT id FROM checks WHERE uuid = $1) AND hour >= $2 AND hour < $3 ORDER BY hour`,
      [uuid, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER],
    );
    return rows.map((r) => ({
      hour: r.hour,
      probes: r.probes,
      failures: r.failures,
      latencySumMs: r.latency_sum,
      latencyMaxMs: r.latency_max,
    }));
  }

  async claimJobs(now: number, limit: number, leaseMs: number): Promise<OutboxJob[]> {
    // SKIP LOCKED: concurrent claimers take different rows; the repeated outer condition is
    // re-checked on the latest row version, so a row claimed meanwhile is never claimed twice.
    const rows = await this.q<JobRow>(
      `UPDATE outbox SET status = 'sending', tries = tries + 1, claimed_until = $1
       WHERE id IN (SELECT id FROM outbox
                    WHERE (status = 'pending' AND due_at <= $2) OR (status = 'sending' AND claimed_until <= $2)
                    ORDER BY due_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
         AND ((status = 'pending' AND due_at <= $2) OR (status = 'sending' AND claimed_until <= $2))
       RETURNING ${JOB_COLUMNS}`,
      [now + leaseMs, now, limit],
    );
    return rows.map(toJob).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }

  async finishJob(id: number, outcome: JobOutcome): Promise<{ fallbackQueued: number }> {
    return this.tx(async (c) => {
      const status: JobStatus = outcome.ok ? 'sent' : outcome.retryAt !== undefined ? 'pending' : 'failed';
      const found = await c.query<{ grp: string }>('SELECT grp FROM outbox WHERE id = $1', [id]);
      const grp = found.rows[0]?.grp;
      if (grp === undefined) return { fallbackQueued: 0 };
      // Lock the whole group (in id order, so two finishers cannot deadlock): the last job of a
      // group to fail, whichever instance sent it, sees the others' outcomes and queues the fallback.
      await c.query('SELECT id FROM outbox WHERE grp = $1 ORDER BY id FOR UPDATE', [grp]);
      const current = await c.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM outbox WHERE id = $1`, [id]);
      const row = current.rows[0];
      if (!row) return { fallbackQueued: 0 };
      const changed = await c.query(
        `UPDATE outbox SET status = $1, finished_at = $2, last_error = $3, due_at = $4, claimed_until = NULL
         WHERE id = $5 AND status = 'sending'`,
        [
          status,
          status === 'pending' ? null : outcome.at,
          outcome.error ?? null,
          outcome.retryAt ?? row.due_at,
          id,
        ],
      );
      if ((changed.rowCount ?? 0) === 0 || status !== 'failed' || row.is_fallback)
        return { fallbackQueued: 0 };
      const fallback = JSON.parse(row.fallback) as string[];
      if (fallback.length === 0) return { fallbackQueued: 0 };
      const open = await c.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM outbox WHERE grp = $1 AND NOT is_fallback AND status <> 'failed'`,
        [row.grp],
      );
      if ((open.rows[0]?.n ?? 0) > 0) return { fallbackQueued: 0 };
      const has = await c.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM outbox WHERE grp = $1 AND is_fallback',
        [row.grp],
      );
      if ((has.rows[0]?.n ?? 0) > 0) return { fallbackQueued: 0 };
      for (const channel of fallback)
        await c.query(
          `INSERT INTO outbox (grp, check_uuid, channel, event, is_fallback, fallback, payload, status, tries, due_at,
             caused_at, created_at)
           VALUES ($1, $2, $3, $4, TRUE, '[]', $5, 'pending', 0, $6, $7, $8)`,
          [row.grp, row.check_uuid, channel, row.event, row.payload, outcome.at, row.caused_at, outcome.at],
        );
      return { fallbackQueued: fallback.length };
    });
  }

  async nextJobDue(): Promise<number | undefined> {
    const rows = await this.q<{ due: number | null }>(
      `SELECT MIN(CASE WHEN status = 'pending' THEN due_at ELSE claimed_until END) AS due FROM outbox
       WHERE status IN ('pending', 'sending')`,
    );
    return rows[0]?.due ?? undefined;
  }

  async listJobs(uuid: string, limit: number): Promise<OutboxJob[]> {
    const rows = await this.q<JobRow>(
      `SELECT ${JOB_COLUMNS} FROM outbox WHERE check_uuid = $1 ORDER BY id DESC LIMIT $2`,
      [uuid, limit],
    );
    return rows.map(toJob);
  }

  async listApiKeys(): Promise<ApiKeyRow[]> {
    const rows = await this.q<{ name: string; hash: string; read_only: boolean }>(
      'SELECT name, hash, read_only FROM api_keys ORDER BY id',
    );
    return rows.map((r) => ({
      name: r.name,
      hash: r.hash,
      readOnly: r.read_only,
      source: 'database' as const,
    }));
  }

  async insertApiKey(key: Omit<ApiKeyRow, 'source'>, now: number): Promise<void> {
    await this.q('INSERT INTO api_keys (name, hash, read_only, created_at) VALUES ($1, $2, $3, $4)', [
      key.name,
      key.hash,
      key.readOnly,
      now,
    ]);
  }

  async prune(opts: { keepPings: number; before: number }): Promise<void> {
    await this.tx(async (c) => {
      await c.query(`DELETE FROM pings p USING checks c WHERE c.id = p.check_id AND p.n <= c.n_pings - $1`, [
        opts.keepPings,
      ]);
      await c.query('DELETE FROM flips WHERE at < $1', [opts.before]);
      await c.query('DELETE FROM probe_hourly WHERE hour < $1', [opts.before]);
      await c.query(
        `DELETE FROM probe_results r USING checks c WHERE c.id = r.check_id AND r.n <= c.n_results - $1`,
        [PROBE_RESULTS_KEPT],
      );
      await c.query(`DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < $1`, [
        opts.before,
      ]);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('AP_UNAVAILABLE', 'the store is closed');
  }

  private async q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    this.assertOpen();
    return (await this.pool.query<R>(text, values)).rows;
  }

  /** One transaction on one pooled connection; rolled back when `fn` throws. */
  private async tx<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    this.assertOpen();
    return inTransaction(this.pool, async (c) => {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    });
  }

  private toRecord(row: CheckRow): CheckRecord {
    return toCheckRecord(row, this.defCache);
  }
}

async function lockCheck(c: Client, uuid: string): Promise<CheckRow | undefined> {
  const r = await c.query<CheckRow>(`SELECT ${CHECK_COLUMNS} FROM checks WHERE uuid = $1 FOR UPDATE`, [uuid]);
  return r.rows[0];
}

async function insertCheckRow(c: pg.Pool | Client, record: CheckRecord): Promise<void> {
  const s = stateColumns(record.state);
  await c.query(
    `INSERT INTO checks (uuid, managed, name, slug, def, created_at, status, last_ping, last_start, last_start_rid,
       last_duration, n_pings, alert_after, down_since, next_reminder, probe_streak)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    [
      record.uuid,
      record.managed,
      record.def.name,
      record.def.slug,
      JSON.stringify(record.def),
      record.createdAt,
      s.status,
      s.last_ping,
      s.last_start,
      s.last_start_rid,
      s.last_duration,
      s.n_pings,
      s.alert_after,
      s.down_since,
      s.next_reminder,
      s.probe_streak,
    ],
  );
}

async function insertJob(c: Client, checkUuid: string, job: NewJob, now: number): Promise<void> {
  await c.query(
    `INSERT INTO outbox (grp, check_uuid, channel, event, is_fallback, fallback, payload, status, tries, due_at,
       caused_at, created_at)
     VALUES ($1, $2, $3, $4, FALSE, $5, $6, 'pending', 0, $7, $8, $9)`,
    [
      job.group,
      checkUuid,
      job.channel,
      job.event,
      JSON.stringify(job.fallbackChannels),
      JSON.stringify(job.notification),
      job.dueAt,
      job.causedAt,
      now,
    ],
  );
}

/**
 * Applies the missing migrations under an advisory lock, so instances starting together on an
 * empty database migrate it once.
 */
async function migrate(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    await c.query(
      'CREATE TABLE IF NOT EXISTS alertpath_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
    );
    const r = await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM alertpath_migrations');
    const current = r.rows[0]?.v ?? 0;
    const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
    if (current > latest)
      throw new AppError(
        'AP_UNAVAILABLE',
        `the database was written by a newer alertpath (schema ${current}, this one knows ${latest})`,
      );
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO alertpath_migrations (version, applied_at) VALUES ($1, $2)', [
        m.version,
        Date.now(),
      ]);
    }
    await c.query('COMMIT');
  });
}

/**
 * Runs `fn` on one pooled connection; `fn` opens the transaction (BEGIN) and commits it. When `fn`
 * throws, the transaction is rolled back. A connection lost meanwhile is released as broken, and
 * its error event does not crash the process (the pool only listens on idle clients).
 */
async function inTransaction<T>(pool: pg.Pool, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  c.on('error', onError);
  try {
    return await fn(c);
  } catch (err) {
    try {
      await c.query('ROLLBACK');
    } catch (rollbackErr) {
      broken = rollbackErr as Error;
    }
    throw err;
  } finally {
    c.off('error', onError);
    c.release(broken);
  }
}

/** host:port/database of a URL, never its userinfo. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return redactSecrets(url).replace(/\/\/[^@/]*@/, '//***@');
  }
}

function oneLine(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const text = (e?.message || e?.code || String(err)).split('\n')[0] ?? '';
  return text.trim();
}
