/**
 * The rule pack's shape. Rules are data: strings in which `$[key]` names a setting (see
 * settings.ts) and `{{ … }}` is Prometheus's own alert templating, left as is.
 */

export type Severity = 'none' | 'info' | 'warning' | 'critical';

export interface AlertRule {
  alert: string;
  /** PromQL; `$[key]` is replaced by the setting written as PromQL. */
  expr: string;
  /** A duration or `$[key]`; absent or zero: the alert fires on the first evaluation. */
  for?: string;
  severity: Severity;
  summary: string;
  description: string;
  runbookUrl?: string;
  /** Why the rule exists (docs and `--list`, not rendered). */
  why: string;
}

export interface RuleGroup {
  name: string;
  /** What the group watches, for `--list`. */
  summary: string;
  rules: readonly AlertRule[];
}
