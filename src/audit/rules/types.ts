import type { DeadmanAnalysis } from '../deadman.js';
import type { Location, Model, ObjectRef, Severity } from '../model.js';

/** What a rule is: kube-linter / pint style, one file each, docs generated from these fields. */
export interface Rule {
  id: string;
  /** Default severity (the higher one when it depends on the alert path). */
  severity: Severity;
  /** How the severity varies, when it does ("warning when not on the alert path"). */
  severityNote?: string;
  summary: string;
  rationale: string;
  remediation: string;
  check(ctx: RuleContext): RuleFinding[];
}

export interface RuleContext {
  model: Model;
  deadmanAlerts: readonly string[];
  deadman: DeadmanAnalysis;
}

export interface RuleFinding {
  message: string;
  location: Location;
  object?: ObjectRef;
  /** Overrides the rule's default severity (for example warning off the alert path). */
  severity?: Severity;
  /** Rules this finding's subject switches off (`alertpath.dev/ignore`). */
  ignore?: ReadonlySet<string>;
}
