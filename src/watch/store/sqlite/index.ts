import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../../lib/errors.js';
import type {
  CheckDef,
  CheckRecord,
  CheckState,
  FlipReason,
  PingKind,
  PingRecord,
  ProbeResult,
} from '../../checks/model.js';
import { initialState } from '../../checks/model.js';
import {
  CHECK_COLUMNS,
  type CheckRow,
  HOUR_MS,
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
import { MIGRATIONS } from './migrations.js';

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous = FULL`, so a commit is on
 * disk before it returns. Transitions (pings, deadlines, pauses) queue up and are committed
 * together once per turn of the event loop (group commit): one fsync for every ping that arrived
 * meanwhile, and each caller is answered only after that commit.
 */

export interface SqliteStoreOptions {
  /** Pings kept per check (default 100). */
  keepPings?: number;
}

interface Pending {
  uuid: string;
  decide: (record: CheckRecord) => TransitionWrite<unknown>;
  resolve: (v: { record: CheckRecord; result: unknown } | undefined) => void;
  reject: (err: unknown) => void;
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (err) {
    throw new AppError(
      'AP_UNAVAILABLE',
      `cannot open the SQLite database ${file}: ${(err as Error).message}`,
    );
  }
  return new SqliteStore(db, options);
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly keepPings: number;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly s;
  private readonly defCache = new Map<string, CheckDef>();

  constructor(db: Database.Database, options: SqliteStoreOptions = {}) {
    this.db = db;
    this.keepPings = options.keepPings ?? 100;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    this.s = {
      getCheck: db.prepare<[string], CheckRow>(`SELECT ${CHECK_COLUMNS} FROM checks WHERE uuid = ?`),
      allChecks: db.prepare<[], CheckRow>(`SELECT ${CHECK_COLUMNS} FROM checks ORDER BY id`),
      bySlug: db.prepare<[string], CheckRow>(
        `SELECT ${CHECK_COLUMNS} FROM checks WHERE slug = ? ORDER BY id`,
      ),
      insertCheck: db.prepare(
        `INSERT INTO checks (uuid, managed, name, slug, def, created_at, status, last_ping, last_start, last_start_rid,
           last_duration, n_pings, alert_after, down_since, next_reminder, probe_streak)
         VALUES (@uuid, @managed, @name, @slug, @def, @created_at, @status, @last_ping, @last_start, @last_start_rid,
           @last_duration, @n_pings, @alert_after, @down_since, @next_reminder, @probe_streak)`,
      ),
      updateDef: db.prepare('UPDATE checks SET name = ?, slug = ?, def = ?, alert_after = ? WHERE id = ?'),
      updateState: db.prepare(
        `UPDATE checks SET status = @status, last_ping = @last_ping, last_start = @last_start,
           last_start_rid = @last_start_rid, last_duration = @last_duration, n_pings = @n_pings,
           alert_after = @alert_after, down_since = @down_since, next_reminder = @next_reminder,
           probe_streak = @probe_streak
         WHERE id = @id`,
      ),
      nextResult: db.prepare<[number], { n_results: number }>(
        'UPDATE checks SET n_results = n_results + 1 WHERE id = ? RETURNING n_results',
      ),
      insertResult: db.prepare(
        'INSERT INTO probe_results (check_id, n, at, ok, latency_ms, message) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      dropResults: db.prepare('DELETE FROM probe_results WHERE check_id = ? AND n <= ?'),
      addHour: db.prepare(
        `INSERT INTO probe_hourly (check_id, hour, probes, failures, latency_sum, latency_max)
         VALUES (@check_id, @hour, 1, @failed, @latency, @latency)
         ON CONFLICT (check_id, hour) DO UPDATE SET
           probes = probes + 1,
           failures = failures + excluded.failures,
           latency_sum = latency_sum + excluded.latency_sum,
           latency_max = MAX(latency_max, excluded.latency_max)`,
      ),
      listResults: db.prepare<
        [string, number],
        { n: number; at: number; ok: number; latency_ms: number; message: string }
      >(
        `SELECT n, at, ok, latency_ms, message FROM probe_results
         WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) ORDER BY n DESC LIMIT ?`,
      ),
      listHours: db.prepare<
        [string, number, number],
        { hour: number; probes: number; failures: number; latency_sum: number; latency_max: number }
      >(
        `SELECT hour, probes, failures, latency_sum, latency_max FROM probe_hourly
         WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) AND hour >= ? AND hour < ? ORDER BY hour`,
      ),
      deleteCheck: db.prepare('DELETE FROM checks WHERE uuid = ?'),
      insertPing: db.prepare(
        `INSERT INTO pings (check_id, n, kind, at, method, rid, exit_status, duration, remote_addr, user_agent, scheme, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      dropPing: db.prepare('DELETE FROM pings WHERE check_id = ? AND n = ?'),
      insertFlip: db.prepare(
        'INSERT INTO flips (check_id, at, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?)',
      ),
      insertJob: db.prepare(
        `INSERT INTO outbox (grp, check_uuid, channel, event, is_fallback, fallback, payload, status, tries, due_at,
           caused_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
      ),
      getSetting: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      wakeTimes: db.prepare<[], { uuid: string; alert_after: number | null; next_reminder: number | null }>(
        `SELECT uuid, alert_after, next_reminder FROM checks
         WHERE alert_after IS NOT NULL OR next_reminder IS NOT NULL`,
      ),
      listPings: db.prepare(
        `SELECT n, kind, at, method, rid, exit_status, duration, remote_addr, user_agent, scheme, body FROM pings
         WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) ORDER BY n DESC LIMIT ?`,
      ),
      pingBody: db.prepare<[string, number], { body: string | null }>(
        'SELECT body FROM pings WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) AND n = ?',
      ),
      listFlips: db.prepare<
        [string, number, number],
        { at: number; from_status: string; to_status: string; reason: string }
      >(
        `SELECT at, from_status, to_status, reason FROM flips
         WHERE check_id = (SELECT id FROM checks WHERE uuid = ?) AND at >= ? AND at < ? ORDER BY id DESC`,
      ),
      claim: db.prepare<[number, number, number, number], JobRow>(
        `UPDATE outbox SET status = 'sending', tries = tries + 1, claimed_until = ?
         WHERE id IN (SELECT id FROM outbox
                      WHERE (status = 'pending' AND due_at <= ?) OR (status = 'sending' AND claimed_until <= ?)
                      ORDER BY due_at LIMIT ?)
           AND status IN ('pending', 'sending')
         RETURNING *`,
      ),
      getJob: db.prepare<[number], JobRow>('SELECT * FROM outbox WHERE id = ?'),
      finishJob: db.prepare(
        `UPDATE outbox SET status = ?, finished_at = ?, last_error = ?, due_at = ?, claimed_until = NULL
         WHERE id = ? AND status = 'sending'`,
      ),
      groupOpen: db.prepare<[string], { n: number }>(
        `SELECT COUNT(*) AS n FROM outbox WHERE grp = ? AND is_fallback = 0 AND status <> 'failed'`,
      ),
      groupHasFallback: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM outbox WHERE grp = ? AND is_fallback = 1',
      ),
      insertFallback: db.prepare(
        `INSERT INTO outbox (grp, check_uuid, channel, event, is_fallback, fallback, payload, status, tries, due_at,
           caused_at, created_at)
         VALUES (?, ?, ?, ?, 1, '[]', ?, 'pending', 0, ?, ?, ?)`,
      ),
      nextDue: db.prepare<[], { due: number | null }>(
        `SELECT MIN(CASE WHEN status = 'pending' THEN due_at ELSE claimed_until END) AS due FROM outbox
         WHERE status IN ('pending', 'sending')`,
      ),
      listJobs: db.prepare<[string, number], JobRow>(
        'SELECT * FROM outbox WHERE check_uuid = ? ORDER BY id DESC LIMIT ?',
      ),
      listKeys: db.prepare<[], { name: string; hash: string; read_only: number }>(
        'SELECT name, hash, read_only FROM api_keys ORDER BY id',
      ),
      insertKey: db.prepare('INSERT INTO api_keys (name, hash, read_only, created_at) VALUES (?, ?, ?, ?)'),
    };
  }

  async healthy(): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush();
    this.closed = true;
    this.db.close();
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.s.getSetting.get(key)?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.s.setSetting.run(key, value);
  }

  async listChecks(): Promise<CheckRecord[]> {
    return this.s.allChecks.all().map((r) => this.toRecord(r));
  }

  async getCheck(uuid: string): Promise<CheckRecord | undefined> {
    const row = this.s.getCheck.get(uuid);
    return row ? this.toRecord(row) : undefined;
  }

  async checksBySlug(slug: string): Promise<CheckRecord[]> {
    return this.s.bySlug.all(slug).map((r) => this.toRecord(r));
  }

  async insertCheck(record: CheckRecord): Promise<void> {
    this.insertCheckSync(record);
  }

  private insertCheckSync(record: CheckRecord): void {
    this.s.insertCheck.run({
      uuid: record.uuid,
      managed: record.managed ? 1 : 0,
      name: record.def.name,
      slug: record.def.slug,
      def: JSON.stringify(record.def),
      created_at: record.createdAt,
      ...stateColumns(record.state),
    });
  }

  async updateDefinition(
    uuid: string,
    update: (record: CheckRecord) => { def: CheckDef; state: CheckState } | undefined,
  ): Promise<CheckRecord | undefined> {
    return this.db.transaction(() => {
      const row = this.s.getCheck.get(uuid);
      if (!row) return undefined;
      const current = this.toRecord(row);
      const next = update(current);
      if (!next) return current;
      this.s.updateDef.run(
        next.def.name,
        next.def.slug,
        JSON.stringify(next.def),
        next.state.alertAfter,
        row.id,
      );
      return { ...current, def: next.def, state: { ...current.state, alertAfter: next.state.alertAfter } };
    })();
  }

  async deleteCheck(uuid: string): Promise<boolean> {
    return this.s.deleteCheck.run(uuid).changes > 0;
  }

  async syncManaged(
    defs: Array<{ uuid?: string; def: CheckDef }>,
    now: number,
    recompute: (def: CheckDef, state: CheckState) => CheckState,
  ): Promise<SyncResult> {
    const result: SyncResult = { created: [], updated: [], removed: [] };
    this.db.transaction(() => {
      const existing = this.s.allChecks.all().map((r) => ({ row: r, rec: this.toRecord(r) }));
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
            this.db
              .prepare(
                'UPDATE checks SET managed = 1, name = ?, slug = ?, def = ?, alert_after = ? WHERE id = ?',
              )
              .run(def.name, def.slug, defText, state.alertAfter, found.row.id);
            result.updated.push(found.rec.uuid);
          }
          continue;
        }
        const newUuid = uuid ?? crypto.randomUUID();
        this.insertCheckSync({ uuid: newUuid, managed: true, createdAt: now, def, state: initialState() });
        keep.add(newUuid);
        result.created.push(newUuid);
      }
      for (const e of existing) {
        if (e.rec.managed && !keep.has(e.rec.uuid)) {
          this.s.deleteCheck.run(e.rec.uuid);
          result.removed.push(e.rec.uuid);
        }
      }
    })();
    return result;
  }

  transition<T>(
    uuid: string,
    decide: (record: CheckRecord) => TransitionWrite<T>,
  ): Promise<{ record: CheckRecord; result: T } | undefined> {
    if (this.closed) return Promise.reject(new AppError('AP_UNAVAILABLE', 'the store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({
        uuid,
        decide,
        resolve: resolve as Pending['resolve'],
        reject,
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every queued transition in one transaction, then answers their callers. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0 || this.closed) {
      for (const p of batch) p.reject(new AppError('AP_UNAVAILABLE', 'the store is closed'));
      return;
    }
    const outcomes: Array<
      { ok: true; value: { record: CheckRecord; result: unknown } | undefined } | { ok: false; err: unknown }
    > = [];
    try {
      this.db.transaction(() => {
        for (const p of batch) outcomes.push(this.applyOne(p));
      })();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (!o) p.reject(new Error('transition lost'));
      else if (o.ok) p.resolve(o.value);
      else p.reject(o.err);
    });
  }

  private applyOne(
    p: Pending,
  ): { ok: true; value: { record: CheckRecord; result: unknown } | undefined } | { ok: false; err: unknown } {
    const row = this.s.getCheck.get(p.uuid);
    if (!row) return { ok: true, value: undefined };
    const record = this.toRecord(row);
    let write: TransitionWrite<unknown>;
    try {
      write = p.decide(record);
    } catch (err) {
      return { ok: false, err };
    }
    const state = write.state ?? record.state;
    if (write.state) this.s.updateState.run({ id: row.id, ...stateColumns(state) });
    if (write.ping) {
      const g = write.ping;
      const n = state.nPings;
      this.s.insertPing.run(
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
      );
      if (n > this.keepPings) this.s.dropPing.run(row.id, n - this.keepPings);
    }
    if (write.probeResult) this.insertResultSync(row.id, write.probeResult);
    if (write.flip)
      this.s.insertFlip.run(row.id, write.flip.at, write.flip.from, write.flip.to, write.flip.reason);
    const now = write.flip?.at ?? write.ping?.at ?? Date.now();
    for (const job of write.jobs ?? []) this.insertJobSync(record.uuid, job, now);
    return { ok: true, value: { record: { ...record, state }, result: write.result } };
  }

  private insertResultSync(checkId: number, r: ProbeResult): void {
    const n = this.s.nextResult.get(checkId)?.n_results ?? 1;
    this.s.insertResult.run(checkId, n, r.at, r.ok ? 1 : 0, r.latencyMs, r.message);
    // Trim in steps so that most inserts delete nothing.
    if (n > PROBE_RESULTS_KEPT && n % 50 === 0) this.s.dropResults.run(checkId, n - PROBE_RESULTS_KEPT);
    this.s.addHour.run({
      check_id: checkId,
      hour: Math.floor(r.at / HOUR_MS) * HOUR_MS,
      failed: r.ok ? 0 : 1,
      latency: r.latencyMs,
    });
  }

  private insertJobSync(checkUuid: string, job: NewJob, now: number): void {
    this.s.insertJob.run(
      job.group,
      checkUuid,
      job.channel,
      job.event,
      0,
      JSON.stringify(job.fallbackChannels),
      JSON.stringify(job.notification),
      job.dueAt,
      job.causedAt,
      now,
    );
  }

  async wakeTimes(): Promise<Array<{ uuid: string; at: number }>> {
    const out: Array<{ uuid: string; at: number }> = [];
    for (const r of this.s.wakeTimes.iterate()) {
      const at = minDefined(r.alert_after, r.next_reminder);
      if (at !== null) out.push({ uuid: r.uuid, at });
    }
    return out;
  }

  async listPings(uuid: string, limit: number): Promise<PingRecord[]> {
    const rows = this.s.listPings.all(uuid, limit) as Array<{
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
    }>;
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
    return this.s.pingBody.get(uuid, n)?.body ?? undefined;
  }

  async listFlips(uuid: string, range: { from?: number; to?: number }): Promise<FlipRow[]> {
    return this.s.listFlips
      .all(uuid, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER)
      .map((r) => ({ at: r.at, from: r.from_status, to: r.to_status, reason: r.reason as FlipReason }));
  }

  async listProbeResults(uuid: string, limit: number): Promise<ProbeResultRow[]> {
    return this.s.listResults
      .all(uuid, Math.min(limit, PROBE_RESULTS_KEPT))
      .map((r) => ({ n: r.n, at: r.at, ok: r.ok === 1, latencyMs: r.latency_ms, message: r.message }));
  }

  async listProbeHours(uuid: string, range: { from?: number; to?: number }): Promise<ProbeHourRow[]> {
    return this.s.listHours.all(uuid, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER).map((r) => ({
      hour: r.hour,
      probes: r.probes,
      failures: r.failures,
      latencySumMs: r.latency_sum,
      latencyMaxMs: r.latency_max,
    }));
  }

  async claimJobs(now: number, limit: number, leaseMs: number): Promise<OutboxJob[]> {
    return this.s.claim.all(now + leaseMs, now, now, limit).map(toJob);
  }

  async finishJob(id: number, outcome: JobOutcome): Promise<{ fallbackQueued: number }> {
    return this.db.transaction(() => {
      const status: JobStatus = outcome.ok ? 'sent' : outcome.retryAt !== undefined ? 'pending' : 'failed';
      const row = this.s.getJob.get(id);
      if (!row) return { fallbackQueued: 0 };
      const changed = this.s.finishJob.run(
        status,
        status === 'pending' ? null : outcome.at,
        outcome.error ?? null,
        outcome.retryAt ?? row.due_at,
        id,
      ).changes;
      if (changed === 0 || status !== 'failed' || row.is_fallback) return { fallbackQueued: 0 };
      const fallback = JSON.parse(row.fallback) as string[];
      if (fallback.length === 0) return { fallbackQueued: 0 };
      if ((this.s.groupOpen.get(row.grp)?.n ?? 0) > 0) return { fallbackQueued: 0 };
      if ((this.s.groupHasFallback.get(row.grp)?.n ?? 0) > 0) return { fallbackQueued: 0 };
      for (const channel of fallback)
        this.s.insertFallback.run(
          row.grp,
          row.check_uuid,
          channel,
          row.event,
          row.payload,
          outcome.at,
          row.caused_at,
          outcome.at,
        );
      return { fallbackQueued: fallback.length };
    })();
  }

  async nextJobDue(): Promise<number | undefined> {
    return this.s.nextDue.get()?.due ?? undefined;
  }

  async listJobs(uuid: string, limit: number): Promise<OutboxJob[]> {
    return this.s.listJobs.all(uuid, limit).map(toJob);
  }

  async listApiKeys(): Promise<ApiKeyRow[]> {
    return this.s.listKeys
      .all()
      .map((r) => ({ name: r.name, hash: r.hash, readOnly: r.read_only === 1, source: 'database' as const }));
  }

  async insertApiKey(key: Omit<ApiKeyRow, 'source'>, now: number): Promise<void> {
    this.s.insertKey.run(key.name, key.hash, key.readOnly ? 1 : 0, now);
  }

  async prune(opts: { keepPings: number; before: number }): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          `DELETE FROM pings WHERE rowid IN (
             SELECT p.rowid FROM pings p JOIN checks c ON c.id = p.check_id WHERE p.n <= c.n_pings - ?)`,
        )
        .run(opts.keepPings);
      this.db.prepare('DELETE FROM flips WHERE at < ?').run(opts.before);
      this.db.prepare('DELETE FROM probe_hourly WHERE hour < ?').run(opts.before);
      this.db
        .prepare(
          `DELETE FROM probe_results WHERE rowid IN (
             SELECT r.rowid FROM probe_results r JOIN checks c ON c.id = r.check_id WHERE r.n <= c.n_results - ?)`,
        )
        .run(PROBE_RESULTS_KEPT);
      this.db
        .prepare(`DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < ?`)
        .run(opts.before);
    })();
  }

  private toRecord(row: CheckRow): CheckRecord {
    return toCheckRecord(row, this.defCache);
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest)
    throw new AppError(
      'AP_UNAVAILABLE',
      `the database was written by a newer alertpath (schema ${current}, this one knows ${latest})`,
    );
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
