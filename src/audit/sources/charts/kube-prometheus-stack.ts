import { type Location, NO_IGNORE } from '../../model.js';
import { readRuleGroups } from '../prometheus-rules.js';
import type { ValuesView } from '../values-view.js';
import { readAlertmanagerValues } from './alertmanager-values.js';
import { type ChartContext, fullname } from './context.js';
import { addChartAlertmanager, placementOf } from './workload.js';

/**
 * kube-prometheus-stack values: `alertmanager.config` / `stringConfig` / `tplConfig` (or the
 * chart's default config, Watchdog → "null"), `alertmanager.alertmanagerSpec` (the Alertmanager
 * CRD the chart creates: replicas, affinity, podAntiAffinity, priorityClassName), its
 * PodDisruptionBudget, `defaultRules` (Watchdog unless switched off), and the extra rules.
 */

export function readKubePrometheusStack(view: ValuesView, ctx: ChartContext): void {
  const model = ctx.model;
  const am = view.sub('alertmanager');
  if ((view.bool('alertmanager', 'enabled') ?? true) === true) {
    const spec = am.sub('alertmanagerSpec');
    // The operator reads the Secret named by configSecret (with or without useExistingSecret,
    // which only stops the chart from generating its own): the values' config is then unused.
    const configSecret = spec.str('configSecret');
    const existing = configSecret !== undefined && configSecret !== '' ? configSecret : undefined;
    const global = spec.str('alertmanagerConfiguration', 'name');
    const location = view.keyLocation('alertmanager') ?? ctx.anchor;
    if (existing !== undefined || spec.bool('useExistingSecret') === true) {
      model.notes.push({
        file: location.file,
        message: `${location.line}:${location.column}: ${ctx.what}: Alertmanager reads its config from the existing Secret ${existing ?? `alertmanager-<name>`}; audited where that Secret is in the repository`,
      });
      if (existing !== undefined) secretMustBeInRepo(existing, location, ctx);
    } else if (global !== undefined) {
      model.notes.push({
        file: location.file,
        message: `${location.line}:${location.column}: ${ctx.what}: the main Alertmanager config is AlertmanagerConfig ${global} (alertmanagerSpec.alertmanagerConfiguration)`,
      });
      model.globalAlertmanagerConfigs.push({
        name: global,
        ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
      });
    } else {
      readAlertmanagerValues(am, ctx, {
        defaultOf: 'kube-prometheus-stack',
        stringConfig: true,
        defaultAt: location,
      });
    }
    const strategy = spec.str('alertmanagerConfigMatcherStrategy', 'type');
    if (strategy)
      model.matcherStrategies.push({
        type: strategy,
        ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
      });
    const name = `${fullname(ctx.release, view.str('nameOverride') ?? 'kube-prometheus-stack', view.str('fullnameOverride'), 26)}-alertmanager`;
    addChartAlertmanager(ctx, {
      kind: 'Alertmanager',
      name,
      defaultReplicas: 1,
      podLabels: { 'app.kubernetes.io/name': 'alertmanager', alertmanager: name },
      pdb: am.bool('podDisruptionBudget', 'enabled') === true,
      location,
      ...placementOf(spec, 'replicas'),
    });
  }
  readDefaultWatchdog(
    view,
    ctx,
    'kube-prometheus-stack defaultRules (general)',
    () =>
      view.bool('defaultRules', 'create') === false ||
      view.bool('defaultRules', 'rules', 'general') === false ||
      view.bool('defaultRules', 'disabled', 'Watchdog') === true,
  );
  readExtraRules(view, ctx);
}

/**
 * The config Secret named by `configSecret` is audited where it is in the tree (a Secret, an
 * ExternalSecret, an encrypted file); when nothing of that name is, its routes went unread, and
 * that is said (input-unreadable), so no finding never means "read and fine".
 */
function secretMustBeInRepo(name: string, location: Location, ctx: ChartContext): void {
  const model = ctx.model;
  // after the deferred readers (ExternalSecrets, valuesFrom) of the round this one runs in
  const check = () => {
    const named = (o: { object?: { name: string } }) => o.object?.name === name;
    if (model.alertmanagerConfigs.some(named) || model.encrypted.some(named) || model.unreadable.some(named))
      return;
    model.unreadable.push({
      location,
      message: `${ctx.what}: Alertmanager reads its config from Secret ${name}, which is not in the audited tree (created by hand or by a tool): its routes are not checked.`,
      ...(ctx.subject.object ? { object: ctx.subject.object } : {}),
    });
  };
  model.deferred.push(() => model.deferred.push(check));
}

/** `additionalPrometheusRulesMap` (and the older `additionalPrometheusRules` list). */
export function readExtraRules(view: ValuesView, ctx: ChartContext): void {
  const subject = ctx.subject.object ? ctx.subject : { ignore: NO_IGNORE };
  for (const [, f] of view.entries('additionalPrometheusRulesMap'))
    readRuleGroups(f.y, f.y.get(f.node, 'groups'), subject, ctx.model);
  const list = view.get('additionalPrometheusRules');
  if (list)
    for (const item of list.y.items(list.node))
      readRuleGroups(list.y, list.y.get(item, 'groups'), subject, ctx.model);
}

/** The Watchdog a chart's default rules create, unless `off()` says they are switched off. */
export function readDefaultWatchdog(
  view: ValuesView,
  ctx: ChartContext,
  implicit: string,
  off: () => boolean,
): void {
  if (off()) return;
  const location = view.keyLocation('defaultRules') ?? ctx.anchor;
  ctx.model.ruleGroups.push({
    name: 'general.rules',
    location,
    alerts: [{ alert: 'Watchdog', labels: { severity: 'none' }, location, implicit }],
    ignore: ctx.subject.ignore,
    ...(ctx.subject.object ? { object: ctx.subject.object } : {}),
  });
}
