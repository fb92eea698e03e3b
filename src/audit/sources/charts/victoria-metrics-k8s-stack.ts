import type { ValuesView } from '../values-view.js';
import { readAlertmanagerValues } from './alertmanager-values.js';
import { type ChartContext, fullname } from './context.js';
import { readDefaultWatchdog } from './kube-prometheus-stack.js';
import { addChartAlertmanager, placementOf } from './workload.js';

/**
 * victoria-metrics-k8s-stack: `alertmanager.config` (or the chart's default, everything to
 * "blackhole"), `alertmanager.spec` (the VMAlertmanager: replicaCount, affinity,
 * topologySpreadConstraints, priorityClassName, podDisruptionBudget), and `defaultRules`,
 * whose general group defines Watchdog unless switched off.
 */

export function readVictoriaMetricsK8sStack(view: ValuesView, ctx: ChartContext): void {
  if ((view.bool('alertmanager', 'enabled') ?? true) === true) {
    const am = view.sub('alertmanager');
    readAlertmanagerValues(am, ctx, {
      defaultOf: 'victoria-metrics-k8s-stack',
      defaultAt: view.keyLocation('alertmanager') ?? ctx.anchor,
    });
    const spec = am.sub('spec');
    const name = `vmalertmanager-${fullname(ctx.release, 'victoria-metrics-k8s-stack', view.str('fullnameOverride'))}`;
    addChartAlertmanager(ctx, {
      kind: 'StatefulSet',
      name,
      defaultReplicas: 1,
      podLabels: { 'app.kubernetes.io/name': 'vmalertmanager', 'app.kubernetes.io/instance': name },
      pdb: spec.has('podDisruptionBudget'),
      location: view.keyLocation('alertmanager') ?? ctx.anchor,
      ...placementOf(spec, 'replicaCount'),
    });
  }
  readDefaultWatchdog(
    view,
    ctx,
    'victoria-metrics-k8s-stack defaultRules (general)',
    () =>
      view.bool('defaultRules', 'create') === false ||
      view.bool('defaultRules', 'groups', 'general', 'create') === false ||
      view.bool('defaultRules', 'rules', 'Watchdog', 'create') === false,
  );
}
