import { formatDuration } from '../../lib/duration.js';
import { statusAt } from '../checks/machine.js';
import type { CheckDef, CheckRecord, CheckStatus } from '../checks/model.js';
import { type RoutingContext, routingOf } from '../checks/routing.js';
import { uniqueKey } from '../http/check-json.js';
import type { FlipRow } from '../store/types.js';
import { type Html, html, raw } from './html.js';
import { ago, statusBadge, utcText } from './layout.js';
import { type Bucket, buckets, timeline } from './uptime.js';

/**
 * The checks list: one row per check and probe, down first, with its status word, name, tags,
 * last ping, schedule, a strip of its last 30 periods (hours for probes, days for cron
 * schedules) and the unrouted warning. Filter by tag (`?tag=`, repeatable), search by name (`?q=`).
 */

export const STRIP_SLOTS = 30;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Flips are kept 90 days: a strip never reaches further back. */
export const STRIP_MAX_MS = 91 * DAY;

const ORDER: Record<CheckStatus, number> = { down: 0, late: 1, up: 2, new: 3, paused: 4 };

/** The length of one slot of a check's strip. */
export function slotMs(def: CheckDef): number {
  if (def.schedule.kind === 'simple') return Math.max(1000, def.schedule.periodMs);
  if (def.schedule.kind === 'probe') return HOUR;
  return DAY;
}

/** `every 1h, grace 10m`, `0 3 * * * Europe/Berlin, grace 1h`, `probe every 30s`. */
export function scheduleText(def: CheckDef): string {
  const s = def.schedule;
  const grace = `grace ${formatDuration(def.graceMs)}`;
  if (s.kind === 'simple') return `every ${formatDuration(s.periodMs)}, ${grace}`;
  if (s.kind === 'probe') return `probe every ${formatDuration(s.intervalMs)}`;
  if (s.kind === 'cron') return `${s.cron} ${s.tz}, ${grace}`;
  return `${s.onCalendar.trim().replace(/\s*\n\s*/g, '; ')} ${s.tz}, ${grace}`;
}

export interface ListFilter {
  tags: string[];
  q: string;
}

export interface ListRow {
  record: CheckRecord;
  status: CheckStatus;
  strip: Bucket[];
  warnings: string[];
  unrouted: boolean;
}

export function listRows(
  records: readonly CheckRecord[],
  flipsOf: (uuid: string) => readonly FlipRow[],
  opts: { now: number; filter: ListFilter; routing: RoutingContext },
): ListRow[] {
  const q = opts.filter.q.trim().toLowerCase();
  const rows: ListRow[] = [];
  for (const r of records) {
    if (opts.filter.tags.length > 0 && !opts.filter.tags.every((t) => r.def.tags.includes(t))) continue;
    if (q && !r.def.name.toLowerCase().includes(q) && !r.def.slug.includes(q)) continue;
    const size = slotMs(r.def);
    const span = Math.min(STRIP_MAX_MS, size * STRIP_SLOTS);
    const tl = timeline(flipsOf(r.uuid), {
      from: opts.now - span,
      to: opts.now,
      createdAt: r.createdAt,
      current: r.state.status,
    });
    const routing = routingOf(r.def, opts.routing);
    rows.push({
      record: r,
      status: statusAt(r.def, r.state, opts.now),
      strip: buckets(tl, opts.now, span / STRIP_SLOTS, STRIP_SLOTS),
      warnings: routing.warnings,
      unrouted: routing.unrouted,
    });
  }
  return sortRows(rows);
}

const byName = new Intl.Collator('en', { numeric: true }).compare;

/** Down first, then late, up, new, paused; by name within each (`check-2` before `check-10`). */
export function sortRows(rows: ListRow[]): ListRow[] {
  return rows.sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || byName(a.record.def.name, b.record.def.name),
  );
}

/** The strip as one small inline SVG: runs of one state are one rectangle. */
export function stripSvg(strip: readonly Bucket[], unit: string): Html {
  const w = 5;
  let rects = '';
  let i = 0;
  let up = 0;
  let down = 0;
  while (i < strip.length) {
    const state = (strip[i] as Bucket).worst;
    let j = i;
    while (j < strip.length && (strip[j] as Bucket).worst === state) j++;
    if (state === 'up') up += j - i;
    if (state === 'down') down += j - i;
    // Down slots are taller than up ones, no-data ones low: the shape says it, not only the colour.
    const [cls, y, h] = state === 'down' ? ['d', 0, 18] : state === 'up' ? ['u', 3, 12] : ['n', 6, 6];
    rects += `<rect class="${cls}" x="${i * w}" y="${y}" width="${(j - i) * w - 1}" height="${h}"/>`;
    i = j;
  }
  const label = `last ${strip.length} ${unit}: ${up} up, ${down} with downtime, ${strip.length - up - down} no data`;
  return html`<svg class="strip" viewBox="0 0 ${strip.length * w} 18" preserveAspectRatio="none" role="img" aria-label="${label}"><title>${label}</title>${raw(rects)}</svg>`;
}

function unitOf(def: CheckDef): string {
  if (def.schedule.kind === 'probe') return 'hours';
  if (def.schedule.kind === 'simple') return 'periods';
  return 'days';
}

export interface ListPage {
  rows: ListRow[];
  filter: ListFilter;
  allTags: string[];
  total: number;
  now: number;
  readOnly: boolean;
  badgeKey: string;
  baseUrl: string;
  /** The rows already rendered (the route renders them in slices, yielding between). */
  rowHtml?: Html[];
}

const tagHref = (tags: readonly string[], q: string) => {
  const p = new URLSearchParams();
  for (const t of tags) p.append('tag', t);
  if (q) p.set('q', q);
  const s = p.toString();
  return s ? `/?${s}` : '/';
};

/** Links to a check: its uuid, or its `unique_key` for read-only users (who never see uuids). */
export function checkHref(record: CheckRecord, readOnly: boolean): string {
  return `/checks/${readOnly ? uniqueKey(record.uuid) : record.uuid}`;
}

/** One row of the list. */
export function renderRow(row: ListRow, p: Pick<ListPage, 'filter' | 'now' | 'readOnly'>): Html {
  const d = row.record.def;
  return html`<tr data-status="${row.status}">
<td>${statusBadge(row.status)}</td>
<td><a href="${checkHref(row.record, p.readOnly)}">${d.name}</a>${row.record.managed ? html` <span class="muted" title="defined in the config file">from config</span>` : ''}
${row.unrouted ? html`<br><span class="warn" title="${row.warnings.join('; ')}">⚠ unrouted: notifies nobody</span>` : row.warnings.length > 0 ? html`<br><span class="warn">⚠ ${row.warnings.join('; ')}</span>` : ''}</td>
<td class="hide-sm">${d.tags.map((t) => html`<a class="tag" href="${tagHref([...new Set([...p.filter.tags, t])], p.filter.q)}">${t}</a>`)}</td>
<td>${ago(row.record.state.lastPing, p.now)}</td>
<td class="hide-sm">${scheduleText(d)}</td>
<td class="hide-sm">${stripSvg(row.strip, unitOf(d))}</td>
</tr>`;
}

export function renderList(p: ListPage): Html {
  const counts: Record<CheckStatus, number> = { down: 0, late: 0, up: 0, new: 0, paused: 0 };
  for (const r of p.rows) counts[r.status]++;
  const rows = p.rowHtml ?? p.rows.map((row) => renderRow(row, p));
  const summary = (['down', 'late', 'up', 'new', 'paused'] as const)
    .filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
  return html`<main data-refresh="2000">
<h1>Checks</h1>
<form class="filters" method="get" action="/" role="search">
<label><span class="vh">Search by name</span><input type="search" name="q" placeholder="Search by name" value="${p.filter.q}"></label>
${p.filter.tags.map((t) => html`<input type="hidden" name="tag" value="${t}">`)}
<button type="submit">Search</button>
${p.filter.tags.length > 0 || p.filter.q ? html`<a href="/">Clear filters</a>` : ''}
</form>
<p>${p.allTags.length > 0 ? html`Tags: ${p.allTags.map((t) => html`<a class="tag" href="${tagHref(p.filter.tags.includes(t) ? p.filter.tags.filter((x) => x !== t) : [...p.filter.tags, t], p.filter.q)}"${p.filter.tags.includes(t) ? raw(' aria-current="true" style="font-weight:700"') : ''}>${p.filter.tags.includes(t) ? '✓ ' : ''}${t}</a>`)}` : ''}</p>
<p class="muted" aria-live="polite">${p.rows.length} of ${p.total} checks${summary ? `: ${summary}` : ''} · updated <time datetime="${new Date(p.now).toISOString()}">${utcText(p.now)}</time></p>
<table><thead><tr><th>Status</th><th>Name</th><th class="hide-sm">Tags</th><th>Last ping</th><th class="hide-sm">Schedule</th><th class="hide-sm">Last 30</th></tr></thead>
<tbody>${rows}</tbody></table>
${p.rows.length === 0 ? html`<p class="muted">No checks${p.total > 0 ? ' match' : ' yet: create one with the API or ?create=1'}.</p>` : ''}
<p class="muted">Badges: <code>${p.baseUrl}/badge/${p.badgeKey}/&lt;slug or tag&gt;.svg</code></p>
</main>`;
}
