import { alertPathWhy, LONG_RUNNING_KINDS, workloadName, workloadSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

export const alertPathNoPriority: Rule = {
  id: 'alert-path-no-priority',
  severity: 'warning',
  summary: 'An alert-path workload has no priorityClassName.',
  rationale:
    'Under resource pressure, pods without a priority class are the first to be evicted and the last to be scheduled again: the alert path should be the last thing to go.',
  remediation:
    'set priorityClassName (for example system-cluster-critical, or a class of your own with a high value).',
  check({ model }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      if (!w.alertPath.member || !LONG_RUNNING_KINDS.has(w.object.kind) || w.priorityClassName) continue;
      out.push({
        message: `${workloadName(w)} has no priorityClassName${alertPathWhy(w)}.`,
        location: w.location,
        ...workloadSubject(w),
      });
    }
    return out;
  },
};
