/**
 * Accept sets: which HTTP statuses count as "ready"/"up". The syntax is shared by
 * `alertpath wait --accept` and watch's `http` probes: a comma list of codes (`401`), classes
 * (`2xx`) and ranges (`200-299`).
 */
export interface AcceptSet {
  /** The set as written, normalised (`2xx,401,403`). */
  readonly text: string;
  has(status: number): boolean;
}

export type ParsedAcceptSet = { ok: true; set: AcceptSet } | { ok: false; reason: string };

export const DEFAULT_ACCEPT = '2xx';

export function parseAcceptSet(text: string): ParsedAcceptSet {
  const ranges: Array<[number, number]> = [];
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    const range = parseItem(item.toLowerCase());
    if (!range) {
      return {
        ok: false,
        reason: `invalid accept list "${text}": "${item}" is not a status code (401), class (2xx) or range (200-299)`,
      };
    }
    ranges.push(range);
  }
  const normalised = items.map((s) => s.toLowerCase()).join(',');
  return {
    ok: true,
    set: { text: normalised, has: (status) => ranges.some(([lo, hi]) => status >= lo && status <= hi) },
  };
}

function parseItem(item: string): [number, number] | undefined {
  let m = /^([1-5])xx$/.exec(item);
  if (m) {
    const base = Number(m[1]) * 100;
    return [base, base + 99];
  }
  m = /^(\d{3})-(\d{3})$/.exec(item);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    return isStatus(lo) && isStatus(hi) && lo <= hi ? [lo, hi] : undefined;
  }
  m = /^(\d{3})$/.exec(item);
  if (m && isStatus(Number(m[1]))) return [Number(m[1]), Number(m[1])];
  return undefined;
}

function isStatus(n: number): boolean {
  return n >= 100 && n <= 599;
}
