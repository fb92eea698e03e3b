import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The real PostgreSQL for tests: ALERTPATH_TEST_DATABASE_URL (set by .ci/run). Each test gets its
 * own schema, selected through the connection's search_path, and drops it afterwards.
 */
export const PG_URL = process.env.ALERTPATH_TEST_DATABASE_URL || undefined;

let reason: Promise<string | false> | undefined;

/** false when PostgreSQL is usable; otherwise why the PostgreSQL tests are skipped. */
export function pgSkip(): Promise<string | false> {
  reason ??= (async () => {
    if (!PG_URL) return warn('ALERTPATH_TEST_DATABASE_URL is not set');
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return false;
    } catch (err) {
      return warn(`PostgreSQL at ALERTPATH_TEST_DATABASE_URL is unreachable (${(err as Error).message})`);
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reason;
}

function warn(why: string): string {
  const text = `SKIPPING the PostgreSQL tests: ${why}`;
  process.stderr.write(`\n*** ${text} ***\n\n`);
  return text;
}

export interface TestSchema {
  schema: string;
  /** The test URL with `options=-c search_path=<schema>`, for buildWatch and the CLI. */
  url: string;
  drop(): Promise<void>;
}

export async function createSchema(): Promise<TestSchema> {
  if (!PG_URL) throw new Error('ALERTPATH_TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const u = new URL(PG_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    schema,
    url: u.toString(),
    drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs one query in `schema` (test assertions on raw rows). */
export async function querySchema<R extends pg.QueryResultRow>(
  schema: string,
  sql: string,
  values?: unknown[],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
