import { formatDuration } from '../../lib/duration.js';
import type { AlertmanagerConfig, Severity, Workload } from '../model.js';
import { objectLabel } from '../model.js';
import type { RuleFinding } from './types.js';

/** Small shared wording for rule messages. */

export function configSubject(config: AlertmanagerConfig): Pick<RuleFinding, 'object' | 'ignore'> {
  return { ...(config.object ? { object: config.object } : {}), ignore: config.ignore };
}

export function workloadSubject(w: Workload): Pick<RuleFinding, 'object' | 'ignore'> {
  return { object: w.object, ignore: w.ignore };
}

export function workloadName(w: Workload): string {
  return objectLabel(w.object);
}

/** "(on the alert path: receiver "discord" sends to Service monitoring/proxy)". */
export function alertPathWhy(w: Workload): string {
  const reasons = w.alertPath.reasons;
  if (reasons.length === 0) return '';
  return ` (on the alert path: ${reasons.slice(0, 2).join('; ')})`;
}

export function pathSeverity(onPath: boolean): Severity {
  return onPath ? 'error' : 'warning';
}

export function duration(ms: number): string {
  return formatDuration(ms).replace(/ /g, '');
}

/** Workload kinds that run continuously with a replica count or one pod. */
export const REPLICATED_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Alertmanager']);
export const LONG_RUNNING_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'Alertmanager',
  'DaemonSet',
  'Pod',
]);

/** " (the kube-prometheus-stack chart's default config, as its values set none)", or "". */
export function chartDefault(config: AlertmanagerConfig): string {
  return config.chartDefault
    ? ` (the ${config.chartDefault} chart's default Alertmanager config, as the values set none)`
    : '';
}
