import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../../lib/errors.js';
import { SqlStore, type StoreOptions } from '../core.js';
import type { Decision, Dialect, Lock, Locked } from '../dialect.js';
import type { CheckRow, JobRow } from '../rows.js';
import { pendingMigrations, SQLITE_MIGRATIONS } from '../schema.js';
import { type Row, type RowShape, rowStatement, SQL, type SqlValue } from '../sql.js';
import { WriteSet } from '../writes.js';

/**
 * The embedded store's dialect: one SQLite file in WAL mode with `synchronous = FULL`, so a
 * commit is on disk before it returns. better-sqlite3 is synchronous, so each atomic unit runs
 * whole inside one `db.transaction`, and a group-commit batch (every ping that arrived in one
 * turn of the event loop) costs one fsync.
 */

export type SqliteStoreOptions = StoreOptions;

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqlStore {
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
  return new SqlStore(new SqliteDialect(db), options);
}

export class SqliteDialect implements Dialect {
  readonly kind = 'sqlite' as const;
  readonly shared = false;
  readonly maxBatches = 1;
  readonly skipLocked = '';
  private readonly statements = new Map<string, Database.Statement>();
  private readonly writers = new Map<RowShape, ReturnType<typeof rowStatement>>();
  private closed = false;

  constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    this.migrate();
    for (const shape of WriteSet.ORDER) this.writers.set(shape, rowStatement(shape));
  }

  async healthy(): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.stmt('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  async all<R>(sql: string, params: Row = []): Promise<R[]> {
    return this.stmt(sql).all(...bind(params)) as R[];
  }

  async run(sql: string, params: Row = []): Promise<number> {
    return this.stmt(sql).run(...bind(params)).changes;
  }

  async atomically<T>(lock: Lock, decide: (locked: Locked) => Decision<T>): Promise<T> {
    return this.db.transaction(() => {
      const { writes, result } = decide(this.read(lock));
      this.write(writes);
      return result;
    })();
  }

  private read(lock: Lock): Locked {
    if ('checks' in lock) {
      const get = this.stmt(SQL.checkByUuid);
      const checks: CheckRow[] = [];
      for (const uuid of lock.checks) {
        const row = get.get(uuid) as CheckRow | undefined;
        if (row) checks.push(row);
      }
      return { checks, jobs: [] };
    }
    if ('allChecks' in lock) return { checks: this.stmt(SQL.allChecks).all() as CheckRow[], jobs: [] };
    if ('jobGroupOf' in lock) {
      const grp = (this.stmt(SQL.jobGroupOf).get(lock.jobGroupOf) as { grp: string } | undefined)?.grp;
      return { checks: [], jobs: grp === undefined ? [] : (this.stmt(SQL.jobGroup).all(grp) as JobRow[]) };
    }
    return { checks: [], jobs: [] };
  }

  /** Row by row with prepared statements: in-process, each costs microseconds. */
  private write(writes: WriteSet): void {
    for (const [shape, w] of this.writers) {
      const rows = writes.rowsOf(shape);
      if (rows.length === 0) continue;
      const s = this.stmt(w.sql);
      for (const row of rows) s.run(...bind(w.params(row)));
    }
    for (const { sql, params } of writes.statements) this.stmt(sql).run(...bind(params));
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    for (const m of pendingMigrations(SQLITE_MIGRATIONS, current)) {
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.pragma(`user_version = ${m.version}`);
      })();
    }
  }
}

/** SQLite binds no booleans (they are stored as 1 and 0); bytes are bound as Buffers (BLOB). */
function bind(params: Row): Array<Exclude<SqlValue, boolean>> {
  return params.map((v) =>
    v === true
      ? 1
      : v === false
        ? 0
        : v instanceof Uint8Array && !Buffer.isBuffer(v)
          ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
          : v,
  );
}
