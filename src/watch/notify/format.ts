import type { Notification } from './types.js';

/**
 * Text helpers every channel shares: the headline word, safe cutting to a service's limit, and
 * escaping for the services that read HTML.
 */

/** `DOWN`, `UP`, `STILL DOWN` or `TEST`: the word titles and subjects start with. */
export function headline(n: Pick<Notification, 'event' | 'test'>): string {
  if (n.test) return 'TEST';
  if (n.event === 'up') return 'UP';
  if (n.event === 'reminder') return 'STILL DOWN';
  return 'DOWN';
}

/** Lone UTF-16 surrogates (from a hostile check name or ping body) replaced by U+FFFD. */
export function wellFormed(text: string): string {
  return (text as string & { toWellFormed(): string }).toWellFormed();
}

/**
 * At most `max` units of `text`, ending in `…` when cut, never splitting a character. `units`
 * counts UTF-16 code units (Telegram, JavaScript lengths) or code points (Pushover's characters).
 */
export function cutTo(text: string, max: number, units: 'utf16' | 'codepoints' = 'utf16'): string {
  const s = wellFormed(text);
  const size = (t: string) => (units === 'utf16' ? t.length : [...t].length);
  if (size(s) <= max) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const w = units === 'utf16' ? ch.length : 1;
    if (used + w > max - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** Shortens untrusted text (a ping body) for a message. */
export function cut(text: string, max: number): string {
  return cutTo(text, max);
}

/** The message text plus, for a fail, the last ping body cut short. */
export function fullText(
  n: { text: string; reason: string; lastPing?: { body?: string } },
  bodyMax = 500,
): string {
  const body =
    n.reason === 'fail' && n.lastPing?.body ? `\n\nLast ping body:\n${cut(n.lastPing.body, bodyMax)}` : '';
  return wellFormed(`${n.text}${body}`);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text made safe inside HTML (Telegram's HTML parse mode, Matrix's formatted_body). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c] ?? c);
}
