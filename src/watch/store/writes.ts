import type { CheckDef, CheckRecord, CheckState, Flip, PingRecord, ProbeResult } from '../checks/model.js';
import { checkInsertRow, HOUR_MS, stateRow } from './rows.js';
import {
  CHECK_DEF,
  CHECK_DELETE,
  CHECK_INSERT,
  CHECK_STATE,
  FLIP_INSERT,
  HOUR_UPSERT,
  JOB_FINISH,
  JOB_INSERT,
  PING_DELETE,
  PING_INSERT,
  RESULT_INSERT,
  type Row,
  type RowShape,
} from './sql.js';
import type { NewJob } from './types.js';

/** A statement with its parameters, run as it is (retention, say). */
export interface Statement {
  sql: string;
  params: Row;
}

/**
 * Everything one atomic unit writes (a group-commit batch, a config sync, a finished outbox
 * try), as rows grouped by shape, in the order they must be applied. The core fills it from
 * pure decisions; each dialect writes it its own way (SQLite row by row with prepared
 * statements, PostgreSQL one multi-row statement per shape sent with the COMMIT).
 */
export class WriteSet {
  /** Shapes in application order; rows of one shape keep their arrival order. */
  static readonly ORDER: readonly RowShape[] = [
    CHECK_INSERT,
    CHECK_DELETE,
    CHECK_DEF,
    CHECK_STATE,
    RESULT_INSERT,
    HOUR_UPSERT,
    PING_INSERT,
    // After the insert: with a small keepPings, a ping of this batch may already be the one to drop.
    PING_DELETE,
    FLIP_INSERT,
    JOB_FINISH,
    JOB_INSERT,
  ];

  private readonly rows = new Map<RowShape, Row[]>();
  /** The last state per check id: later transitions of one check overwrite earlier ones. */
  private readonly states = new Map<number, Row>();
  /** Per (check, hour): aggregates of this unit's probe results, so each hour is one row. */
  private readonly hours = new Map<string, Row>();
  readonly statements: Statement[] = [];

  get empty(): boolean {
    return this.rows.size === 0 && this.states.size === 0 && this.statements.length === 0;
  }

  /** The rows of one shape (in arrival order), for a dialect to write. */
  rowsOf(shape: RowShape): Row[] {
    if (shape === CHECK_STATE) return [...this.states.values()];
    if (shape === HOUR_UPSERT) return [...this.hours.values()];
    return this.rows.get(shape) ?? [];
  }

  private add(shape: RowShape, row: Row): void {
    const list = this.rows.get(shape);
    if (list) list.push(row);
    else this.rows.set(shape, [row]);
  }

  insertCheck(record: CheckRecord): void {
    this.add(CHECK_INSERT, checkInsertRow(record));
  }

  deleteCheck(id: number): void {
    this.add(CHECK_DELETE, [id]);
  }

  definition(id: number, def: CheckDef, defText: string, alertAfter: number | null, managed: boolean): void {
    this.add(CHECK_DEF, [id, managed, def.name, def.slug, defText, alertAfter]);
  }

  state(id: number, state: CheckState, nResults: number): void {
    this.states.set(id, stateRow(id, state, nResults));
  }

  ping(checkId: number, n: number, g: Omit<PingRecord, 'n'>): void {
    this.add(PING_INSERT, [
      checkId,
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
    ]);
  }

  dropPing(checkId: number, n: number): void {
    this.add(PING_DELETE, [checkId, n]);
  }

  probeResult(checkId: number, n: number, r: ProbeResult): void {
    this.add(RESULT_INSERT, [checkId, n, r.at, r.ok, r.latencyMs, r.message]);
    const hour = Math.floor(r.at / HOUR_MS) * HOUR_MS;
    const key = `${checkId}:${hour}`;
    const agg = this.hours.get(key);
    if (!agg) {
      this.hours.set(key, [checkId, hour, 1, r.ok ? 0 : 1, r.latencyMs, r.latencyMs]);
      return;
    }
    agg[2] = (agg[2] as number) + 1;
    agg[3] = (agg[3] as number) + (r.ok ? 0 : 1);
    agg[4] = (agg[4] as number) + r.latencyMs;
    agg[5] = Math.max(agg[5] as number, r.latencyMs);
  }

  flip(checkId: number, f: Flip): void {
    this.add(FLIP_INSERT, [checkId, f.at, f.from, f.to, f.reason]);
  }

  job(checkUuid: string, job: NewJob, createdAt: number): void {
    this.add(JOB_INSERT, [
      job.group,
      checkUuid,
      job.channel,
      job.event,
      false,
      JSON.stringify(job.fallbackChannels),
      JSON.stringify(job.notification),
      'pending',
      0,
      job.dueAt,
      job.causedAt,
      createdAt,
    ]);
  }

  /** A fallback job: a copy of a failed job's notification for another channel. */
  fallbackJob(
    from: { grp: string; check_uuid: string; event: string; payload: string; caused_at: number },
    channel: string,
    at: number,
  ): void {
    this.add(JOB_INSERT, [
      from.grp,
      from.check_uuid,
      channel,
      from.event,
      true,
      '[]',
      from.payload,
      'pending',
      0,
      at,
      from.caused_at,
      at,
    ]);
  }

  finishJob(
    id: number,
    status: string,
    finishedAt: number | null,
    lastError: string | null,
    dueAt: number,
  ): void {
    this.add(JOB_FINISH, [id, status, finishedAt, lastError, dueAt, null]);
  }

  statement(sql: string, ...params: Row): void {
    this.statements.push({ sql, params });
  }
}
