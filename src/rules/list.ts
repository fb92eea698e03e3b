import { PACK } from './pack/index.js';
import { settingsUsed } from './render.js';
import { SETTINGS } from './settings.js';

/** `alertpath rules --list`: the groups and their alerts, then every --set key with its default. */
export function renderList(): string {
  const usedBy = new Map<string, string[]>();
  for (const g of PACK)
    for (const r of g.rules)
      for (const key of settingsUsed(r)) usedBy.set(key, [...(usedBy.get(key) ?? []), r.alert]);

  const lines: string[] = ['Groups (--select GROUP,...):'];
  const gw = Math.max(...PACK.map((g) => g.name.length));
  for (const g of PACK) {
    lines.push(`  ${g.name.padEnd(gw)}  ${g.summary}`);
    for (const r of g.rules) lines.push(`  ${''.padEnd(gw)}    ${r.alert.padEnd(36)} ${r.severity}`);
  }
  lines.push('', 'Settings (--set KEY=VALUE):');
  const kw = Math.max(...SETTINGS.map((s) => s.key.length));
  const dw = Math.max(...SETTINGS.map((s) => display(s.default).length));
  for (const s of SETTINGS) {
    const users = usedBy.get(s.key);
    const where =
      s.key === 'kps.release' ? ' (--format prometheusrule)' : users ? ` (${users.join(', ')})` : '';
    lines.push(`  ${s.key.padEnd(kw)}  ${display(s.default).padEnd(dw)}  ${s.summary}${where}`);
  }
  return `${lines.join('\n')}\n`;
}

function display(value: string): string {
  return value === '' ? '(none)' : value;
}
