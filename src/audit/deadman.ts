import { matchersMatch, matchRoutes, type RouteMatch } from './alertmanager-routing.js';
import type { AlertmanagerConfig, AmReceiver, AmRoute, Model } from './model.js';
import { sameNamespace } from './selectors.js';

/**
 * Where each deadman alert (Watchdog by default) ends up in each Alertmanager config: the route
 * evaluation every deadman rule shares.
 *
 * For an `AlertmanagerConfig` CRD, the operator (pkg/alertmanager/amcfg.go, `getEnforcer` and
 * `AddAlertmanagerConfigs`) puts the CRD's route under the main root, BEFORE the main config's
 * own routes, with `continue: true` and, unless the Alertmanager's
 * `alertmanagerConfigMatcherStrategy` is `None` (or `OnNamespaceExceptForAlertmanagerNamespace`
 * for a CRD in the Alertmanager's namespace), a `namespace="<ns>"` matcher. Audit evaluates
 * that merged tree: a CRD route that carries the alert keeps it from the main default receiver,
 * and the CRD inherits the main root's receiver, group_by and repeat_interval. The deadman alert
 * keeps the labels its rule gives it: kube-prometheus-stack's Watchdog has no `namespace`
 * label, so a namespaced CRD route never carries it. A CRD match is reported on the CRD only
 * when its path names the alert; whether the alert is delivered is judged on the whole tree.
 * The CRD named by `alertmanagerConfiguration` is the main config itself. Every CRD is merged
 * into every main config of the tree (audit does not pair Alertmanagers with their selectors).
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
  const isGlobal = (config: AlertmanagerConfig): boolean =>
    config.origin === 'AlertmanagerConfig' &&
    model.globalAlertmanagerConfigs.some(
      (g) => g.name === config.object?.name && sameNamespace(g.namespace, config.namespace),
    );
  const mains: Array<AlertmanagerConfig & { route: AmRoute }> = [];
  const scoped: Scoped[] = [];
  for (const config of model.alertmanagerConfigs) {
    if (!config.route) continue;
    if (!config.namespaceScoped || isGlobal(config)) {
      mains.push(config as AlertmanagerConfig & { route: AmRoute });
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
    scoped.push({ config, route: config.route, top: enforced(config, config.route, !none), matcher: !none });
  }
  // AddAlertmanagerConfigs: sortutil.SortedKeys over `<namespace>/<name>`.
  const key = (s: Scoped) => `${s.config.namespace ?? ''}/${s.config.object?.name ?? ''}`;
  scoped.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

  const routings: DeadmanRouting[] = [];
  for (const alert of deadmanAlerts) {
    const labels: Record<string, string> = { ...(ruleLabels.get(alert) ?? {}), alertname: alert };
    const reported = new Set<Scoped>();
    for (const main of mains) routings.push(...routeMerged(main, scoped, alert, labels, reported));
    for (const s of scoped) {
      if (reported.has(s)) continue;
      // No main config in the tree: the CRD alone, under an empty root.
      const routing = routeScoped(s, alert, labels);
      if (routing) routings.push(routing);
      else if (s.matcher && namesAlert(s.route, alert)) {
        model.notes.push({
          file: s.config.location.file,
          message: `${s.route.location.line}:${s.route.location.column}: ${s.config.object ? `${s.config.object.kind} ${s.config.object.namespace ?? ''}/${s.config.object.name}` : 'AlertmanagerConfig'} routes ${alert}, but the operator adds namespace="${s.config.namespace ?? ''}" to its route and ${alert} has no such label: this route never carries it (its real route is the main config's; alertmanagerConfigMatcherStrategy: None, or alertmanagerConfiguration, changes that)`,
        });
      }
    }
  }
  return { routings, definedAlerts };
}

interface Scoped {
  config: AlertmanagerConfig;
  /** The CRD's route as written. */
  route: AmRoute;
  /** The route as the operator installs it: `continue: true`, and the namespace matcher if any. */
  top: AmRoute;
  /** The enforcer adds `namespace="<ns>"`. */
  matcher: boolean;
}

function enforced(config: AlertmanagerConfig, route: AmRoute, namespaceMatcher: boolean): AmRoute {
  return {
    ...route,
    continue: true,
    matchers:
      config.namespace && namespaceMatcher
        ? [...route.matchers, { name: 'namespace', type: '=', value: config.namespace }]
        : route.matchers,
  };
}

/**
 * The main config with the CRDs' routes put before its own (AddAlertmanagerConfigs:
 * `append(subRoutes, cb.cfg.Route.Routes...)`), evaluated as one tree, as Alertmanager does.
 * A CRD match is reported on the CRD (receivers are the CRD's own: `<ns>/<name>/<receiver>`)
 * when its path names the alert; whether the alert is delivered, and whether it fell to the
 * default receiver, is decided on the whole tree.
 */
function routeMerged(
  main: AlertmanagerConfig & { route: AmRoute },
  scoped: readonly Scoped[],
  alert: string,
  labels: Record<string, string>,
  reported: Set<Scoped>,
): DeadmanRouting[] {
  const root = main.route;
  const merged: AmRoute = { ...root, routes: [...scoped.map((s) => s.top), ...root.routes] };
  const all = matchRoutes(merged, labels).map((m) => swap(m, merged, root));
  const owner = (m: RouteMatch<AmRoute>): Scoped | undefined => scoped.find((s) => m.path[1] === s.top);
  const delivered = all.some((m) => {
    const config = owner(m)?.config ?? main;
    return (receiverOf(config, m.receiver)?.integrations.length ?? 0) > 0;
  });
  const mainMatches = all.filter((m) => owner(m) === undefined);
  const unrouted = mainMatches.length === 1 && mainMatches[0]?.route === root;
  const out: DeadmanRouting[] = [];
  out.push({ ...finish(main, alert, labels, mainMatches, unrouted), delivered });
  for (const s of scoped) {
    const own = all
      .filter((m) => owner(m) === s)
      .filter((m) => m.path.some((r) => r.matchers.some((x) => x.name === 'alertname')))
      .map((m) => swap(m, s.top, s.route));
    if (reported.has(s) || own.length === 0) continue;
    reported.add(s);
    out.push({ ...finish(s.config, alert, labels, own, false), delivered });
  }
  return out;
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

function namesAlert(route: AmRoute, alert: string, depth = 0): boolean {
  if (depth > 100) return false;
  if (route.matchers.some((m) => m.name === 'alertname' && matchersMatch([m], { alertname: alert })))
    return true;
  return route.routes.some((r) => namesAlert(r, alert, depth + 1));
}

function routeScoped(s: Scoped, alert: string, labels: Record<string, string>): DeadmanRouting | undefined {
  const synthetic: AmRoute = { location: s.route.location, continue: false, matchers: [], routes: [s.top] };
  const matches = matchRoutes(synthetic, labels)
    .filter((m) => m.route !== synthetic)
    .filter((m) => m.path.some((r) => r.matchers.some((x) => x.name === 'alertname')))
    .map((m) => swap(m, s.top, s.route));
  if (matches.length === 0) return undefined;
  return finish(s.config, alert, labels, matches, false);
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
