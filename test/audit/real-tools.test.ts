import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { findBinary, missingBinaryMessage, repoRoot } from '../helpers/cli.js';

/**
 * The audit's fixtures and the shipped examples are what the real tools accept: every standalone
 * Alertmanager config passes `amtool check-config`, and every rule file (and PrometheusRule's
 * spec) passes `promtool check rules`. A fixture the real tool refuses would prove nothing.
 */

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

const fixtures = yamlFiles(join(repoRoot, 'test/fixtures/audit')).concat(
  yamlFiles(join(repoRoot, 'deploy/kubernetes')),
);
const alertmanagerConfigs = fixtures.filter(
  (f) => /^route:/m.test(readFileSync(f, 'utf8')) && /^receivers:/m.test(readFileSync(f, 'utf8')),
);
const ruleFiles = fixtures.filter((f) => /^groups:/m.test(readFileSync(f, 'utf8')));
const prometheusRules = fixtures.filter((f) => /^kind: PrometheusRule$/m.test(readFileSync(f, 'utf8')));

function check(tool: string, args: string[], file: string): void {
  const r = spawnSync(tool, [...args, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${tool} refuses ${relative(repoRoot, file)}:\n${r.stdout}${r.stderr}`);
}

describe('fixtures against the real tools', () => {
  const amtool = findBinary('amtool');
  const promtool = findBinary('promtool');

  it('finds fixtures of each kind (so the checks below check something)', () => {
    assert.ok(alertmanagerConfigs.length >= 10, `alertmanager configs: ${alertmanagerConfigs.length}`);
    assert.ok(ruleFiles.length >= 2, `rule files: ${ruleFiles.length}`);
    assert.ok(prometheusRules.length >= 1, `PrometheusRules: ${prometheusRules.length}`);
  });

  it('every standalone Alertmanager config passes amtool check-config', (t) => {
    if (!amtool) return t.skip(missingBinaryMessage('amtool', 'prometheus-alertmanager'));
    for (const file of alertmanagerConfigs) check(amtool, ['check-config'], file);
  });

  it('every rule file and PrometheusRule spec passes promtool check rules', (t) => {
    if (!promtool) return t.skip(missingBinaryMessage('promtool', 'prometheus'));
    for (const file of ruleFiles) check(promtool, ['check', 'rules'], file);
    const dir = mkdtempSync(join(tmpdir(), 'alertpath-rules-'));
    for (const file of prometheusRules) {
      const docs = parseAllDocuments(readFileSync(file, 'utf8')).map(
        (d) => d.toJS() as Record<string, unknown> | null,
      );
      docs.forEach((doc, i) => {
        if (doc?.kind !== 'PrometheusRule') return;
        const out = join(dir, `${relative(repoRoot, file).replaceAll('/', '_')}.${i}.rules.json`);
        writeFileSync(out, JSON.stringify({ groups: (doc.spec as { groups: unknown }).groups }));
        check(promtool, ['check', 'rules'], out);
      });
    }
  });
});
