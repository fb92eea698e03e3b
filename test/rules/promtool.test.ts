import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { missingBinaryMessage, repoRoot, runCli } from '../helpers/cli.js';
import {
  DEPLOYED,
  expandAnnotations,
  groupsOf,
  promtool,
  type RuleFileGroup,
  readRepoFile,
  runPromtool,
  tempDir,
} from './helpers.js';

/**
 * The rule pack under the real promtool: `check rules` on every rendered format, and the unit
 * tests in test/rules/promtool/*.yml against the rule file committed in deploy/rules/ (or, for a
 * test file with `x-alertpath-set`, against `alertpath rules --set …`).
 */

const UNIT_DIR = join(repoRoot, 'test/rules/promtool');
const unitFiles = readdirSync(UNIT_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();

interface ExpAlert {
  exp_labels?: Record<string, string>;
  exp_annotations?: Record<string, string>;
  'x-value'?: number;
}
interface UnitDoc {
  'x-alertpath-set'?: string[];
  rule_files?: string[];
  tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: ExpAlert[] }> }>;
}

/** Writes the promtool test file: rule_files pointed at `rulesFile`, annotations filled in. */
function prepare(doc: UnitDoc, rulesFile: string, groups: RuleFileGroup[]): UnitDoc {
  const rules = new Map(groups.flatMap((g) => g.rules.map((r) => [r.alert, r] as const)));
  const out = structuredClone(doc);
  delete out['x-alertpath-set'];
  out.rule_files = [rulesFile];
  for (const t of out.tests)
    for (const a of t.alert_rule_test ?? []) {
      const rule = rules.get(a.alertname);
      assert.ok(rule, `unit test names unknown alert ${a.alertname}`);
      for (const exp of a.exp_alerts ?? []) {
        const value = exp['x-value'];
        delete exp['x-value'];
        exp.exp_annotations ??= expandAnnotations(rule, { ...exp.exp_labels, alertname: a.alertname }, value);
      }
    }
  return out;
}

describe('the rule pack under promtool', () => {
  it('promtool check rules accepts every rendered format (rule file, PrometheusRule spec, kps values)', (t) => {
    if (!promtool) return t.skip(missingBinaryMessage('promtool', 'prometheus'));
    const dir = tempDir('check');
    let checked = 0;
    for (const [format, path] of Object.entries(DEPLOYED)) {
      const groups = groupsOf(readRepoFile(path));
      assert.ok(groups.length >= 6, `${path}: ${groups.length} groups`);
      const file = join(dir, `${format}.rules.yaml`);
      writeFileSync(file, stringify({ groups }));
      const r = runPromtool(['check', 'rules', file]);
      assert.equal(r.code, 0, `${path}:\n${r.output}`);
      assert.match(r.output, /SUCCESS: 19 rules found/);
      checked++;
    }
    // and the plain rule file exactly as committed (comments and all)
    const r = runPromtool(['check', 'rules', join(repoRoot, DEPLOYED.rules)]);
    assert.equal(r.code, 0, r.output);
    assert.equal(checked, 3);
  });

  it('every alert of the pack has a unit test in which it fires', () => {
    const fired = new Set<string>();
    for (const f of unitFiles) {
      const doc = parse(readFileSync(join(UNIT_DIR, f), 'utf8')) as UnitDoc;
      for (const t of doc.tests)
        for (const a of t.alert_rule_test ?? []) if ((a.exp_alerts ?? []).length > 0) fired.add(a.alertname);
    }
    const alerts = groupsOf(readRepoFile(DEPLOYED.rules)).flatMap((g) => g.rules.map((r) => r.alert));
    assert.equal(alerts.length, 19);
    assert.deepEqual(
      alerts.filter((a) => a !== undefined && !fired.has(a)),
      [],
    );
  });

  assert.ok(unitFiles.length >= 6, `unit test files: ${unitFiles.join(', ')}`);
  for (const f of unitFiles) {
    it(`promtool test rules: ${f}`, async (t) => {
      if (!promtool) return t.skip(missingBinaryMessage('promtool', 'prometheus'));
      const dir = tempDir('unit');
      const doc = parse(readFileSync(join(UNIT_DIR, f), 'utf8')) as UnitDoc;
      const sets = doc['x-alertpath-set'];
      let rulesFile = join(repoRoot, DEPLOYED.rules);
      if (sets) {
        const r = await runCli(['rules', ...sets.flatMap((s) => ['--set', s])]);
        assert.equal(r.code, 0, r.stderr);
        rulesFile = join(dir, 'alertpath.rules.yaml');
        writeFileSync(rulesFile, r.stdout);
      }
      const prepared = prepare(doc, rulesFile, groupsOf(readFileSync(rulesFile, 'utf8')));
      const testFile = join(dir, f);
      writeFileSync(testFile, stringify(prepared, { lineWidth: 0 }));
      const r = runPromtool(['test', 'rules', testFile], dir);
      assert.equal(r.code, 0, `${f}:\n${r.output}`);
      assert.match(r.output, /SUCCESS/);
    });
  }
});
