import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../../src/watch/store/postgres/index.js';
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from '../../src/watch/store/schema.js';
import { openSqliteStore } from '../../src/watch/store/sqlite/index.js';
import type { Store } from '../../src/watch/store/types.js';
import { def, storedPing, T0 } from './helpers.js';
import { createSchema, PG_URL, pgSkip } from './store-pg.js';

/**
 * A database written by alertpath before migration 3 (text bodies, keyword filters as lists)
 * upgrades in place on both stores: its bodies become bytes unchanged, its filters keep their
 * keywords and still apply to HTTP bodies, and non-UTF-8 bodies can be stored from then on.
 */

const UUID = '0c0c0c0c-1d1d-4e2e-8f3f-404040404040';
/** A definition as alertpath wrote it before: filter lists, always on HTTP bodies. */
const OLD_DEF = JSON.stringify({
  ...def({ name: 'old', slug: 'old' }),
  filter: { success: ['OK', 'DONE'], failure: ['ERROR'], start: [], defaultFail: true },
});
const INSERT_CHECK = `INSERT INTO checks (uuid, managed, name, slug, def, created_at, status, n_pings) VALUES ($1, FALSE, 'old', 'old', $2, $3, 'up', 2)`;
const INSERT_PING = `INSERT INTO pings (check_id, n, kind, at, method, remote_addr, user_agent, scheme, body)
  VALUES ((SELECT id FROM checks WHERE uuid = $1), $2, 'success', $3, 'POST', '', '', 'http', $4)`;
const PINGS: ReadonlyArray<[number, string | null]> = [
  [1, 'déjà vu ✓'],
  [2, null],
];

async function expectUpgraded(store: Store): Promise<void> {
  const r = await store.getCheck(UUID);
  assert.equal(r?.state.nPings, 2);
  assert.deepEqual(r?.state.runs, []);
  assert.deepEqual(r?.def.filter, {
    startKw: '',
    successKw: 'OK,DONE',
    failureKw: 'ERROR',
    httpBody: true,
    defaultFail: true,
    subject: false,
    body: false,
  });
  assert.equal(Buffer.from((await store.pingBody(UUID, 1)) ?? []).toString('utf8'), 'déjà vu ✓');
  assert.equal(await store.pingBody(UUID, 2), undefined);
  const raw = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
  await store.transition(UUID, (rec) => ({
    state: { ...rec.state, nPings: 3 },
    ping: storedPing({ kind: 'log', at: T0 + 1, body: raw }),
    result: null,
  }));
  assert.deepEqual(Buffer.from((await store.pingBody(UUID, 3)) ?? []), raw);
}

test('sqlite: a schema-2 database upgrades in place', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'watch-v3-'));
  try {
    const file = join(dir, 'watch.db');
    const db = new Database(file);
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 2)) db.exec(m.sql);
    db.pragma('user_version = 2');
    // Numbered parameters, bound by number.
    const sqlite = (sql: string) => sql.replace(/\$(\d)/g, '?$1').replaceAll('FALSE', '0');
    const byNumber = (...values: unknown[]) => Object.fromEntries(values.map((v, i) => [i + 1, v]));
    db.prepare(sqlite(INSERT_CHECK)).run(byNumber(UUID, OLD_DEF, T0));
    for (const [n, body] of PINGS) db.prepare(sqlite(INSERT_PING)).run(byNumber(UUID, n, T0, body));
    db.close();
    const store = openSqliteStore(file);
    try {
      await expectUpgraded(store);
    } finally {
      await store.close();
    }
    const check = new Database(file);
    assert.equal(check.pragma('user_version', { simple: true }), SQLITE_MIGRATIONS.at(-1)?.version);
    assert.equal(
      (
        check.prepare("SELECT type FROM pragma_table_info('pings') WHERE name = 'body'").get() as {
          type: string;
        }
      ).type,
      'BLOB',
    );
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const skipPg = await pgSkip();

describe('postgres', { skip: skipPg }, () => {
  test('postgres: a schema-2 database upgrades in place', async () => {
    const s = await createSchema();
    try {
      const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${s.schema}` });
      await client.connect();
      try {
        await client.query(
          'CREATE TABLE alertpath_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)',
        );
        for (const m of POSTGRES_MIGRATIONS.filter((x) => x.version <= 2)) {
          await client.query(m.sql);
          await client.query('INSERT INTO alertpath_migrations VALUES ($1, 0)', [m.version]);
        }
        await client.query(INSERT_CHECK, [UUID, OLD_DEF, T0]);
        for (const [n, body] of PINGS) await client.query(INSERT_PING, [UUID, n, T0, body]);
      } finally {
        await client.end();
      }
      const store = await openPostgresStore(PG_URL as string, { schema: s.schema });
      try {
        await expectUpgraded(store);
      } finally {
        await store.close();
      }
    } finally {
      await s.drop();
    }
  });
});
