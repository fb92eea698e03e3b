/**
 * Text helpers that respect Discord limits without splitting a surrogate pair (an emoji cut in
 * half is an invalid string).
 */
export const ELLIPSIS = '…';

/** `s` cut to at most `max` code units, ending in `…` when cut. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 0) return '';
  return `${cutAt(s, max - ELLIPSIS.length)}${ELLIPSIS}`;
}

/** The longest prefix of at most `max` code units that does not end inside a surrogate pair. */
export function cutAt(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max);
  const code = s.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
  return s.slice(0, end);
}

/**
 * Splits text into pieces of at most `max` code units, preferring line breaks, then spaces, and
 * never splitting a surrogate pair. Joining the pieces with '' gives back the text, except for
 * the line breaks the splits were made at.
 */
export function splitText(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = cutAt(rest, max);
    let at = window.lastIndexOf('\n');
    if (at < max / 2) at = window.lastIndexOf(' ') + 1;
    if (at < max / 2) at = window.length;
    out.push(rest.slice(0, at).replace(/\n$/, ''));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest.length > 0 || out.length === 0) out.push(rest);
  return out;
}

/**
 * Escapes Discord markdown and neutralises mentions in untrusted text (label values), so an
 * `@everyone` in a label prints as text and a `*` does not start bold.
 */
export function escapeMarkdown(s: string): string {
  return s.replace(/([\\*_~`|>[\]()])/g, '\\$1').replace(/@(everyone|here)/g, '@\u200b$1');
}
