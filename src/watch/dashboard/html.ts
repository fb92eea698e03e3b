/**
 * Server-side HTML without a template engine: `html` is a tagged template that escapes every
 * interpolated value unless it is already `Html` (another `html` result, or `raw` for text this
 * code wrote). Arrays are joined. Every user-controlled string (check names, tags, ping bodies)
 * goes through here, so a ping body of `<script>` shows as text.
 */

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | ReadonlyArray<Part>;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

function part(p: Part): string {
  if (p === null || p === undefined || p === false) return '';
  if (p instanceof Html) return p.text;
  if (Array.isArray(p)) return (p as ReadonlyArray<Part>).map(part).join('');
  return escapeHtml(String(p));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/** Text this code wrote itself (never user input). */
export function raw(text: string): Html {
  return new Html(text);
}
