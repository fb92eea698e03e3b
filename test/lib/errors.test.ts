import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, type ErrorCode } from '../../src/lib/errors.js';

/**
 * The error table is closed, as fastify's FST_ERR_* codes are: every code is used somewhere,
 * every code used is in the table, and docs/errors.md lists each with its status and exit code.
 */

const ROOT = join(import.meta.dirname, '..', '..', '..');
const codes = Object.keys(ERROR_CODES) as ErrorCode[];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = sources(join(ROOT, 'src')).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const tableFile = join(ROOT, 'src', 'lib', 'errors.ts');

/** Where the sources name a code, outside the table's own rows. */
function uses(code: string): string[] {
  const found: string[] = [];
  for (const f of files)
    f.text.split('\n').forEach((line, i) => {
      const isRow = f.path === tableFile && line.trimStart().startsWith(`${code}:`);
      if (!isRow && new RegExp(`\\b${code}\\b`).test(line)) found.push(`${f.path}:${i + 1}`);
    });
  return found;
}

test('every error code in the table is used by the code', () => {
  assert.ok(codes.length >= 10, 'the table was read');
  const unused = codes.filter((c) => uses(c).length === 0);
  assert.deepEqual(unused, []);
});

test('every AP_* code the code uses is in the table', () => {
  const used = new Set<string>();
  for (const f of files) for (const m of f.text.matchAll(/'(AP_[A-Z_]+)'/g)) used.add(m[1] as string);
  assert.ok(used.size >= 10, 'codes were found in the sources');
  assert.deepEqual(
    [...used].filter((c) => !(c in ERROR_CODES)),
    [],
  );
});

test('docs/errors.md lists every code with its HTTP status, exit code and meaning', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const expected = [
    '| code | HTTP status | exit code | meaning |',
    '|---|---|---|---|',
    ...codes.map((c) => {
      const e = ERROR_CODES[c];
      return `| \`${c}\` | ${e.status} | ${e.exit} | ${e.meaning} |`;
    }),
  ].join('\n');
  assert.ok(doc.includes(expected), `docs/errors.md should contain this table:\n${expected}`);
});
