import { matchRoutes, type RouteMatch } from './alertmanager-routing.js';
import type { AlertmanagerConfig, AmReceiver, AmRoute, Model } from './model.js';

/**
 * Where each deadman alert (Watchdog by default) ends up in each Alertmanager config: the route
 * evaluation every deadman rule shares.
 *
 * For an `AlertmanagerConfig` CRD, the operator scopes the CRD's route to its own namespace and
 * hangs it under the global root with `continue: true`; it is evaluated that way, with the alert
 * assumed to come from that namespace, and only routes that name the alert explicitly count.
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
      const routing = config.namespaceScoped
        ? routeScoped(config, config.route, alert, labels)
        : routeGlobal(config, config.route, alert, labels);
      if (routing) routings.push(routing);
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

function routeScoped(
  config: AlertmanagerConfig,
  route: AmRoute,
  alert: string,
  labels: Record<string, string>,
): DeadmanRouting | undefined {
  const scopedLabels = config.namespace ? { ...labels, namespace: config.namespace } : labels;
  const top: AmRoute = {
    ...route,
    continue: true,
    matchers: config.namespace
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
