import type { Node } from 'yaml';
import type { Model, ObjectRef } from '../model.js';
import { NO_IGNORE } from '../model.js';
import { looksLikeAlertmanagerConfig, readAlertmanagerConfig } from './alertmanager-config.js';
import { addImage } from './images.js';
import { readRuleGroups } from './prometheus-rules.js';
import type { YamlDoc } from './yaml.js';

/**
 * Helm values: kube-prometheus-stack's `alertmanager.config` and `additionalPrometheusRulesMap`,
 * the deadman rule its `defaultRules` create, and `image:` settings anywhere in the tree
 * (`image: "x:y"` strings and `image: {registry, repository, tag, digest}` objects).
 */

const MAX_DEPTH = 40;

export function readHelmValues(y: YamlDoc, root: Node | undefined, model: Model): void {
  const alertmanager = y.get(root, 'alertmanager');
  const amConfig = y.get(alertmanager, 'config');
  const enabled = y.bool(y.get(alertmanager, 'enabled')) ?? true;
  const defaultRules = y.get(root, 'defaultRules');
  if (enabled && looksLikeAlertmanagerConfig(y, amConfig)) {
    readAlertmanagerConfig(
      y,
      amConfig,
      { origin: 'helm-values', style: 'native', subject: { ignore: NO_IGNORE } },
      model,
    );
  }
  for (const [, , value] of y.entries(y.get(root, 'additionalPrometheusRulesMap'))) {
    readRuleGroups(y, y.get(value, 'groups'), { ignore: NO_IGNORE }, model);
  }
  if (amConfig || defaultRules) readDefaultRules(y, root, defaultRules, model);
  walkImages(y, root, model, 0);
}

/**
 * kube-prometheus-stack's chart defines Watchdog in its `general` default rules unless
 * `defaultRules.create`, `defaultRules.rules.general` or `defaultRules.disabled.Watchdog` says no.
 */
function readDefaultRules(
  y: YamlDoc,
  root: Node | undefined,
  defaultRules: Node | undefined,
  model: Model,
): void {
  if (y.bool(y.get(defaultRules, 'create')) === false) return;
  if (y.bool(y.path(defaultRules, 'rules', 'general')) === false) return;
  if (y.bool(y.path(defaultRules, 'disabled', 'Watchdog')) === true) return;
  model.ruleGroups.push({
    name: 'general.rules',
    location: y.at(defaultRules ?? root),
    alerts: [
      {
        alert: 'Watchdog',
        labels: { severity: 'none' },
        location: y.at(defaultRules ?? root),
        implicit: 'kube-prometheus-stack defaultRules (general)',
      },
    ],
    ignore: NO_IGNORE,
  });
}

export function walkImages(
  y: YamlDoc,
  node: Node | undefined,
  model: Model,
  depth: number,
  extra: { object?: ObjectRef; ignore?: ReadonlySet<string> } = {},
): void {
  if (depth > MAX_DEPTH || !node) return;
  if (y.isSeq(node)) {
    for (const item of y.items(node)) walkImages(y, item, model, depth + 1, extra);
    return;
  }
  if (!y.isMap(node)) return;
  for (const [key, , value] of y.entries(node)) {
    if (key === 'image' && value) {
      const s = y.str(value);
      if (s !== undefined) {
        if (s.trim() !== '') addImage(model, s, 'helm-values', y.at(value), extra);
        continue;
      }
      if (y.isMap(value)) {
        const raw = imageFromObject(y, value);
        if (raw !== undefined) {
          const use = addImage(model, raw, 'helm-values', y.at(y.get(value, 'repository') ?? value), extra);
          const tag = y.get(value, 'tag');
          if (use && tag && y.str(tag)) use.tagLocation = y.at(tag);
          continue;
        }
      }
    }
    walkImages(y, value, model, depth + 1, extra);
  }
}

/**
 * `{registry, repository, tag, digest|sha}` as one reference. An empty tag and digest mean the
 * chart picks its own default (usually its appVersion), which the values cannot tell: skipped.
 */
function imageFromObject(y: YamlDoc, node: Node): string | undefined {
  const repository = y.str(y.get(node, 'repository'));
  if (!repository) return undefined;
  const registry = y.str(y.get(node, 'registry')) ?? '';
  const tag = y.str(y.get(node, 'tag')) ?? '';
  let digest = y.str(y.get(node, 'digest')) ?? y.str(y.get(node, 'sha')) ?? '';
  if (tag === '' && digest === '') return undefined;
  if (digest !== '' && !digest.includes(':')) digest = `sha256:${digest}`;
  const name = registry && !repository.startsWith(`${registry}/`) ? `${registry}/${repository}` : repository;
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}
