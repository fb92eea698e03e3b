import { type Clock, systemClock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { type IdSource, randomIds } from '../../lib/ids.js';
import {
  type CheckDef,
  type CheckRecord,
  type CheckState,
  type PingRecord,
  type StoredStatus,
  wakeTime,
} from '../checks/model.js';
import type { Dialect } from './dialect.js';
import { GroupCommit } from './group-commit.js';
import {
  type PendingTransition,
  planDefinition,
  planFinish,
  planManagedSync,
  planPrune,
  planTransitions,
  type TransitionValue,
} from './plans.js';
import {
  type CheckRow,
  checkInsertRow,
  DefinitionCache,
  type JobRow,
  type PingRow,
  toApiKey,
  toCheckRecord,
  toFlip,
  toJob,
  toPing,
  toProbeHour,
  toProbeResult,
} from './rows.js';
import { CHECK_INSERT, insertSql, SQL } from './sql.js';
import {
  type ApiKeyRow,
  type ChannelOutcome,
  type FlipRow,
  type JobOutcome,
  type OutboxJob,
  PROBE_RESULTS_KEPT,
  type ProbeHourRow,
  type ProbeResultRow,
  type SessionRow,
  type Store,
  type SyncResult,
  type TransitionWrite,
} from './types.js';

export interface StoreOptions {
  /** Pings kept per check (default 100). */
  keepPings?: number;
  /** The time stamped on notification jobs a transition writes (default: the system clock). */
  clock?: Clock;
  /** Uuids of the checks a config sync creates (default: random). */
  ids?: IdSource;
}

const INSERT_CHECK = insertSql(CHECK_INSERT);
const FOREVER = Number.MAX_SAFE_INTEGER;

/**
 * The one store: every algorithm `watch` asks of its database (transitions with group commit,
 * config sync, deadlines, outbox claims and fallback, retention), written once over a Dialect
 * that supplies SQLite's or PostgreSQL's statements, locks and transactions.
 */
export class SqlStore implements Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly shared: boolean;
  private readonly keepPings: number;
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly defs = new DefinitionCache();
  private readonly commits: GroupCommit<PendingTransition, TransitionValue>;
  private closed = false;

  constructor(
    private readonly d: Dialect,
    options: StoreOptions = {},
  ) {
    this.kind = d.kind;
    this.shared = d.shared;
    this.keepPings = options.keepPings ?? 100;
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? randomIds;
    this.commits = new GroupCommit({
      maxBatches: d.maxBatches,
      keyOf: (p) => p.uuid,
      closedError: closedStore,
      commit: (batch) =>
        this.d.atomically({ checks: [...new Set(batch.map((p) => p.uuid))] }, (locked) =>
          planTransitions(batch, locked.checks, {
            now: this.clock.now(),
            keepPings: this.keepPings,
            defs: this.defs,
          }),
        ),
    });
  }

  async healthy(): Promise<boolean> {
    return !this.closed && this.d.healthy();
  }

  /** Commits (and answers) the transitions still queued, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.commits.close();
    this.closed = true;
    await this.d.close();
  }

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.all<{ value: string }>(SQL.getSetting, [key]))[0]?.value;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.run(SQL.setSetting, [key, value]);
  }

  async listChecks(): Promise<CheckRecord[]> {
    return this.records(SQL.allChecks, []);
  }

  async getCheck(uuid: string): Promise<CheckRecord | undefined> {
    return (await this.records(SQL.checkByUuid, [uuid]))[0];
  }

  async checksBySlug(slug: string): Promise<CheckRecord[]> {
    return this.records(SQL.checksBySlug, [slug]);
  }

  async insertCheck(record: CheckRecord): Promise<void> {
    await this.run(INSERT_CHECK, checkInsertRow(record));
  }

  async updateDefinition(
    uuid: string,
    update: (record: CheckRecord) => { def: CheckDef; state: CheckState } | undefined,
  ): Promise<CheckRecord | undefined> {
    this.assertOpen();
    return this.d.atomically({ checks: [uuid] }, (locked) =>
      planDefinition(locked.checks[0], update, this.defs),
    );
  }

  async deleteCheck(uuid: string): Promise<boolean> {
    return (await this.run(SQL.deleteByUuid, [uuid])) > 0;
  }

  async syncManaged(
    defs: Array<{ uuid?: string; def: CheckDef }>,
    now: number,
    recompute: (def: CheckDef, state: CheckState) => CheckState,
  ): Promise<SyncResult> {
    this.assertOpen();
    return this.d.atomically({ allChecks: true }, (locked) =>
      planManagedSync(locked.checks, defs, { now, recompute, newUuid: this.ids.uuid, defs: this.defs }),
    );
  }

  transition<T>(
    uuid: string,
    decide: (record: CheckRecord) => TransitionWrite<T>,
  ): Promise<{ record: CheckRecord; result: T } | undefined> {
    if (this.closed) return Promise.reject(closedStore());
    return this.commits.submit({ uuid, decide }) as Promise<{ record: CheckRecord; result: T } | undefined>;
  }

  async wakeTimes(): Promise<Array<{ uuid: string; at: number }>> {
    const rows = await this.all<{
      uuid: string;
      status: StoredStatus;
      alert_after: number | null;
      next_reminder: number | null;
    }>(SQL.wakeCandidates, []);
    const out: Array<{ uuid: string; at: number }> = [];
    for (const r of rows) {
      const at = wakeTime({ status: r.status, alertAfter: r.alert_after, nextReminder: r.next_reminder });
      if (at !== null) out.push({ uuid: r.uuid, at });
    }
    return out;
  }

  async listPings(uuid: string, limit: number): Promise<PingRecord[]> {
    return (await this.all<PingRow>(SQL.listPings, [uuid, limit])).map(toPing);
  }

  async pingBody(uuid: string, n: number): Promise<Uint8Array | undefined> {
    return (await this.all<{ body: Uint8Array | null }>(SQL.pingBody, [uuid, n]))[0]?.body ?? undefined;
  }

  async listFlips(uuid: string, range: { from?: number; to?: number }): Promise<FlipRow[]> {
    const rows = await this.all<Parameters<typeof toFlip>[0]>(SQL.listFlips, [
      uuid,
      range.from ?? 0,
      range.to ?? FOREVER,
    ]);
    return rows.map(toFlip);
  }

  async listProbeResults(uuid: string, limit: number): Promise<ProbeResultRow[]> {
    const rows = await this.all<Parameters<typeof toProbeResult>[0]>(SQL.listResults, [
      uuid,
      Math.min(limit, PROBE_RESULTS_KEPT),
    ]);
    return rows.map(toProbeResult);
  }

  async listProbeHours(uuid: string, range: { from?: number; to?: number }): Promise<ProbeHourRow[]> {
    const rows = await this.all<Parameters<typeof toProbeHour>[0]>(SQL.listHours, [
      uuid,
      range.from ?? 0,
      range.to ?? FOREVER,
    ]);
    return rows.map(toProbeHour);
  }

  async flipsSince(from: number): Promise<Array<FlipRow & { uuid: string }>> {
    const rows = await this.all<Parameters<typeof toFlip>[0] & { uuid: string }>(SQL.flipsSince, [from]);
    return rows.map((r) => ({ uuid: r.uuid, ...toFlip(r) }));
  }

  async insertSession(s: SessionRow): Promise<void> {
    await this.run(SQL.pruneSessions, [s.createdAt]);
    await this.run(SQL.insertSession, [s.idHash, s.user, s.csrf, s.createdAt, s.expiresAt]);
  }

  async getSession(idHash: string, now: number): Promise<SessionRow | undefined> {
    const r = (
      await this.all<{
        id_hash: string;
        user_name: string;
        csrf: string;
        created_at: number | string;
        expires_at: number | string;
      }>(SQL.getSession, [idHash, now])
    )[0];
    return r
      ? {
          idHash: r.id_hash,
          user: r.user_name,
          csrf: r.csrf,
          createdAt: Number(r.created_at),
          expiresAt: Number(r.expires_at),
        }
      : undefined;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.run(SQL.deleteSession, [idHash]);
  }

  /**
   * A conditional update claims due jobs (and jobs whose claimer's lease ran out); its outer
   * condition is re-checked on the latest row version, so a row claimed meanwhile by another
   * sender is never claimed twice.
   */
  async claimJobs(now: number, limit: number, leaseMs: number): Promise<OutboxJob[]> {
    const sql = SQL.claimJobs.replace('%LOCK%', this.d.skipLocked);
    const rows = await this.all<JobRow>(sql, [now + leaseMs, now, now, limit, now, now]);
    return rows.map(toJob).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }

  async finishJob(id: number, outcome: JobOutcome): Promise<{ fallbackQueued: number }> {
    this.assertOpen();
    return this.d.atomically({ jobGroupOf: id }, (locked) => planFinish(locked.jobs, id, outcome));
  }

  async nextJobDue(): Promise<number | undefined> {
    return (await this.all<{ due: number | null }>(SQL.nextJobDue, []))[0]?.due ?? undefined;
  }

  async listJobs(uuid: string, limit: number): Promise<OutboxJob[]> {
    return (await this.all<JobRow>(SQL.listJobs, [uuid, limit])).map(toJob);
  }

  async requeueClaimed(now: number): Promise<number> {
    if (this.shared) return 0;
    return this.run(SQL.requeueClaimed, [now]);
  }

  async recordChannelOutcome(o: ChannelOutcome): Promise<void> {
    await this.run(SQL.recordChannelOutcome, [o.channel, o.at, o.ok, o.permanent, o.error, o.fingerprint]);
  }

  async channelOutcomes(): Promise<ChannelOutcome[]> {
    const rows = await this.all<{
      channel: string;
      at: number;
      ok: boolean | number;
      permanent: boolean | number;
      error: string | null;
      fingerprint: string;
    }>(SQL.channelOutcomes, []);
    return rows.map((r) => ({ ...r, at: Number(r.at), ok: Boolean(r.ok), permanent: Boolean(r.permanent) }));
  }

  async listApiKeys(): Promise<ApiKeyRow[]> {
    return (await this.all<Parameters<typeof toApiKey>[0]>(SQL.listKeys, [])).map(toApiKey);
  }

  async insertApiKey(key: Omit<ApiKeyRow, 'source'>, now: number): Promise<void> {
    await this.run(SQL.insertKey, [key.name, key.hash, key.readOnly, now]);
  }

  async prune(opts: { keepPings: number; before: number }): Promise<void> {
    this.assertOpen();
    return this.d.atomically({ none: true }, () => planPrune(opts));
  }

  private async records(sql: string, params: string[]): Promise<CheckRecord[]> {
    return (await this.all<CheckRow>(sql, params)).map((r) => toCheckRecord(r, this.defs));
  }

  private all<R>(sql: string, params: Parameters<Dialect['all']>[1]): Promise<R[]> {
    this.assertOpen();
    return this.d.all<R>(sql, params);
  }

  private run(sql: string, params: Parameters<Dialect['run']>[1]): Promise<number> {
    this.assertOpen();
    return this.d.run(sql, params);
  }

  private assertOpen(): void {
    if (this.closed) throw closedStore();
  }
}

function closedStore(): AppError {
  return new AppError('AP_UNAVAILABLE', 'the store is closed');
}
