import type { Location, ObjectRef, Workload, WorkloadKind } from '../../model.js';
import { antiAffinityKeys, topologySpreadKeys } from '../kubernetes.js';
import type { Found, ValuesView } from '../values-view.js';
import type { ChartContext } from './context.js';

/**
 * The Alertmanager a chart deploys, as a workload of the model, so the alert-path rules judge it
 * as they judge a manifest: replicas (the chart's default when unset), spread, priority and the
 * PodDisruptionBudget the chart creates when its values ask for one.
 */

export interface ChartAlertmanager {
  kind: WorkloadKind;
  name: string;
  replicas?: Found;
  defaultReplicas: number;
  affinity?: Found;
  /** The charts' `podAntiAffinity: soft|hard` shortcut, with its topology key. */
  podAntiAffinity?: string;
  podAntiAffinityTopologyKey?: string;
  topologySpreadConstraints?: Found;
  priorityClassName?: string;
  podLabels: Record<string, string>;
  /** The chart creates a PodDisruptionBudget for these pods. */
  pdb: boolean;
  image?: string;
  /** Where the workload is reported when no replicas line says more (the chart's `alertmanager:` key). */
  location?: Location;
}

type Placement = Pick<
  ChartAlertmanager,
  | 'replicas'
  | 'affinity'
  | 'podAntiAffinity'
  | 'podAntiAffinityTopologyKey'
  | 'topologySpreadConstraints'
  | 'priorityClassName'
>;

/**
 * What a chart's values say about where its Alertmanager's pods run: the replicas key (charts
 * call it `replicas` or `replicaCount`), affinity, the `podAntiAffinity: soft|hard` shortcut with
 * its topology key, topology spread and priority. Only the keys the values set.
 */
export function placementOf(view: ValuesView, replicasKey: 'replicas' | 'replicaCount'): Placement {
  const replicas = view.get(replicasKey);
  const affinity = view.get('affinity');
  const aa = view.str('podAntiAffinity');
  const key = view.str('podAntiAffinityTopologyKey');
  const tsc = view.get('topologySpreadConstraints');
  const priority = view.str('priorityClassName');
  return {
    ...(replicas ? { replicas } : {}),
    ...(affinity ? { affinity } : {}),
    ...(aa ? { podAntiAffinity: aa } : {}),
    ...(key ? { podAntiAffinityTopologyKey: key } : {}),
    ...(tsc ? { topologySpreadConstraints: tsc } : {}),
    ...(priority ? { priorityClassName: priority } : {}),
  };
}

export function addChartAlertmanager(ctx: ChartContext, am: ChartAlertmanager): Workload {
  const object: ObjectRef & { kind: WorkloadKind } = {
    kind: am.kind,
    name: am.name,
    ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
  };
  const antiAffinity = am.affinity ? antiAffinityKeys(am.affinity.y, am.affinity.node) : [];
  if (am.podAntiAffinity === 'soft' || am.podAntiAffinity === 'hard')
    antiAffinity.push(am.podAntiAffinityTopologyKey ?? 'kubernetes.io/hostname');
  const spread = am.topologySpreadConstraints
    ? topologySpreadKeys(am.topologySpreadConstraints.y, am.topologySpreadConstraints.node)
    : [];
  const workload: Workload = {
    object,
    location: am.location ?? ctx.anchor,
    labels: {},
    podLabels: am.podLabels,
    containers: am.image
      ? [{ name: 'alertmanager', type: 'container', image: am.image, location: ctx.anchor, mounts: [] }]
      : [],
    configMapVolumes: [],
    antiAffinityTopologyKeys: antiAffinity,
    topologySpreadKeys: spread,
    alertPath: {
      member: true,
      isAlertmanager: true,
      reasons: [`it is the Alertmanager that ${ctx.what} (chart ${ctx.chart}) deploys`],
    },
    ignore: ctx.subject.ignore,
  };
  const replicas = am.replicas ? am.replicas.y.num(am.replicas.node) : undefined;
  if (am.replicas && replicas !== undefined) {
    workload.replicas = replicas;
    workload.replicasLocation = am.replicas.y.at(am.replicas.node);
  } else if (am.defaultReplicas !== 1) {
    workload.replicas = am.defaultReplicas;
  }
  if (am.priorityClassName) workload.priorityClassName = am.priorityClassName;
  ctx.model.workloads.push(workload);
  if (am.pdb) {
    ctx.model.pdbs.push({
      object: { ...object, kind: 'PodDisruptionBudget' },
      location: am.location ?? ctx.anchor,
      selector: { matchLabels: am.podLabels, matchExpressions: [] },
      ignore: ctx.subject.ignore,
    });
  }
  return workload;
}
