import { readRuleGroups } from '../prometheus-rules.js';
import type { ValuesView } from '../values-view.js';
import { readAlertmanagerChart } from './alertmanager.js';
import type { ChartContext } from './context.js';

/**
 * The prometheus-community `prometheus` chart: its bundled `alertmanager` subchart (on by
 * default) and the rules in `serverFiles` (`alerting_rules.yml`, and the older `alerts`/`rules`).
 */

const RULE_FILES = ['alerting_rules.yml', 'alerting_rules.yaml', 'alerts', 'rules', 'recording_rules.yml'];

export function readPrometheusChart(view: ValuesView, ctx: ChartContext): void {
  if ((view.bool('alertmanager', 'enabled') ?? true) === true)
    readAlertmanagerChart(view.sub('alertmanager'), { ...ctx, chart: 'alertmanager', release: ctx.release });
  for (const [key, f] of view.entries('serverFiles')) {
    if (!RULE_FILES.includes(key)) continue;
    readRuleGroups(f.y, f.y.get(f.node, 'groups'), ctx.subject, ctx.model);
  }
}
