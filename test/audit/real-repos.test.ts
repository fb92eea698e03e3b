import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AUDIT_FIXTURES, auditJson, expectedMarkers } from './helpers.js';

/**
 * Issue 12: repositories laid out as public Flux and Argo CD homelab repositories lay them out
 * (test/fixtures/audit/real/<case>/). In `positive`, every finding is where a line says
 * `expect: RULE`, and there is no other; `negative` is the same repository done right, and has no
 * finding at all. image-unpinned (info, everywhere) is left out.
 */

const REAL = join(AUDIT_FIXTURES, 'real');

for (const name of readdirSync(REAL).sort()) {
  describe(`real repository layout: ${name}`, () => {
    it('positive: each finding where a line expects it, and no other', async () => {
      const dir = join(REAL, name, 'positive');
      const res = await auditJson(['--fail-on', 'never', '--rule', 'image-unpinned=off', '.'], { cwd: dir });
      assert.equal(res.code, 0, res.stderr);
      const got = res.report.findings.map((f) => `${f.file}:${f.line} ${f.rule}`).sort();
      const want = expectedMarkers(dir)
        .map((m) => `${m.file}:${m.line} ${m.rule}`)
        .sort();
      assert.ok(want.length > 0);
      assert.deepEqual(
        got,
        want,
        JSON.stringify(
          res.report.findings.map((f) => `${f.file}:${f.line} ${f.message}`),
          null,
          1,
        ),
      );
      for (const f of res.report.findings) assert.ok(f.column >= 1);
    });

    it('negative: no finding', async () => {
      const dir = join(REAL, name, 'negative');
      const res = await auditJson(['--fail-on', 'never', '--rule', 'image-unpinned=off', '.'], { cwd: dir });
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(
        res.report.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.message}`),
        [],
      );
      assert.ok(res.report.summary.files >= 1);
    });
  });
}
