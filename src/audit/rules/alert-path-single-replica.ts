import type { Model, Workload } from '../model.js';
import { sameNamespace } from '../selectors.js';
import { alertPathWhy, workloadName, workloadSubject } from './helpers.js';
import type { Rule, RuleFinding } from './types.js';

export const alertPathSingleReplica: Rule = {
  id: 'alert-path-single-replica',
  severity: 'error',
  severityNote: 'warning for Alertmanager itself',
  summary: 'An alert-path workload has fewer than 2 replicas.',
  rationale:
    'With one replica, the node it runs on is a single point of failure for alerting: when that node goes down, so does the path that would have told you. Alertmanager itself is a warning: a single instance is common in small clusters, but it is still one.',
  remediation:
    'run at least 2 replicas (or an HPA with minReplicas: 2), spread across nodes, with a PodDisruptionBudget.',
  check({ model }) {
    const out: RuleFinding[] = [];
    for (const w of model.workloads) {
      if (!w.alertPath.member) continue;
      if (
        w.object.kind !== 'Pod' &&
        !['Deployment', 'StatefulSet', 'ReplicaSet', 'Alertmanager'].includes(w.object.kind)
      )
        continue;
      const replicas = effectiveReplicas(model, w);
      if (replicas >= 2) continue;
      const written =
        w.object.kind === 'Pod'
          ? 'a bare Pod'
          : w.replicas === undefined
            ? 'replicas unset (1)'
            : `replicas: ${w.replicas}`;
      out.push({
        message: `${workloadName(w)} runs ${replicas} replica${replicas === 1 ? '' : 's'} (${written})${alertPathWhy(w)}.`,
        location: w.replicasLocation ?? w.location,
        severity: w.alertPath.isAlertmanager ? 'warning' : 'error',
        ...workloadSubject(w),
      });
    }
    return out;
  },
};

function effectiveReplicas(model: Model, w: Workload): number {
  if (w.object.kind === 'Pod') return 1;
  const hpa = model.hpas.find(
    (h) =>
      h.target.kind === w.object.kind &&
      h.target.name === w.object.name &&
      sameNamespace(h.object.namespace, w.object.namespace),
  );
  if (hpa) return hpa.minReplicas ?? 1;
  return w.replicas ?? 1;
}
