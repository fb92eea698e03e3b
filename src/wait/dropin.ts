import { usageError } from '../lib/errors.js';

/**
 * The systemd drop-in that gates a unit on `alertpath wait`. `TimeoutStartSec=infinity` keeps the
 * unit's own start timeout from cutting the wait short: the wait bounds itself (`--timeout`).
 */
export function renderDropin(unit: string, executable: string, waitArgs: string[]): string {
  if (
    !/^[A-Za-z0-9:_.\\@-]+\.(service|socket|mount|target|timer|path|swap|scope|slice|device|automount)$/.test(
      unit,
    )
  ) {
    throw usageError(
      `invalid --systemd-dropin unit "${unit}": expected a unit name such as pve-guests.service`,
    );
  }
  return [
    `# /etc/systemd/system/${unit}.d/10-alertpath-wait.conf`,
    '[Service]',
    'TimeoutStartSec=infinity',
    `ExecStartPre=${[executable, 'wait', ...waitArgs].map(systemdQuote).join(' ')}`,
    '',
  ].join('\n');
}

/**
 * Quotes one word for an `Exec*=` line: `%` and `$` are escaped (specifiers and variables), and a
 * word with spaces, quotes or backslashes is double-quoted with C-style escapes.
 */
export function systemdQuote(word: string): string {
  const escaped = word.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (escaped !== '' && !/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
