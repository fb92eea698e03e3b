import pg from 'pg';
import { AppError } from '../../../lib/errors.js';
import { redactSecrets } from '../../../lib/redact.js';
import { SqlStore, type StoreOptions } from '../core.js';
import type { Decision, Dialect, Lock, Locked } from '../dialect.js';
import type { CheckRow, JobRow } from '../rows.js';
import { POSTGRES_MIGRATIONS, pendingMigrations } from '../schema.js';
import { CHECK_COLUMNS, JOB_COLUMNS, type Row } from '../sql.js';
import { WriteSet } from '../writes.js';
import { literal, renderWrites } from './render.js';

/**
 * The shared store's dialect: any number of `watch` instances on one PostgreSQL database. An
 * atomic unit locks the rows it decides on (`SELECT … ORDER BY uuid FOR UPDATE`, sent with its
 * BEGIN), so the pure decision sees the state as committed by whichever instance wrote last, and
 * a deadline two instances both hold flips once; its writes go with the COMMIT. Outbox claims
 * skip rows another claimer holds (`FOR UPDATE SKIP LOCKED`).
 */

export interface PostgresStoreOptions extends StoreOptions {
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

/** Connects, applies the migrations, and answers the store; a clear one-line error otherwise. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<SqlStore> {
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
  return new SqlStore(new PostgresDialect(pool, Math.max(1, options.maxBatches ?? 2)), options);
}

export class PostgresDialect implements Dialect {
  readonly kind = 'postgres' as const;
  readonly shared = true;
  readonly skipLocked = ' FOR UPDATE SKIP LOCKED';
  private readonly numbered = new Map<string, string>();

  constructor(
    private readonly pool: pg.Pool,
    readonly maxBatches: number,
  ) {}

  async healthy(): Promise<boolean> {
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
    await this.pool.end();
  }

  async all<R>(sql: string, params: Row = []): Promise<R[]> {
    return (await this.pool.query(this.toNumbered(sql), params)).rows as R[];
  }

  async run(sql: string, params: Row = []): Promise<number> {
    return (await this.pool.query(this.toNumbered(sql), params)).rowCount ?? 0;
  }

  /** Two round trips whatever the unit: BEGIN with the locking read, then the writes with COMMIT. */
  atomically<T>(lock: Lock, decide: (locked: Locked) => Decision<T>): Promise<T> {
    return inTransaction(this.pool, async (c) => {
      const locked = await readLocked(c, lock);
      const { writes, result } = decide(locked);
      await c.query([...renderWrites(writes, WriteSet.ORDER), 'COMMIT'].join(';\n'));
      return result;
    });
  }

  /** Our `?` placeholders as PostgreSQL's `$1, $2, …`. */
  private toNumbered(sql: string): string {
    let out = this.numbered.get(sql);
    if (out === undefined) {
      let i = 0;
      out = sql.replace(/\?/g, () => `$${++i}`);
      this.numbered.set(sql, out);
    }
    return out;
  }
}

/** BEGIN and the locking read in one simple query (keys as escaped literals); its last result. */
async function readLocked(c: Client, lock: Lock): Promise<Locked> {
  let read: string | undefined;
  if ('checks' in lock && lock.checks.length > 0)
    read = `SELECT ${CHECK_COLUMNS} FROM checks WHERE uuid IN (${lock.checks.map((u) => literal(u)).join(', ')})
      ORDER BY uuid FOR UPDATE`;
  // Instances starting together with one config must not each create the same checks; rows are
  // locked in uuid order, as batches lock theirs, so the two cannot deadlock.
  else if ('allChecks' in lock)
    read = `SELECT pg_advisory_xact_lock(${SYNC_LOCK}); SELECT ${CHECK_COLUMNS} FROM checks ORDER BY uuid FOR UPDATE`;
  // The whole group, in id order: the last job of a flip to fail, whichever instance sent it, sees
  // the others' outcomes.
  else if ('jobGroupOf' in lock)
    read = `SELECT ${JOB_COLUMNS} FROM outbox WHERE grp = (SELECT grp FROM outbox WHERE id = ${literal(lock.jobGroupOf)})
      ORDER BY id FOR UPDATE`;
  if (read === undefined) {
    await c.query('BEGIN');
    return { checks: [], jobs: [] };
  }
  const results = (await c.query(`BEGIN; ${read}`)) as unknown as pg.QueryResult[];
  const rows = results[results.length - 1]?.rows ?? [];
  return 'jobGroupOf' in lock
    ? { checks: [], jobs: rows as JobRow[] }
    : { checks: rows as CheckRow[], jobs: [] };
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
    for (const m of pendingMigrations(POSTGRES_MIGRATIONS, r.rows[0]?.v ?? 0)) {
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
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return redactSecrets(url);
  }
}

function oneLine(err: unknown): string {
  const e = err as { message?: string; code?: string };
  const text = (e?.message || e?.code || String(err)).split('\n')[0] ?? '';
  return text.trim();
}
