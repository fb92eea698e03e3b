import type { Location, Model, Subject } from '../../model.js';

/** What a chart's values are read for: the release they belong to, and where to report. */
export interface ChartContext {
  model: Model;
  /** The chart's name, as charts/index.ts normalises it (`kube-prometheus-stack`). */
  chart: string;
  release: string;
  namespace?: string;
  /** The HelmRelease or Application (findings carry it, its annotations can ignore rules). */
  subject: Subject;
  /** Where findings about the release as a whole go (its values, or the object). */
  anchor: Location;
  /** "HelmRelease monitoring/kube-prometheus-stack", for messages. */
  what: string;
  /**
   * Some of the values are in files audit does not read through the release (Argo CD
   * `helm.valueFiles`): nothing is assumed from the chart's defaults, since those files may set it.
   */
  valuesIncomplete?: boolean;
}

/** Helm's fullname: the release name, or release-chart unless the release already holds it. */
export function fullname(release: string, chart: string, fullnameOverride?: string, max = 63): string {
  const name = fullnameOverride ?? (release.includes(chart) ? release : `${release}-${chart}`);
  return name.slice(0, max).replace(/-+$/, '');
}
