import type { AlertmanagerConfig } from '../../model.js';
import { looksLikeAlertmanagerConfig, readAlertmanagerConfig } from '../alertmanager-config.js';
import { parseEmbedded } from '../embedded.js';
import type { ValuesView } from '../values-view.js';
import { parseYaml } from '../yaml.js';
import type { ChartContext } from './context.js';
import { CHART_DEFAULT_CONFIG } from './defaults.js';

/**
 * The Alertmanager config a chart's values give it: `config` (a map, or a string with
 * `tplConfig`), kube-prometheus-stack's `stringConfig` (used when `tplConfig` is true), or,
 * when the values set none, the chart's own default (which routes Watchdog nowhere).
 */

export interface AmValuesOptions {
  /** Which chart's default applies when no config is set; none: nothing is assumed. */
  defaultOf?: string;
  /** kube-prometheus-stack's `stringConfig`/`tplConfig`. */
  stringConfig?: boolean;
  /** Where the chart's default config is reported (the values' `alertmanager:` key). */
  defaultAt?: import('../../model.js').Location;
}

export function readAlertmanagerValues(
  am: ValuesView,
  ctx: ChartContext,
  options: AmValuesOptions,
): AlertmanagerConfig[] {
  const input = {
    origin: 'helm-values' as const,
    style: 'native' as const,
    subject: ctx.subject,
    ...(ctx.namespace ? { namespace: ctx.namespace } : {}),
  };
  const out: AlertmanagerConfig[] = [];
  const readText = (found: NonNullable<ReturnType<ValuesView['get']>>, key: string, template: boolean) => {
    const text = found.y.embedded(found.node, key);
    if (!text) return;
    const what = `alertmanager.${key} of ${ctx.what}`;
    for (const doc of parseEmbedded(text.text, text.locate, ctx.model, { what, template })) {
      if (looksLikeAlertmanagerConfig(doc, doc.root))
        out.push(readAlertmanagerConfig(doc, doc.root, input, ctx.model));
      else
        ctx.model.unreadable.push({
          location: doc.at(doc.root),
          message: `${what} has no route: and receivers: to read.`,
          ...(ctx.subject.object ? { object: ctx.subject.object } : {}),
        });
    }
  };
  const tpl = options.stringConfig === true && am.bool('tplConfig') === true;
  if (options.stringConfig) {
    const s = am.get('stringConfig');
    const text = s ? s.y.str(s.node) : undefined;
    if (s && text && text.trim() !== '') {
      if (tpl) {
        readText(s, 'stringConfig', true);
        return out;
      }
      ctx.model.notes.push({
        file: s.y.at(s.node).file,
        message: `${s.y.at(s.node).line}:${s.y.at(s.node).column}: alertmanager.stringConfig is used only when tplConfig is true; alertmanager.config is audited instead`,
      });
    }
  }
  const c = am.get('config');
  if (c && c.y.str(c.node) !== undefined) {
    readText(c, 'config', tpl);
    return out;
  }
  if (c && looksLikeAlertmanagerConfig(c.y, c.node)) {
    out.push(readAlertmanagerConfig(c.y, c.node, input, ctx.model));
    return out;
  }
  if (c?.y.isMap(c.node) && c.y.entries(c.node).length > 0) {
    ctx.model.unreadable.push({
      location: c.y.at(c.node),
      message: `alertmanager config in ${ctx.what} has no route: and receivers: to read.`,
      ...(ctx.subject.object ? { object: ctx.subject.object } : {}),
    });
    return out;
  }
  const defaultText = options.defaultOf ? CHART_DEFAULT_CONFIG[options.defaultOf] : undefined;
  if (defaultText && ctx.valuesIncomplete) {
    // The value files may set the config, or leave the chart's default (Watchdog → "null"):
    // unknown, so said as input-unreadable rather than assumed either way.
    ctx.model.unreadable.push({
      location: options.defaultAt ?? ctx.anchor,
      message: `the Alertmanager config of ${ctx.what} is not in the values audit reads (it may be in its helm.valueFiles, which are not read through it); the ${options.defaultOf} chart's default config is not assumed.`,
      ...(ctx.subject.object ? { object: ctx.subject.object } : {}),
    });
  } else if (defaultText) {
    const anchor = options.defaultAt ?? ctx.anchor;
    const parsed = parseYaml(defaultText, { file: anchor.file, locate: () => anchor });
    for (const doc of parsed.docs) {
      const config = readAlertmanagerConfig(doc, doc.root, input, ctx.model);
      config.chartDefault = options.defaultOf;
      out.push(config);
    }
  }
  return out;
}
