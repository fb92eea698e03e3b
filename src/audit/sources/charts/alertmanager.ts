import type { ValuesView } from '../values-view.js';
import { readAlertmanagerValues } from './alertmanager-values.js';
import { type ChartContext, fullname } from './context.js';
import { addChartAlertmanager, placementOf } from './workload.js';

/**
 * The prometheus-community `alertmanager` chart (also the `prometheus` chart's bundled
 * Alertmanager): `config` (or the chart's default, whose one receiver has no integrations),
 * a StatefulSet of `replicaCount` (default 1), `affinity`, `podAntiAffinity`,
 * `topologySpreadConstraints`, `priorityClassName`, and a PodDisruptionBudget when
 * `podDisruptionBudget` is set.
 */

export function readAlertmanagerChart(view: ValuesView, ctx: ChartContext): void {
  const configEnabled = view.bool('config', 'enabled');
  if (configEnabled === false) {
    ctx.model.notes.push({
      file: ctx.anchor.file,
      message: `${ctx.anchor.line}:${ctx.anchor.column}: ${ctx.what}: config.enabled is false, the Alertmanager config comes from elsewhere (configmapOverride)`,
    });
  } else {
    readAlertmanagerValues(view, ctx, { defaultOf: 'alertmanager' });
  }
  const name = fullname(
    ctx.release,
    view.str('nameOverride') ?? 'alertmanager',
    view.str('fullnameOverride'),
  );
  const pdb = view.get('podDisruptionBudget');
  const tag = view.str('image', 'tag');
  const repo = view.str('image', 'repository');
  addChartAlertmanager(ctx, {
    kind: 'StatefulSet',
    name,
    defaultReplicas: 1,
    podLabels: {
      'app.kubernetes.io/name': view.str('nameOverride') ?? 'alertmanager',
      'app.kubernetes.io/instance': ctx.release,
    },
    pdb: pdb !== undefined && pdb.y.entries(pdb.node).length > 0,
    ...(repo ? { image: `${repo}${tag ? `:${tag}` : ''}` } : {}),
    ...placementOf(view, 'replicaCount'),
  });
}
