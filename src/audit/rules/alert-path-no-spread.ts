import { alertPathWhy, REPLICATED_KINDS, workloadName, workloadSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

const HOSTNAME = 'kubernetes.io/hostname';

export const alertPathNoSpread: Rule = {
  id: 'alert-path-no-spread',
  severity: 'warning',
  summary: 'No podAntiAffinity or topologySpreadConstraints on kubernetes.io/hostname.',
  rationale:
    'Replicas that may all land on one node fail together with that node: two replicas on the same host are one replica.',
  remediation:
    'add a preferred podAntiAffinity term, or a topologySpreadConstraint, with topologyKey: kubernetes.io/hostname.',
  check({ model }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      if (!w.alertPath.member || !REPLICATED_KINDS.has(w.object.kind)) continue;
      if (w.antiAffinityTopologyKeys.includes(HOSTNAME) || w.topologySpreadKeys.includes(HOSTNAME)) continue;
      out.push({
        message: `${workloadName(w)} has nothing that spreads its pods across nodes${alertPathWhy(w)}.`,
        location: w.location,
        ...workloadSubject(w),
      });
    }
    return out;
  },
};
