import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { repoRoot } from '../helpers/cli.js';
import { auditJson } from './helpers.js';

it("alertpath's own deploy/ (relay manifests, Dockerfile) passes its own audit without a finding", async () => {
  const { code, report } = await auditJson([join(repoRoot, 'deploy')]);
  assert.deepEqual(
    report.findings.map((f) => `${f.file}:${f.line} ${f.rule}`),
    [],
  );
  assert.equal(code, 0);
  assert.ok(report.summary.files >= 5, `files read: ${report.summary.files}`);
});
