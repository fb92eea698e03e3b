import type { AuditResult } from '../index.js';

/** `{"version":1,"findings":[…],"summary":{…},"notes":[…]}`, one JSON document. */
export function renderJson(result: AuditResult): string {
  const doc = {
    version: 1,
    findings: result.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      remediation: f.remediation,
      file: f.location.file,
      line: f.location.line,
      column: f.location.column,
      ...(f.location.embedded ? { embedded: f.location.embedded } : {}),
      ...(f.object ? { object: f.object } : {}),
    })),
    summary: {
      errors: result.summary.errors,
      warnings: result.summary.warnings,
      info: result.summary.info,
      files: result.summary.files,
      seconds: Math.round(result.summary.seconds * 1000) / 1000,
    },
    notes: result.notes,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
