import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Log } from 'sarif';
import { RULES, renderRulesMarkdown } from '../../src/audit/rules/index.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { AUDIT_FIXTURES, auditJson } from './helpers.js';

/** Report formats, --output, --list-rules, exit codes, and the generated rules page. */

const BROKEN = join(AUDIT_FIXTURES, 'seed', 'broken');
const FIXED = join(AUDIT_FIXTURES, 'seed', 'fixed');
const tmp = mkdtempSync(join(tmpdir(), 'alertpath-audit-out-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function sarifValidator() {
  const schema = JSON.parse(readFileSync(join(AUDIT_FIXTURES, 'sarif-schema-2.1.0.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  // The schema is draft-04 ("id", "$schema"); ajv speaks draft-07, which reads it the same way.
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('SARIF', () => {
  it('is valid SARIF 2.1.0, with rules from the registry and real line and column numbers', async () => {
    const res = await runCli(['audit', '--format', 'sarif', '.'], { cwd: BROKEN });
    assert.equal(res.code, 1, res.stderr);
    const log = JSON.parse(res.stdout) as Log;
    const validate = sarifValidator();
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    // the validator does reject what SARIF forbids
    const broken = JSON.parse(res.stdout) as Log;
    const region = broken.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.region;
    assert.ok(region);
    region.startColumn = 0;
    assert.equal(validate(broken), false);
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.ok(run);
    assert.deepEqual(
      run.tool.driver.rules?.map((r) => r.id),
      RULES.map((r) => r.id),
    );
    const json = await auditJson(['.'], { cwd: BROKEN });
    assert.equal(run.results?.length, json.report.findings.length);
    for (const [i, r] of (run.results ?? []).entries()) {
      const f = json.report.findings[i];
      const region = r.locations?.[0]?.physicalLocation?.region;
      assert.equal(r.ruleId, f?.rule);
      assert.equal(r.level, f?.severity === 'info' ? 'note' : f?.severity);
      assert.equal(region?.startLine, f?.line);
      assert.equal(region?.startColumn, f?.column);
      assert.equal(r.locations?.[0]?.physicalLocation?.artifactLocation?.uri, f?.file);
      assert.equal(run.tool.driver.rules?.[r.ruleIndex ?? -1]?.id, r.ruleId);
    }
  });

  it('stays valid with no findings, notes, and stdin paths', async () => {
    const empty = await runCli(['audit', '--format', 'sarif', '.'], { cwd: FIXED });
    assert.equal(empty.code, 0);
    const validate = sarifValidator();
    assert.ok(validate(JSON.parse(empty.stdout)), JSON.stringify(validate.errors));
    const stdin = await runCli(['audit', '--format', 'sarif', '-'], {
      input: 'image: nginx\nx: ${ARG}\nimage2: {{ x }}\n',
    });
    assert.ok(validate(JSON.parse(stdin.stdout)), JSON.stringify(validate.errors));
  });
});

describe('JSON', () => {
  it('has version, findings with file/line/column/object, and a summary', async () => {
    const { report, code } = await auditJson(['.'], { cwd: BROKEN });
    assert.equal(code, 1);
    assert.equal(report.version, 1);
    assert.deepEqual(
      {
        errors: report.summary.errors,
        warnings: report.summary.warnings,
        info: report.summary.info,
        files: report.summary.files,
      },
      { errors: 4, warnings: 2, info: 1, files: 3 },
    );
    const f = report.findings.find((x) => x.rule === 'alert-path-no-pdb');
    assert.deepEqual(Object.keys(f ?? {}).sort(), [
      'column',
      'file',
      'line',
      'message',
      'object',
      'remediation',
      'rule',
      'severity',
    ]);
    assert.deepEqual(f?.object, { kind: 'Deployment', namespace: 'monitoring', name: 'discord-alert-proxy' });
  });
});

describe('text', () => {
  it('colours severities only on a TTY (or FORCE_COLOR), never in --output files', async () => {
    const plain = await runCli(['audit', '.'], { cwd: BROKEN, env: { NO_COLOR: '', FORCE_COLOR: '' } });
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    const forced = await runCli(['audit', '.'], { cwd: BROKEN, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    assert.match(forced.stdout, /\x1b\[31merror\x1b\[0m/);
    const file = join(tmp, 'report.txt');
    const written = await runCli(['audit', '--output', file, '.'], {
      cwd: BROKEN,
      env: { NO_COLOR: '', FORCE_COLOR: '1' },
    });
    assert.equal(written.code, 1);
    assert.equal(written.stdout, '');
    assert.doesNotMatch(readFileSync(file, 'utf8'), /\x1b\[/);
    assert.match(readFileSync(file, 'utf8'), /deadman-to-null/);
    assert.match(written.stderr, /^4 errors, 2 warnings, 1 info in 3 files/m);
  });
});

describe('exit codes and --fail-on', () => {
  it('0 when nothing reaches --fail-on, 1 when something does', async () => {
    const cases: Array<[string, string, number]> = [
      [BROKEN, 'error', 1],
      [BROKEN, 'never', 0],
      [FIXED, 'error', 0],
      [FIXED, 'info', 0],
    ];
    for (const [dir, failOn, code] of cases) {
      const res = await runCli(['audit', '--fail-on', failOn, '.'], { cwd: dir });
      assert.equal(res.code, code, `${dir} --fail-on ${failOn}`);
    }
    const warnOnly = await runCli(
      [
        'audit',
        '--rule',
        'deadman-to-null=warning',
        '--rule',
        'alert-path-single-replica=off',
        '--rule',
        'alert-path-no-pdb=off',
        '--rule',
        'runtime-install=info',
        '.',
      ],
      { cwd: BROKEN },
    );
    assert.equal(warnOnly.code, 0);
    const failWarn = await runCli(
      [
        'audit',
        '--fail-on',
        'warning',
        '--rule',
        'deadman-to-null=warning',
        '--rule',
        'alert-path-single-replica=off',
        '--rule',
        'alert-path-no-pdb=off',
        '--rule',
        'runtime-install=info',
        '.',
      ],
      { cwd: BROKEN },
    );
    assert.equal(failWarn.code, 1);
  });

  it('2 with one line for usage errors and unreadable input', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['audit', '--format', 'xml', '.'], /--format must be text, json or sarif/],
      [['audit', '--fail-on', 'sometimes', '.'], /--fail-on must be/],
      [['audit', '--rule', 'nope=off', '.'], /--rule nope: unknown rule/],
      [['audit', '--rule', 'deadman-to-null=loud', '.'], /level must be off, info, warning or error/],
      [['audit', '--rule', 'deadman-to-null', '.'], /expected ID=off\|info\|warning\|error/],
      [['audit', 'no/such/path'], /no\/such\/path: no such file or directory/],
      [['audit', '--config', 'missing.yaml', '.'], /--config missing.yaml: ENOENT/],
      [['audit', '--registry-timeout', 'soon', '.'], /invalid --registry-timeout "soon"/],
      [['audit', '--registry-concurrency', '0', '.'], /--registry-concurrency must be/],
      [['audit', '--bogus'], /unknown option '--bogus'/],
      [['audit', 'docs'], /no readable input in docs/],
    ];
    for (const [args, pattern] of cases) {
      const res = await runCli(args, { cwd: repoRoot });
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.equal(res.stderr.trim().split('\n').length, 1, res.stderr);
      assert.match(res.stderr, pattern);
      assert.equal(res.stdout, '');
    }
  });
});

describe('--list-rules', () => {
  it('lists every rule as text, one per line', async () => {
    const res = await runCli(['audit', '--list-rules']);
    assert.equal(res.code, 0);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines.length, RULES.length);
    for (const [i, r] of RULES.entries())
      assert.match(lines[i] ?? '', new RegExp(`^${r.id} +${r.severity} +`));
  });

  it('lists every rule as JSON with its docs', async () => {
    const res = await runCli(['audit', '--list-rules', '--format', 'json']);
    assert.equal(res.code, 0);
    const rules = JSON.parse(res.stdout) as Array<Record<string, string>>;
    assert.deepEqual(
      rules.map((r) => r.id),
      RULES.map((r) => r.id),
    );
    for (const r of rules) {
      for (const key of ['id', 'severity', 'summary', 'rationale', 'remediation'])
        assert.ok(r[key], `${r.id}.${key}`);
    }
    const sarif = await runCli(['audit', '--list-rules', '--format', 'sarif']);
    assert.equal(sarif.code, 2);
  });
});

describe('docs/audit-rules.md', () => {
  it('is current (regenerate it with renderRulesMarkdown())', () => {
    const onDisk = readFileSync(join(repoRoot, 'docs/audit-rules.md'), 'utf8');
    assert.equal(onDisk, renderRulesMarkdown());
    for (const r of RULES) assert.match(onDisk, new RegExp(`^## ${r.id}$`, 'm'));
  });
});
