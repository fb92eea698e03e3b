import { usageError } from '../lib/errors.js';
import { renderList } from './list.js';
import { FORMATS, type Format, renderPack } from './render.js';
import { K8S_NAME, resolveSettings } from './settings.js';

export { PACK } from './pack/index.js';
export { FORMATS, type Format, renderPack, resolveGroups, selectGroups } from './render.js';
export { resolveSettings, SETTINGS } from './settings.js';

export interface RulesFlags {
  format: string;
  namespace?: string;
  select?: string;
  set?: string[];
  list?: boolean;
}

/** What `alertpath rules` prints for these flags; bad input is a usage error. */
export function runRules(flags: RulesFlags): string {
  if (!(FORMATS as readonly string[]).includes(flags.format))
    throw usageError(`unknown --format "${flags.format}" (formats: ${FORMATS.join(', ')})`);
  const format = flags.format as Format;
  const settings = resolveSettings(flags.set ?? []);
  if (flags.list) return renderList();
  // Only the PrometheusRule has a namespace: a rule file has none, and kube-prometheus-stack puts
  // additionalPrometheusRulesMap in its release's namespace.
  if (flags.namespace !== undefined && !K8S_NAME.test(flags.namespace))
    throw usageError(`--namespace "${flags.namespace}": expected a Kubernetes namespace name`);
  const select = flags.select
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return renderPack({
    format,
    settings,
    ...(select ? { select } : {}),
    ...(flags.namespace && format === 'prometheusrule' ? { namespace: flags.namespace } : {}),
    command: commandLine(format, flags),
  });
}

function commandLine(format: Format, flags: RulesFlags): string {
  const parts = ['alertpath rules'];
  if (format !== 'rules') parts.push(`--format ${format}`);
  if (flags.namespace && format === 'prometheusrule') parts.push(`--namespace ${flags.namespace}`);
  if (flags.select) parts.push(`--select ${flags.select}`);
  for (const s of flags.set ?? [])
    parts.push(`--set ${/^[\w.=:-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`}`);
  return parts.join(' ');
}
