import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { AuditResult } from '../index.js';
import type { Severity } from '../model.js';
import { RULES } from '../rules/index.js';

/**
 * SARIF 2.1.0, as GitHub code scanning reads it: `tool.driver.rules` from the rule registry,
 * every result with a real startLine/startColumn, paths relative to the working directory.
 */

const LEVEL: Record<Severity, Result.level> = { error: 'error', warning: 'warning', info: 'note' };
const SECURITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0' };

export function renderSarif(result: AuditResult, options: { version: string }): string {
  const index = new Map(RULES.map((r, i) => [r.id, i]));
  const rules: ReportingDescriptor[] = RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: r.summary },
    fullDescription: { text: r.rationale },
    help: { text: `Fix: ${r.remediation}`, markdown: `**Why:** ${r.rationale}\n\n**Fix:** ${r.remediation}` },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: {
      tags: ['alert-path', r.id.split('-')[0] as string],
      'security-severity': SECURITY[r.severity],
    },
  }));
  const results: Result[] = result.findings.map((f) => {
    const r: Result = {
      ruleId: f.rule,
      level: LEVEL[f.severity],
      message: {
        text: f.location.embedded
          ? `${f.message} (at ${f.location.embedded.name}:${f.location.embedded.line}:${f.location.embedded.column})`
          : f.message,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: f.location.file.startsWith('/')
              ? { uri: toUri(f.location.file) }
              : { uri: toUri(f.location.file), uriBaseId: '%SRCROOT%' },
            region: { startLine: f.location.line, startColumn: f.location.column },
          },
          ...(f.object
            ? {
                logicalLocations: [
                  {
                    name: f.object.name,
                    kind: f.object.kind,
                    fullyQualifiedName: `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`,
                  },
                ],
              }
            : {}),
        },
      ],
      partialFingerprints: {
        'alertpath/v1': fingerprint(
          `${f.rule}|${f.location.file}|${f.object ? `${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name}` : f.location.line}|${f.message}`,
        ),
      },
    };
    const i = index.get(f.rule);
    if (i !== undefined) r.ruleIndex = i;
    return r;
  });
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'alertpath',
            informationUri: 'https://www.npmjs.com/package/alertpath',
            semanticVersion: options.version,
            version: options.version,
            rules,
          },
        },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { '%SRCROOT%': { uri: './' } },
        results,
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: result.notes.map((n) => ({
              level: 'note' as const,
              message: { text: `${n.file}: ${n.message}` },
            })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** A relative path as a URI reference (spaces, `<stdin>` and the like percent-encoded). */
function toUri(file: string): string {
  if (file.startsWith('/')) return `file://${encodeURI(file)}`;
  return encodeURI(file).replace(/#/g, '%23').replace(/\?/g, '%3F');
}

/** FNV-1a, 64-bit, hex: stable across runs and line moves. */
function fingerprint(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < s.length; i++) {
    h ^= BigInt(s.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}
