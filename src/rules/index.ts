import { usageError } from '../lib/errors.js';
import { renderList } from './list.js';
import { FORMATS, type Format, renderPack } from './render.js';
import { resolveSettings } from './settings.js';

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

const K8S_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** What `alertpath rules` prints for these flags; bad input is a usage error. */
export function runRules(flags: RulesFlags): string {
  if (!(FORMATS as readonly string[]).includes(flags.format))
    throw usageError(`unknown --format "${flags.format}" (formats: ${FORMATS.join(', ')})`);
  const format = flags.format as Format;
  const settings = resolveSettings(flags.set ?? []);
  if (flags.list) return renderList();
  if (flags.namespace !== undefined) {
    if (format !== 'prometheusrule')
      throw usageError(
        '--namespace applies to --format prometheusrule only (kube-prometheus-stack puts its rules in its own namespace)',
      );
    if (!K8S_NAME.test(flags.namespace))
      throw usageError(`--namespace "${flags.namespace}": expected a Kubernetes namespace name`);
  }
  const select = flags.select
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return renderPack({
    format,
    settings,
    ...(select ? { select } : {}),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    command: commandLine(format, flags),
  });
}

function commandLine(format: Format, flags: RulesFlags): string {
  const parts = ['alertpath rules'];
  if (format !== 'rules') parts.push(`--format ${format}`);
  if (flags.namespace) parts.push(`--namespace ${flags.namespace}`);
  if (flags.select) parts.push(`--select ${flags.select}`);
  for (const s of flags.set ?? [])
    parts.push(`--set ${/^[\w.=:-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`}`);
  return parts.join(' ');
}
