import pg from 'pg';
import type { CheckState, Flip, PingRecord, ProbeResult } from '../../checks/model.js';
import { HOUR_MS, stateColumns } from '../rows.js';
import { type NewJob, PROBE_RESULTS_KEPT } from '../types.js';

const { escapeLiteral } = pg;

/**
 * What a batch of transitions writes, gathered in arrival order and then written with one
 * multi-row statement per kind, sent together with the COMMIT: a group commit costs the same
 * round trips however many pings it carries.
 */
export class BatchWrites {
  /** The last state written per check id (later transitions of one check overwrite earlier). */
  private readonly states = new Map<number, CheckState>();
  private readonly pings: Array<{ checkId: number; n: number; ping: Omit<PingRecord, 'n'> }> = [];
  private readonly dropPings: Array<{ checkId: number; n: number }> = [];
  private readonly flips: Array<{ checkId: number; flip: Flip }> = [];
  private readonly jobs: Array<{ checkUuid: string; job: NewJob; now: number }> = [];
  private readonly results: Array<{ checkId: number; result: ProbeResult }> = [];

  constructor(private readonly keepPings: number) {}

  get empty(): boolean {
    return (
      this.states.size === 0 &&
      this.pings.length === 0 &&
      this.flips.length === 0 &&
      this.jobs.length === 0 &&
      this.results.length === 0
    );
  }

  state(checkId: number, state: CheckState): void {
    this.states.set(checkId, state);
  }

  ping(checkId: number, n: number, ping: Omit<PingRecord, 'n'>): void {
    this.pings.push({ checkId, n, ping });
    if (n > this.keepPings) this.dropPings.push({ checkId, n: n - this.keepPings });
  }

  flip(checkId: number, flip: Flip): void {
    this.flips.push({ checkId, flip });
  }

  job(checkUuid: string, job: NewJob, now: number): void {
    this.jobs.push({ checkUuid, job, now });
  }

  probeResult(checkId: number, result: ProbeResult): void {
    this.results.push({ checkId, result });
  }

  /**
   * Writes everything on `c` inside the caller's transaction, then commits it: the probe results
   * first (rare, one by one: the hourly upsert may touch one row several times), then one
   * multi-statement query (one statement per kind, rows as escaped literals) ending in COMMIT, so
   * a batch of pings costs a single round trip here.
   */
  async writeAndCommit(c: pg.ClientBase): Promise<void> {
    for (const r of this.results) await insertResult(c, r.checkId, r.result);
    const sql: string[] = [];
    if (this.states.size > 0) {
      const rows = [...this.states].map(([id, st]) => {
        const s = stateColumns(st);
        return `(${[
          int(id),
          text(s.status),
          int(s.last_ping),
          int(s.last_start),
          text(s.last_start_rid),
          int(s.last_duration),
          int(s.n_pings),
          int(s.alert_after),
          int(s.down_since),
          int(s.next_reminder),
          int(s.probe_streak),
        ].join(', ')})`;
      });
      sql.push(
        `UPDATE checks AS c SET status = u.status::text, last_ping = u.last_ping::bigint,
           last_start = u.last_start::bigint, last_start_rid = u.last_start_rid::text,
           last_duration = u.last_duration::bigint, n_pings = u.n_pings::bigint,
           alert_after = u.alert_after::bigint, down_since = u.down_since::bigint,
           next_reminder = u.next_reminder::bigint, probe_streak = u.probe_streak::integer
         FROM (VALUES ${rows.join(', ')})
           AS u(id, status, last_ping, last_start, last_start_rid, last_duration, n_pings, alert_after,
             down_since, next_reminder, probe_streak)
         WHERE c.id = u.id::bigint`,
      );
    }
    if (this.pings.length > 0) {
      const rows = this.pings.map(
        ({ checkId, n, ping: g }) =>
          `(${[
            int(checkId),
            int(n),
            text(g.kind),
            int(g.at),
            text(g.method),
            text(g.rid),
            int(g.exitStatus),
            int(g.duration),
            text(g.remoteAddr),
            text(g.userAgent),
            text(g.scheme),
            text(g.body),
          ].join(', ')})`,
      );
      sql.push(
        `INSERT INTO pings (check_id, n, kind, at, method, rid, exit_status, duration, remote_addr, user_agent, scheme, body)
         VALUES ${rows.join(', ')}`,
      );
    }
    if (this.dropPings.length > 0) {
      // After the insert: with a small keepPings, a ping of this batch may already be the one to drop.
      const rows = this.dropPings.map((d) => `(${int(d.checkId)}, ${int(d.n)})`);
      sql.push(
        `DELETE FROM pings AS p USING (VALUES ${rows.join(', ')}) AS d(check_id, n)
         WHERE p.check_id = d.check_id::bigint AND p.n = d.n::bigint`,
      );
    }
    if (this.flips.length > 0) {
      // VALUES rows are inserted in order, so flip ids keep the arrival order.
      const rows = this.flips.map(
        ({ checkId, flip: f }) =>
          `(${[int(checkId), int(f.at), text(f.from), text(f.to), text(f.reason)].join(', ')})`,
      );
      sql.push(`INSERT INTO flips (check_id, at, from_status, to_status, reason) VALUES ${rows.join(', ')}`);
    }
    if (this.jobs.length > 0) {
      const rows = this.jobs.map(
        ({ checkUuid, job, now }) =>
          `(${[
            text(job.group),
            text(checkUuid),
            text(job.channel),
            text(job.event),
            'FALSE',
            text(JSON.stringify(job.fallbackChannels)),
            text(JSON.stringify(job.notification)),
            "'pending'",
            '0',
            int(job.dueAt),
            int(job.causedAt),
            int(now),
          ].join(', ')})`,
      );
      sql.push(
        `INSERT INTO outbox (grp, check_uuid, channel, event, is_fallback, fallback, payload, status, tries, due_at,
           caused_at, created_at)
         VALUES ${rows.join(', ')}`,
      );
    }
    sql.push('COMMIT');
    await c.query(sql.join(';\n'));
  }
}

/** A string (or NULL) as an SQL literal, escaped by `pg` (quotes doubled, backslashes as E''). */
export function text(v: string | null): string {
  if (v === null) return 'NULL';
  // PostgreSQL refuses NUL in text; the query string must not carry one either.
  if (v.includes('\0')) throw new TypeError('a text value contains a NUL character');
  return escapeLiteral(v);
}

/** An integer (or NULL) as an SQL literal; anything else is refused before it reaches SQL. */
export function int(v: number | null): string {
  if (v === null) return 'NULL';
  if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer: ${v}`);
  return String(v);
}

export async function insertResult(c: pg.ClientBase, checkId: number, r: ProbeResult): Promise<void> {
  const next = await c.query<{ n_results: number }>(
    'UPDATE checks SET n_results = n_results + 1 WHERE id = $1 RETURNING n_results',
    [checkId],
  );
  const n = next.rows[0]?.n_results ?? 1;
  await c.query(
    'INSERT INTO probe_results (check_id, n, at, ok, latency_ms, message) VALUES ($1, $2, $3, $4, $5, $6)',
    [checkId, n, r.at, r.ok, r.latencyMs, r.message],
  );
  // Trim in steps so that most inserts delete nothing.
  if (n > PROBE_RESULTS_KEPT && n % 50 === 0)
    await c.query('DELETE FROM probe_results WHERE check_id = $1 AND n <= $2', [
      checkId,
      n - PROBE_RESULTS_KEPT,
    ]);
  await c.query(
    `INSERT INTO probe_hourly AS h (check_id, hour, probes, failures, latency_sum, latency_max)
     VALUES ($1, $2, 1, $3, $4, $4)
     ON CONFLICT (check_id, hour) DO UPDATE SET
       probes = h.probes + 1,
       failures = h.failures + excluded.failures,
       latency_sum = h.latency_sum + excluded.latency_sum,
       latency_max = GREATEST(h.latency_max, excluded.latency_max)`,
    [checkId, Math.floor(r.at / HOUR_MS) * HOUR_MS, r.ok ? 0 : 1, r.latencyMs],
  );
}
