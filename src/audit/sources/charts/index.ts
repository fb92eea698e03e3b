import { looksLikeAlertmanagerConfig, readAlertmanagerConfig } from '../alertmanager-config.js';
import { walkImages } from '../helm-values.js';
import { ValuesView } from '../values-view.js';
import { readAlertmanagerChart } from './alertmanager.js';
import type { ChartContext } from './context.js';
import { readExtraRules, readKubePrometheusStack } from './kube-prometheus-stack.js';
import { readPrometheusChart } from './prometheus.js';
import { readVictoriaMetricsK8sStack } from './victoria-metrics-k8s-stack.js';

export type { ChartContext } from './context.js';

/**
 * Values read by chart. A release's chart (a HelmRelease's `spec.chart.spec.chart` or
 * `chartRef`, an Application's `chart`, an umbrella chart's dependency) says what its values
 * mean; a chart audit does not know is read for image references and, when its values are shaped
 * like kube-prometheus-stack's, for `alertmanager.config` and extra rules.
 */

const READERS: Record<string, (view: ValuesView, ctx: ChartContext) => void> = {
  'kube-prometheus-stack': readKubePrometheusStack,
  alertmanager: readAlertmanagerChart,
  prometheus: readPrometheusChart,
  'victoria-metrics-k8s-stack': readVictoriaMetricsK8sStack,
};

export const KNOWN_CHARTS: readonly string[] = Object.keys(READERS);

/**
 * A chart reference as a chart name: `prometheus-community/kube-prometheus-stack`,
 * `oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack:65.1.0` and
 * `./charts/kube-prometheus-stack` all name `kube-prometheus-stack`.
 */
export function chartName(ref: string): string {
  const noTag = ref.trim().replace(/@sha256:[0-9a-f]+$/i, '');
  const last = noTag.replace(/\/+$/, '').split('/').pop() ?? noTag;
  return last.replace(/:[^:]*$/, '').toLowerCase();
}

export function isAlertingChart(chart: string): boolean {
  return chart in READERS;
}

/** Reads the values of one release of `ctx.chart`, and the images in them. */
export function readChartValues(view: ValuesView, ctx: ChartContext, images = true): void {
  const reader = READERS[ctx.chart];
  if (reader) reader(view, ctx);
  else {
    readUnknownChart(view, ctx);
    // a chart of the repository that is an umbrella: its dependencies' values, once every
    // Chart.yaml has been seen
    if (ctx.chart !== '' && !ctx.chart.includes('{{'))
      ctx.model.deferred.push(() => {
        const chart = ctx.model.charts.get(ctx.chart);
        // the chart's own values.yaml under the release's values, as Helm merges them
        if (chart)
          readUmbrellaValues(new ValuesView([...chart.values, ...view.layers]), chart.dependencies, ctx);
      });
  }
  if (images) {
    const extra = {
      ...(ctx.subject.object ? { object: ctx.subject.object } : {}),
      ignore: ctx.subject.ignore,
    };
    for (const root of view.roots()) walkImages(root.y, root.node, ctx.model, 0, extra);
  }
}

function readUnknownChart(view: ValuesView, ctx: ChartContext): void {
  const config = view.get('alertmanager', 'config');
  if (
    (view.bool('alertmanager', 'enabled') ?? true) &&
    config &&
    looksLikeAlertmanagerConfig(config.y, config.node)
  ) {
    readAlertmanagerConfig(
      config.y,
      config.node,
      {
        origin: 'helm-values',
        style: 'native',
        subject: ctx.subject,
        ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
      },
      ctx.model,
    );
  }
  readExtraRules(view, ctx);
}

export interface ChartDependency {
  name: string;
  alias?: string;
  /** `condition:` (`kube-prometheus-stack.enabled`), checked against the values. */
  condition?: string;
  /** The dependency's own dependencies, when it is a chart in the repository. */
  dependencies?: ChartDependency[];
}

/**
 * An umbrella chart's values: each dependency's values are under its alias or name, at any depth
 * (an umbrella of umbrellas), and are read as that chart's.
 */
export function readUmbrellaValues(
  view: ValuesView,
  dependencies: readonly ChartDependency[],
  ctx: ChartContext,
  depth = 0,
): void {
  if (depth > 8) return;
  for (const dep of dependencies) {
    const key = dep.alias ?? dep.name;
    if (!view.has(key)) {
      if (!isAlertingChart(chartName(dep.name))) continue;
    }
    if (dep.condition) {
      const enabled = dep.condition
        .split(',')
        .map((c) => view.bool(...c.trim().split('.')))
        .find((v) => v !== undefined);
      if (enabled === false) continue;
    }
    const sub = view.sub(key);
    const where = view.get(key);
    const child: ChartContext = {
      ...ctx,
      chart: chartName(dep.name),
      anchor: view.keyLocation(key) ?? (where ? where.y.at(where.node) : ctx.anchor),
      what: `${ctx.what}, dependency ${key}`,
    };
    readChartValues(sub, child, false);
    if (dep.dependencies) readUmbrellaValues(sub, dep.dependencies, child, depth + 1);
  }
}
