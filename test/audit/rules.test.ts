import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RULES } from '../../src/audit/rules/index.js';
import { AUDIT_FIXTURES, auditJson, byRule, expectedMarkers } from './helpers.js';

/**
 * Every rule has a positive fixture (the rule fires, at each line marked `expect: RULE`) and a
 * negative one (the rule does not fire). The registry rules' fixtures are the registry tests'.
 */
const RULE_FIXTURES = join(AUDIT_FIXTURES, 'rules');
const REGISTRY_RULES = new Set(['image-missing', 'image-unverified']);

describe('rule fixtures', () => {
  it('exist for every static rule, and only for rules that exist', () => {
    const dirs = readdirSync(RULE_FIXTURES).sort();
    const ids = RULES.map((r) => r.id).filter((id) => !REGISTRY_RULES.has(id));
    assert.deepEqual(dirs, [...ids].sort());
    for (const id of ids) {
      assert.ok(existsSync(join(RULE_FIXTURES, id, 'positive')), `${id}/positive`);
      assert.ok(existsSync(join(RULE_FIXTURES, id, 'negative')), `${id}/negative`);
    }
  });

  for (const rule of RULES) {
    if (REGISTRY_RULES.has(rule.id)) continue;
    describe(rule.id, () => {
      it('fires on the positive fixture, at every marked line', async () => {
        const dir = join(RULE_FIXTURES, rule.id, 'positive');
        const res = await auditJson(['--fail-on', 'never', '.'], { cwd: dir });
        assert.equal(res.code, 0, res.stderr);
        const found = byRule(res.report, rule.id);
        const markers = expectedMarkers(dir).filter((m) => m.rule === rule.id);
        assert.ok(markers.length > 0, 'the fixture marks where it expects findings');
        for (const m of markers) {
          assert.ok(
            found.some((f) => f.file === m.file && f.line === m.line && f.column >= 1),
            `${rule.id} at ${m.file}:${m.line}; got ${JSON.stringify(found.map((f) => `${f.file}:${f.line}:${f.column}`))}`,
          );
        }
        assert.equal(found.length, markers.length, `no unexpected ${rule.id}: ${JSON.stringify(found)}`);
        for (const f of found) {
          assert.equal(f.remediation, rule.remediation);
          assert.ok(f.message.length > 10);
        }
      });

      it('does not fire on the negative fixture', async () => {
        const dir = join(RULE_FIXTURES, rule.id, 'negative');
        const res = await auditJson(['--fail-on', 'never', '.'], { cwd: dir });
        assert.equal(res.code, 0, res.stderr);
        assert.deepEqual(byRule(res.report, rule.id), []);
        assert.ok(res.report.summary.files >= 1);
      });
    });
  }
});

describe('severity that depends on the alert path', () => {
  it('runtime-install and image-mutable-tag are errors on the alert path, warnings elsewhere', async () => {
    const dir = join(RULE_FIXTURES, 'runtime-install', 'positive');
    const res = await auditJson(['.'], { cwd: dir });
    for (const f of byRule(res.report, 'runtime-install')) assert.equal(f.severity, 'warning');
    const seed = join(AUDIT_FIXTURES, 'seed', 'broken');
    const onPath = await auditJson(['.'], { cwd: seed });
    const install = byRule(onPath.report, 'runtime-install');
    assert.equal(install.length, 1);
    assert.equal(install[0]?.severity, 'error');
  });

  it('alert-path-single-replica is a warning for Alertmanager itself', async () => {
    const dir = join(RULE_FIXTURES, 'alert-path-single-replica', 'positive');
    const res = await auditJson(['--fail-on', 'never', '.'], { cwd: dir });
    const found = byRule(res.report, 'alert-path-single-replica');
    assert.equal(found.find((f) => f.object?.kind === 'Alertmanager')?.severity, 'warning');
    assert.equal(found.find((f) => f.object?.kind === 'Deployment')?.severity, 'error');
  });
});
