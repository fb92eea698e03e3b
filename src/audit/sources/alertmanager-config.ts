import type { Node } from 'yaml';
import { tryParseDuration } from '../../lib/duration.js';
import { MatcherSyntaxError, parseMatchers } from '../alertmanager-routing.js';
import type {
  AlertmanagerConfig,
  AmIntegration,
  AmReceiver,
  AmRoute,
  Matcher,
  MatchType,
  Model,
  Subject,
} from '../model.js';
import type { YamlDoc } from './yaml.js';

/**
 * Alertmanager configuration in its two spellings: the native file (snake_case: `route`,
 * `receivers[].webhook_configs[].url`, `matchers: ['a="b"']`, `match`, `match_re`) and the
 * prometheus-operator `AlertmanagerConfig` CRD (camelCase: `webhookConfigs`, `sendResolved`,
 * `matchers: [{name, value, matchType}]`).
 */

export type Style = 'native' | 'crd';

export interface AmConfigInput {
  origin: AlertmanagerConfig['origin'];
  style: Style;
  subject: Subject;
  namespace?: string;
}

export function looksLikeAlertmanagerConfig(y: YamlDoc, node: Node | undefined): boolean {
  return y.isMap(y.get(node, 'route')) && y.isSeq(y.get(node, 'receivers'));
}

export function readAlertmanagerConfig(
  y: YamlDoc,
  node: Node | undefined,
  input: AmConfigInput,
  model: Model,
): AlertmanagerConfig {
  const config: AlertmanagerConfig = {
    origin: input.origin,
    location: y.at(node),
    namespaceScoped: input.origin === 'AlertmanagerConfig',
    receivers: [],
    ignore: input.subject.ignore,
  };
  if (input.subject.object) config.object = input.subject.object;
  if (input.namespace) config.namespace = input.namespace;
  const routeNode = y.get(node, 'route');
  if (routeNode && y.isMap(routeNode)) config.route = readRoute(y, routeNode, input.style, model, 0);
  for (const r of y.items(y.get(node, 'receivers'))) {
    const name = y.str(y.get(r, 'name'));
    if (name === undefined) continue;
    config.receivers.push(readReceiver(y, r, name, input.style));
  }
  model.alertmanagerConfigs.push(config);
  return config;
}

const MAX_ROUTE_DEPTH = 100;

function readRoute(y: YamlDoc, node: Node, style: Style, model: Model, depth: number): AmRoute {
  const native = style === 'native';
  const route: AmRoute = {
    location: y.at(node),
    continue: y.bool(y.get(node, 'continue')) ?? false,
    matchers: [],
    routes: [],
  };
  const receiver = y.str(y.get(node, 'receiver'));
  if (receiver !== undefined && receiver !== '') {
    route.receiver = receiver;
    route.receiverLocation = y.at(y.keyNode(node, 'receiver'));
  }
  const groupByNode = y.get(node, native ? 'group_by' : 'groupBy');
  if (groupByNode && y.isSeq(groupByNode)) route.groupBy = y.strings(groupByNode);
  const repeatKey = native ? 'repeat_interval' : 'repeatInterval';
  const repeat = y.str(y.get(node, repeatKey));
  if (repeat !== undefined) {
    const ms = tryParseDuration(repeat);
    if (ms !== undefined) {
      route.repeatInterval = ms;
      route.repeatIntervalLocation = y.at(y.keyNode(node, repeatKey));
    }
  }
  if (native) {
    for (const [name, , v] of y.entries(y.get(node, 'match'))) {
      const value = y.str(v);
      if (value !== undefined) route.matchers.push({ name, type: '=', value });
    }
    for (const [name, , v] of y.entries(y.get(node, 'match_re'))) {
      const value = y.str(v);
      if (value !== undefined) route.matchers.push({ name, type: '=~', value });
    }
    const matchersNode = y.get(node, 'matchers');
    const list = y.isSeq(matchersNode) ? y.items(matchersNode) : matchersNode ? [matchersNode] : [];
    for (const m of list) {
      const text = y.str(m);
      if (text === undefined) continue;
      try {
        route.matchers.push(...parseMatchers(text));
      } catch (err) {
        if (!(err instanceof MatcherSyntaxError)) throw err;
        model.invalid.push({ location: y.at(m), message: `Alertmanager route: ${err.message}` });
      }
    }
  } else {
    for (const m of y.items(y.get(node, 'matchers'))) {
      const name = y.str(y.get(m, 'name'));
      if (name === undefined) continue;
      const value = y.str(y.get(m, 'value')) ?? '';
      const matchType = y.str(y.get(m, 'matchType'));
      const regex = y.bool(y.get(m, 'regex')) ?? false;
      const type: MatchType =
        matchType === '=' || matchType === '!=' || matchType === '=~' || matchType === '!~'
          ? matchType
          : regex
            ? '=~'
            : '=';
      route.matchers.push({ name, type, value } satisfies Matcher);
    }
  }
  if (depth < MAX_ROUTE_DEPTH) {
    for (const child of y.items(y.get(node, 'routes'))) {
      if (y.isMap(child)) route.routes.push(readRoute(y, child, style, model, depth + 1));
    }
  }
  return route;
}

/** URL-bearing keys of Alertmanager integrations (native and CRD spellings). */
const URL_KEYS = ['url', 'api_url', 'webhook_url', 'apiURL', 'webhookUrl', 'webhookURL'];

function readReceiver(y: YamlDoc, node: Node, name: string, style: Style): AmReceiver {
  const receiver: AmReceiver = { name, location: y.at(node), integrations: [] };
  const suffix = style === 'native' ? '_configs' : 'Configs';
  for (const [key, , value] of y.entries(node)) {
    if (!key.endsWith(suffix) || key.length === suffix.length) continue;
    const type = key.slice(0, -suffix.length).toLowerCase();
    for (const item of y.items(value)) {
      const integration: AmIntegration = { type, location: y.at(item) };
      for (const k of URL_KEYS) {
        const url = y.str(y.get(item, k));
        if (url) {
          integration.url = url;
          break;
        }
      }
      const sendKey = style === 'native' ? 'send_resolved' : 'sendResolved';
      const sr = y.bool(y.get(item, sendKey));
      if (sr !== undefined) {
        integration.sendResolved = sr;
        integration.sendResolvedLocation = y.at(y.keyNode(item, sendKey));
      }
      receiver.integrations.push(integration);
    }
  }
  return receiver;
}
