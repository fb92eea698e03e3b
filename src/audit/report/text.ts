import type { AuditResult, Finding } from '../index.js';
import type { Location, Severity } from '../model.js';

/** One finding per line (FILE:LINE:COL severity rule message), its fix below, a summary last. */

const COLOURS: Record<Severity, string> = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m' };
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export function renderText(result: AuditResult, options: { color: boolean }): string {
  const paint = (code: string, s: string) => (options.color ? `${code}${s}${RESET}` : s);
  const lines: string[] = [];
  for (const f of result.findings) {
    lines.push(
      `${paint(BOLD, formatLocation(f.location))} ${paint(COLOURS[f.severity], f.severity)} ${paint(DIM, f.rule)} ${f.message}${embeddedSuffix(f)}`,
    );
    lines.push(`  fix: ${f.remediation}`);
  }
  for (const n of result.notes) lines.push(paint(DIM, `note: ${n.file}: ${n.message}`));
  lines.push(summaryLine(result));
  return `${lines.join('\n')}\n`;
}

export function formatLocation(l: Location): string {
  return `${l.file}:${l.line}:${l.column}`;
}

function embeddedSuffix(f: Finding): string {
  const e = f.location.embedded;
  return e ? ` [at ${e.name}:${e.line}:${e.column}]` : '';
}

export function summaryLine(result: AuditResult): string {
  const s = result.summary;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.info} info in ${plural(s.files, 'file')} (${s.seconds.toFixed(2)} s)`;
}
