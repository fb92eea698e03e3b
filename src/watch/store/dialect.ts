import type { CheckRow, JobRow } from './rows.js';
import type { Row } from './sql.js';
import type { WriteSet } from './writes.js';

/**
 * What a database must provide for the store core: statements, the rows an atomic unit locks,
 * and a way to write a WriteSet in the same transaction. SQLite and PostgreSQL differ only here.
 */

/** The rows an atomic unit reads under lock before it decides what to write. */
export type Lock =
  /** These checks (missing ones are simply absent). */
  | { checks: readonly string[] }
  /** Every check, exclusively: one config sync at a time, even on an empty table. */
  | { allChecks: true }
  /** The outbox group of this job (every job of one flip). */
  | { jobGroupOf: number }
  /** Nothing: the unit only writes. */
  | { none: true };

export interface Locked {
  checks: CheckRow[];
  jobs: JobRow[];
}

export interface Decision<T> {
  writes: WriteSet;
  result: T;
}

export interface Dialect {
  readonly kind: 'sqlite' | 'postgres';
  /** Other processes may write to this database (the engine then re-reads wake-up times). */
  readonly shared: boolean;
  /** Group-commit batches committing at once (SQLite: 1; PostgreSQL: one per connection used). */
  readonly maxBatches: number;
  /** The row-lock clause that lets concurrent outbox claimers skip each other's rows. */
  readonly skipLocked: string;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
  all<R>(sql: string, params?: Row): Promise<R[]>;
  /** One statement; the number of rows it changed. */
  run(sql: string, params?: Row): Promise<number>;
  /**
   * One transaction: lock and read `lock`'s rows, let the pure `decide` say what to write, write
   * it, commit. A throwing `decide` writes nothing.
   */
  atomically<T>(lock: Lock, decide: (locked: Locked) => Decision<T>): Promise<T>;
}
