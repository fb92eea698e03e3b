import pg from 'pg';
import { insertSuffix, type Row, type RowShape, type SqlType, type SqlValue } from '../sql.js';
import type { WriteSet } from '../writes.js';

const { escapeLiteral } = pg;

/**
 * A WriteSet as PostgreSQL statements with every value as an escaped literal: one multi-row
 * statement per shape, so a batch of pings is written in one round trip together with its
 * COMMIT, however many pings it carries.
 */
export function renderWrites(writes: WriteSet, order: readonly RowShape[]): string[] {
  const out: string[] = [];
  for (const shape of order) {
    const rows = writes.rowsOf(shape);
    if (rows.length > 0) out.push(renderShape(shape, rows));
  }
  for (const { sql, params } of writes.statements) out.push(withLiterals(sql, params));
  return out;
}

const PG_TYPE: Record<SqlType, string> = {
  int: 'bigint',
  float: 'double precision',
  text: 'text',
  bool: 'boolean',
  bytes: 'bytea',
};

function renderShape(shape: RowShape, rows: Row[]): string {
  const cols = shape.columns.map(([name]) => name);
  const values = rows
    .map((row) => `(${row.map((v, i) => literal(v, shape.columns[i]?.[1])).join(', ')})`)
    .join(', ');
  if (shape.op === 'insert' || shape.op === 'upsert')
    return `INSERT INTO ${shape.table} (${cols.join(', ')}) VALUES ${values}${insertSuffix(shape)}`;
  // VALUES columns of NULLs have no type of their own: every use is cast to the column's type.
  const u = (i: number) => {
    const [name, type] = shape.columns[i] as readonly [string, SqlType];
    return [name, `u.${name}::${PG_TYPE[type]}`] as const;
  };
  const k = shape.keys ?? 1;
  const match = cols
    .slice(0, k)
    .map((_, i) => {
      const [name, value] = u(i);
      return `t.${name} = ${value}`;
    })
    .join(' AND ');
  const source = `(VALUES ${values}) AS u(${cols.join(', ')})`;
  if (shape.op === 'delete') return `DELETE FROM ${shape.table} AS t USING ${source} WHERE ${match}`;
  const sets = cols
    .slice(k)
    .map((_, j) => {
      const [name, value] = u(j + k);
      return `${name} = ${value}`;
    })
    .join(', ');
  return `UPDATE ${shape.table} AS t SET ${sets} FROM ${source} WHERE ${match}`;
}

/** `?` placeholders of one of our own statements replaced by literals. */
export function withLiterals(sql: string, params: Row): string {
  let i = 0;
  return sql.replace(/\?/g, () => literal(params[i++] ?? null));
}

/** A value as an SQL literal; anything that is not what its column holds is refused before SQL. */
export function literal(v: SqlValue, type?: SqlType): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  // Bytes as hex, which reads the same whatever the server's string settings.
  if (v instanceof Uint8Array)
    return `decode('${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}', 'hex')`;
  if (typeof v === 'number') {
    if (type === 'float' ? !Number.isFinite(v) : !Number.isSafeInteger(v))
      throw new TypeError(`not a ${type === 'float' ? 'finite number' : 'safe integer'}: ${v}`);
    return String(v);
  }
  // PostgreSQL refuses NUL in text; the query string must not carry one either.
  if (v.includes('\0')) throw new TypeError('a text value contains a NUL character');
  return escapeLiteral(v);
}
