import { usageError } from './errors.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses `500ms`, `2s`, `5m`, `1h`, `14d`, `1w`, compound forms such as `1h30m`, and bare seconds
 * (`2`, `0.5`). Returns milliseconds, or undefined when the text is not a duration.
 */
export function tryParseDuration(text: string | number): number | undefined {
  if (typeof text === 'number')
    return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : undefined;
  const s = text.trim();
  if (s === '') return undefined;
  if (/^\d+(?:\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  let total = 0;
  let rest = s;
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Like tryParseDuration, but a bad value is a usage error naming what it was for. */
export function parseDuration(text: string | number, what = 'duration'): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    throw usageError(
      `invalid ${what} "${text}": expected a duration such as 500ms, 2s, 5m, 1h or bare seconds`,
    );
  }
  return ms;
}

/** Human form for messages: `1h 10m`, `45s`, `2d 3h`, `250ms`. Two most significant units. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  for (const [unit, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** Seconds with one decimal, as wait's log lines print them: `16.4 s`. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
