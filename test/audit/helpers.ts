import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { type CliResult, repoRoot, runCli } from '../helpers/cli.js';

/** Shared pieces of the audit tests: run `alertpath audit --format json` and read the report. */

export const AUDIT_FIXTURES = join(repoRoot, 'test/fixtures/audit');

export interface JsonFinding {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  remediation: string;
  file: string;
  line: number;
  column: number;
  embedded?: { name: string; line: number; column: number };
  object?: { kind: string; namespace?: string; name: string };
}

export interface JsonReport {
  version: number;
  findings: JsonFinding[];
  summary: { errors: number; warnings: number; info: number; files: number; seconds: number };
  notes: Array<{ file: string; message: string }>;
}

export interface AuditRun extends CliResult {
  report: JsonReport;
}

/**
 * Like runCli, but it also works with a working directory outside the repository when running
 * from source: `--import tsx` is resolved to an absolute URL first.
 */

export async function auditJson(
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<AuditRun> {
  const res = await runCli(['audit', '--format', 'json', ...args], {
    ...options,
    env: { NO_COLOR: '1', ...options.env },
  });
  let report: JsonReport;
  try {
    report = JSON.parse(res.stdout) as JsonReport;
  } catch {
    throw new Error(`no JSON report (exit ${res.code})\nstdout: ${res.stdout}\nstderr: ${res.stderr}`);
  }
  return { ...res, report };
}

export function byRule(report: JsonReport, rule: string): JsonFinding[] {
  return report.findings.filter((f) => f.rule === rule);
}

export function walkFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walkFiles(p) : [p];
  });
}

/**
 * `expect: RULE` on a line (or `expect-below: RULE` on the line before, for Dockerfiles) marks
 * where a fixture expects a finding. Returns file (relative to `dir`), line and rule.
 */
export function expectedMarkers(dir: string): Array<{ file: string; line: number; rule: string }> {
  const out: Array<{ file: string; line: number; rule: string }> = [];
  for (const file of walkFiles(dir)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        for (const m of text.matchAll(/expect(-below)?: ([a-z-]+)/g)) {
          out.push({ file: relative(dir, file), line: i + 1 + (m[1] ? 1 : 0), rule: m[2] as string });
        }
      });
  }
  return out;
}

/** Line (1-based) of the first line of `file` containing `needle`. */
export function lineOf(file: string, needle: string, from = 1): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = from - 1; i < lines.length; i++) if ((lines[i] as string).includes(needle)) return i + 1;
  throw new Error(`${needle} not in ${file}`);
}

export function columnOf(file: string, line: number, needle: string): number {
  const text = readFileSync(file, 'utf8').split('\n')[line - 1] ?? '';
  const i = text.indexOf(needle);
  if (i === -1) throw new Error(`${needle} not on ${file}:${line}`);
  return i + 1;
}

/** Temporary repositories made of `files` (path → content), removed by `cleanup()`. */
export function tempRepos(): { repo(files: Record<string, string | Buffer>): string; cleanup(): void } {
  const dirs: string[] = [];
  return {
    repo(files) {
      const dir = mkdtempSync(join(tmpdir(), 'alertpath-audit-'));
      dirs.push(dir);
      for (const [name, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
      return dir;
    },
    cleanup() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Indents every non-empty line of `text` by `by` spaces (to embed YAML in YAML). */
export function indent(text: string, by: number): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `${' '.repeat(by)}${l}`))
    .join('\n');
}
