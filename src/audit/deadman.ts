import { matchersMatch, matchRoutes, type RouteMatch } from './alertmanager-routing.js';
import type { AlertmanagerConfig, AmReceiver, AmRoute, Model } from './model.js';
import { sameNamespace } from './selectors.js';

/**
 * Where each deadman alert (Watchdog by default) ends up in each Alertmanager config: the route
 * evaluation every deadman rule shares.
 *
 * For an `AlertmanagerConfig` CRD, the operator (pkg/alertmanager) hangs the CRD's route under
 * the global root with `continue: true` and, unless the Alertmanager's
 * `alertmanagerConfigMatcherStrategy` is `None`, adds a `namespace="<ns>"` matcher to it. The
 * deadman alert keeps the labels its rule gives it: kube-prometheus-stack's Watchdog has no
 * `namespace` label, so a namespaced CRD route never carries it. Only routes that name the alert
 * explicitly count. The CRD named by `alertmanagerConfiguration` is the global config itself.
 */

export interface DeadmanMatch {
  match: RouteMatch<AmRoute>;
  receiver: AmReceiver | undefined;
}

export interface DeadmanRouting {
  config: AlertmanagerConfig;
  alert: string;
  labels: Record<string, string>;
  matches: DeadmanMatch[];
  /** Only the root route matched: the alert lands in the default receiver. */
  unrouted: boolean;
  /** At least one matched receiver has an integration. */
  delivered: boolean;
}

export interface DeadmanAnalysis {
  routings: DeadmanRouting[];
  /** Deadman alert names that some Prometheus rule defines. */
  definedAlerts: Set<string>;
}

export function analyseDeadman(model: Model, deadmanAlerts: readonly string[]): DeadmanAnalysis {
  const definedAlerts = new Set<string>();
  const ruleLabels = new Map<string, Record<string, string>>();
  for (const g of model.ruleGroups) {
    for (const a of g.alerts) {
      definedAlerts.add(a.alert);
      if (!ruleLabels.has(a.alert)) ruleLabels.set(a.alert, a.labels);
    }
  }
  const routings: DeadmanRouting[] = [];
  for (const config of model.alertmanagerConfigs) {
    if (!config.route) continue;
    for (const alert of deadmanAlerts) {
      const labels: Record<string, string> = { ...(ruleLabels.get(alert) ?? {}), alertname: alert };
      const global =
        config.origin === 'AlertmanagerConfig' &&
        model.globalAlertmanagerConfigs.some(
          (g) => g.name === config.object?.name && sameNamespace(g.namespace, config.namespace),
        );
      if (!config.namespaceScoped || global) {
        routings.push(routeGlobal(config, config.route, alert, labels));
        continue;
      }
      // pkg/alertmanager getEnforcer: None adds no matcher; OnNamespaceExceptForAlertmanagerNamespace
      // none for objects in the Alertmanager's own namespace; OnNamespace (the default) always one.
      const none = model.matcherStrategies.some(
        (s) =>
          s.type === 'None' ||
          (s.type === 'OnNamespaceExceptForAlertmanagerNamespace' &&
            s.namespace !== undefined &&
            s.namespace === config.namespace),
      );
      const routing = routeScoped(config, config.route, alert, labels, !none);
      if (routing) routings.push(routing);
      else if (!none && namesAlert(config.route, alert)) {
        model.notes.push({
          file: config.location.file,
          message: `${config.route.location.line}:${config.route.location.column}: ${config.object ? `${config.object.kind} ${config.object.namespace ?? ''}/${config.object.name}` : 'AlertmanagerConfig'} routes ${alert}, but the operator adds namespace="${config.namespace ?? ''}" to its route and ${alert} has no such label: this route never carries it (its real route is the main config's; alertmanagerConfigMatcherStrategy: None, or alertmanagerConfiguration, changes that)`,
        });
      }
    }
  }
  return { routings, definedAlerts };
}

function receiverOf(config: AlertmanagerConfig, name: string | undefined): AmReceiver | undefined {
  if (name === undefined) return undefined;
  return config.receivers.find((r) => r.name === name);
}

function finish(
  config: AlertmanagerConfig,
  alert: string,
  labels: Record<string, string>,
  matches: Array<RouteMatch<AmRoute>>,
  unrouted: boolean,
): DeadmanRouting {
  const resolved = matches.map((match) => ({ match, receiver: receiverOf(config, match.receiver) }));
  return {
    config,
    alert,
    labels,
    matches: resolved,
    unrouted,
    delivered: resolved.some((m) => (m.receiver?.integrations.length ?? 0) > 0),
  };
}

function routeGlobal(
  config: AlertmanagerConfig,
  root: AmRoute,
  alert: string,
  labels: Record<string, string>,
): DeadmanRouting {
  // Alertmanager refuses a root route with matchers, so the root matches every alert.
  const matches = matchRoutes(root, labels);
  const unrouted = matches.length === 1 && matches[0]?.route === root;
  return finish(config, alert, labels, matches, unrouted);
}

function namesAlert(route: AmRoute, alert: string, depth = 0): boolean {
  if (depth > 100) return false;
  if (route.matchers.some((m) => m.name === 'alertname' && matchersMatch([m], { alertname: alert })))
    return true;
  return route.routes.some((r) => namesAlert(r, alert, depth + 1));
}

function routeScoped(
  config: AlertmanagerConfig,
  route: AmRoute,
  alert: string,
  labels: Record<string, string>,
  namespaceMatcher: boolean,
): DeadmanRouting | undefined {
  const scopedLabels = labels;
  const top: AmRoute = {
    ...route,
    continue: true,
    matchers:
      config.namespace && namespaceMatcher
        ? [...route.matchers, { name: 'namespace', type: '=', value: config.namespace }]
        : route.matchers,
  };
  const synthetic: AmRoute = { location: route.location, continue: false, matchers: [], routes: [top] };
  const matches = matchRoutes(synthetic, scopedLabels)
    .filter((m) => m.route !== synthetic)
    .filter((m) => m.path.some((r) => r.matchers.some((x) => x.name === 'alertname')))
    .map((m) => swap(m, top, route));
  if (matches.length === 0) return undefined;
  return finish(config, alert, scopedLabels, matches, false);
}

/** The match with the evaluated copy `from` replaced by the route as written. */
function swap(m: RouteMatch<AmRoute>, from: AmRoute, to: AmRoute): RouteMatch<AmRoute> {
  return {
    ...m,
    route: m.route === from ? to : m.route,
    path: m.path.map((r) => (r === from ? to : r)),
    repeatIntervalFrom: m.repeatIntervalFrom === from ? to : m.repeatIntervalFrom,
  };
}
