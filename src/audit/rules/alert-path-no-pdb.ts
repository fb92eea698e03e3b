import { labelSelectorSelects, sameNamespace } from '../selectors.js';
import { alertPathWhy, workloadName, workloadSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

const KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Alertmanager', 'Pod']);

export const alertPathNoPdb: Rule = {
  id: 'alert-path-no-pdb',
  severity: 'error',
  summary: "No PodDisruptionBudget in the namespace selects the alert-path workload's pods.",
  rationale:
    'Without a PodDisruptionBudget, a node drain or cluster upgrade may evict every replica at once, and alerts have nowhere to go while they reschedule.',
  remediation:
    'add a PodDisruptionBudget with minAvailable: 1 (or maxUnavailable: 1) whose selector matches the pods.',
  check({ model }) {
    const out: RuleFinding[] = [];
    const byNamespace = new Map<string, typeof model.pdbs>();
    for (const p of model.pdbs) {
      const key = p.object.namespace ?? '';
      const list = byNamespace.get(key);
      if (list) list.push(p);
      else byNamespace.set(key, [p]);
    }
    for (const w of model.workloads) {
      if (!w.alertPath.member || !KINDS.has(w.object.kind)) continue;
      const pdbs =
        w.object.namespace === undefined
          ? model.pdbs
          : [...(byNamespace.get(w.object.namespace) ?? []), ...(byNamespace.get('') ?? [])];
      const covered = pdbs.some(
        (p) =>
          p.selector !== undefined &&
          sameNamespace(p.object.namespace, w.object.namespace) &&
          labelSelectorSelects(p.selector, w.podLabels),
      );
      if (covered) continue;
      out.push({
        message: `no PodDisruptionBudget selects the pods of ${workloadName(w)}${alertPathWhy(w)}.`,
        location: w.location,
        ...workloadSubject(w),
      });
    }
    return out;
  },
};
