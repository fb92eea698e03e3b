import { alertPathNoPdb } from './alert-path-no-pdb.js';
import { alertPathNoPriority } from './alert-path-no-priority.js';
import { alertPathNoSpread } from './alert-path-no-spread.js';
import { alertPathSingleReplica } from './alert-path-single-replica.js';
import { deadmanRuleMissing } from './deadman-rule-missing.js';
import { deadmanSendResolved } from './deadman-send-resolved.js';
import { deadmanSlowRepeat } from './deadman-slow-repeat.js';
import { deadmanToNull } from './deadman-to-null.js';
import { deadmanUnrouted } from './deadman-unrouted.js';
import { imageMissing } from './image-missing.js';
import { imageMutableTag } from './image-mutable-tag.js';
import { imageUnpinned } from './image-unpinned.js';
import { imageUnverified } from './image-unverified.js';
import { inputEncrypted } from './input-encrypted.js';
import { inputUnreadable } from './input-unreadable.js';
import { runtimeInstall } from './runtime-install.js';
import type { Rule } from './types.js';
import { yamlInvalid } from './yaml-invalid.js';

export type { Rule, RuleContext, RuleFinding } from './types.js';

/** Every rule, in the order the docs list them. `--list-rules`, SARIF and docs come from here. */
export const RULES: readonly Rule[] = [
  deadmanToNull,
  deadmanUnrouted,
  deadmanSendResolved,
  deadmanSlowRepeat,
  deadmanRuleMissing,
  alertPathSingleReplica,
  alertPathNoPdb,
  alertPathNoSpread,
  alertPathNoPriority,
  runtimeInstall,
  imageMutableTag,
  imageUnpinned,
  imageMissing,
  imageUnverified,
  yamlInvalid,
  inputEncrypted,
  inputUnreadable,
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

export function findRule(id: string): Rule | undefined {
  return BY_ID.get(id);
}

export function ruleIds(): string[] {
  return RULES.map((r) => r.id);
}

/** `--list-rules --format json`. */
export function rulesAsJson(): Array<Omit<Rule, 'check'>> {
  return RULES.map(({ check: _check, ...rest }) => rest);
}

/** `--list-rules` (text). */
export function renderRulesText(): string {
  const width = Math.max(...RULES.map((r) => r.id.length));
  return `${RULES.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}${r.severityNote ? ` (${r.severityNote})` : ''}`).join('\n')}\n`;
}

/** docs/audit-rules.md, generated; a test keeps the file current. */
export function renderRulesMarkdown(): string {
  const lines: string[] = [
    '# `alertpath audit` rules',
    '',
    '<!-- Generated from src/audit/rules/ by renderRulesMarkdown(); do not edit by hand. -->',
    '',
    "Set a rule's severity with `--rule ID=off|info|warning|error` or in `.alertpath.yaml`",
    '(`rules: { ID: off }`); silence it for one object with the annotation',
    '`alertpath.dev/ignore: "ID[,ID…]"` on the object or its pod template.',
    '',
    '| id | default | summary |',
    '|---|---|---|',
    ...RULES.map(
      (r) =>
        `| [\`${r.id}\`](#${r.id}) | ${r.severity}${r.severityNote ? ` (${r.severityNote})` : ''} | ${escapeCell(r.summary)} |`,
    ),
    '',
  ];
  for (const r of RULES) {
    lines.push(
      `## ${r.id}`,
      '',
      `**Default severity:** ${r.severity}${r.severityNote ? ` (${r.severityNote})` : ''}`,
      '',
      r.summary,
      '',
      `**Why:** ${r.rationale}`,
      '',
      `**Fix:** ${r.remediation}`,
      '',
    );
  }
  return lines.join('\n');
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}
