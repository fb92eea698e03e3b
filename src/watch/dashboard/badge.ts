import { statusAt } from '../checks/machine.js';
import type { CheckRecord } from '../checks/model.js';
import type { FlipRow } from '../store/types.js';
import { escapeHtml } from './html.js';
import { formatUptime, timeline } from './uptime.js';

/**
 * Badges (`/badge/<badgeKey>/<check-or-tag>…`), as Healthchecks and shields.io draw them: a
 * check by slug, or every check with a tag (the worst of them). Status up / late / down; uptime
 * over 24h / 7d / 30d from flips; and shields.io's endpoint JSON.
 */

export type BadgeStatus = 'up' | 'late' | 'down';
export const UPTIME_WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS;

const COLORS: Record<BadgeStatus, string> = { up: '#4c1', late: '#fe7d37', down: '#e05d44' };

/** The checks a badge covers: the check with this slug, else every check with this tag. */
export function badgeChecks(target: string, records: readonly CheckRecord[]): CheckRecord[] {
  const bySlug = records.filter((r) => r.def.slug === target);
  return bySlug.length > 0 ? bySlug : records.filter((r) => r.def.tags.includes(target));
}

/** Worst of the checks: any down → down, any late → late, else up (Healthchecks' badge rule). */
export function badgeStatus(records: readonly CheckRecord[], now: number): BadgeStatus {
  let out: BadgeStatus = 'up';
  for (const r of records) {
    const s = statusAt(r.def, r.state, now);
    if (s === 'down') return 'down';
    if (s === 'late') out = 'late';
  }
  return out;
}

/** Up over up plus down time of all the checks in the window; null without data. */
export function badgeUptime(
  records: readonly CheckRecord[],
  flipsOf: (uuid: string) => readonly FlipRow[],
  now: number,
  windowMs: number,
): number | null {
  let up = 0;
  let down = 0;
  for (const r of records) {
    const from = now - windowMs;
    for (const iv of timeline(flipsOf(r.uuid), {
      from,
      to: now,
      createdAt: r.createdAt,
      current: r.state.status,
    })) {
      if (iv.state === 'up') up += iv.end - iv.start;
      else if (iv.state === 'down') down += iv.end - iv.start;
    }
  }
  return up + down === 0 ? null : up / (up + down);
}

export function uptimeColor(ratio: number | null): string {
  if (ratio === null) return '#9f9f9f';
  if (ratio >= 0.999) return '#4c1';
  if (ratio >= 0.99) return '#97ca00';
  if (ratio >= 0.95) return '#dfb317';
  return '#e05d44';
}

/** Verdana 11px advance widths, roughly (shields.io measures; this is close enough to fit). */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[ilj.,:;'|!]/.test(ch) ? 3.5 : /[mwMW@%]/.test(ch) ? 10 : /[A-Z0-9]/.test(ch) ? 7.5 : 6.5;
  return Math.ceil(w);
}

/** A flat badge like shields.io's: `label | message`, with the message in `color`. */
export function badgeSvg(label: string, message: string, color: string): string {
  const lw = textWidth(label) + 10;
  const mw = textWidth(message) + 10;
  const w = lw + mw;
  const l = escapeHtml(label);
  const m = escapeHtml(message);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${m}"><title>${l}: ${m}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><rect width="${w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${l}</text><text x="${lw / 2}" y="14">${l}</text><text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${m}</text><text x="${lw + mw / 2}" y="14">${m}</text></g></svg>`;
}

export function statusBadgeSvg(label: string, status: BadgeStatus): string {
  return badgeSvg(label, status, COLORS[status]);
}

export function uptimeBadgeSvg(label: string, window: UptimeWindow, ratio: number | null): string {
  return badgeSvg(`${label} ${window}`, formatUptime(ratio), uptimeColor(ratio));
}

/** shields.io's endpoint schema (https://shields.io/badges/endpoint-badge). */
export function shieldsJson(label: string, status: BadgeStatus): Record<string, unknown> {
  return { schemaVersion: 1, label, message: status, color: COLORS[status], isError: status === 'down' };
}
