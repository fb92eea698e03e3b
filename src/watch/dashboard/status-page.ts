import { formatDuration } from '../../lib/duration.js';
import { statusAt } from '../checks/machine.js';
import type { CheckRecord, CheckStatus } from '../checks/model.js';
import type { FlipRow } from '../store/types.js';
import type { StatusPageConfig } from './config.js';
import { type Html, html } from './html.js';
import { page, statusBadge, utcText } from './layout.js';
import {
  type Bucket,
  buckets,
  formatUptime,
  type Incident,
  incidents,
  timeline,
  uptimeRatio,
  utcDay,
} from './uptime.js';

/**
 * A public status page (`statusPages:`): the checks it selects by tag or name, their current
 * state, 90 day uptime bars from flips and the incident history. Public means nothing private:
 * the model holds check names, states and times only (no uuid, slug, ping URL, body, probe
 * target or failure message), and the HTML and JSON are rendered from the model alone.
 */

const DAY = 86_400_000;
export const STATUS_DAYS = 90;

export interface PublicCheck {
  name: string;
  status: CheckStatus;
  uptime90: number | null;
  days: Bucket[];
}

export interface PublicIncident extends Incident {
  check: string;
}

export interface StatusPageModel {
  slug: string;
  title: string;
  announcement?: string;
  generatedAt: number;
  overall: 'up' | 'degraded' | 'down' | 'none';
  checks: PublicCheck[];
  incidents: PublicIncident[] | null;
}

/** The checks a page shows: any of its tags, or named. */
export function pageChecks(cfg: StatusPageConfig, records: readonly CheckRecord[]): CheckRecord[] {
  const tags = new Set(cfg.tags);
  const names = new Set(cfg.checks);
  return records.filter((r) => names.has(r.def.name) || r.def.tags.some((t) => tags.has(t)));
}

export function statusPageModel(
  cfg: StatusPageConfig,
  records: readonly CheckRecord[],
  flipsOf: (uuid: string) => readonly FlipRow[],
  now: number,
): StatusPageModel {
  const end = utcDay(now) + DAY;
  const from = end - STATUS_DAYS * DAY;
  const all: PublicIncident[] = [];
  const checks = pageChecks(cfg, records)
    .sort((a, b) => a.def.name.localeCompare(b.def.name))
    .map((r): PublicCheck => {
      const status = statusAt(r.def, r.state, now);
      const flips = flipsOf(r.uuid);
      const tl = timeline(flips, { from, to: now, createdAt: r.createdAt, current: r.state.status });
      for (const inc of incidents(flips))
        if ((inc.end ?? now) >= from) all.push({ ...inc, check: r.def.name });
      return {
        name: r.def.name,
        status,
        uptime90: uptimeRatio(tl, from, now),
        days: buckets(tl, end, DAY, STATUS_DAYS),
      };
    });
  const down = checks.filter((c) => c.status === 'down').length;
  const active = checks.filter((c) => c.status !== 'paused' && c.status !== 'new').length;
  const overall = active === 0 ? 'none' : down === 0 ? 'up' : down === active ? 'down' : 'degraded';
  return {
    slug: cfg.slug,
    title: cfg.title,
    ...(cfg.announcement ? { announcement: cfg.announcement } : {}),
    generatedAt: now,
    overall,
    checks,
    incidents: cfg.showHistory ? all.sort((a, b) => b.start - a.start).slice(0, 50) : null,
  };
}

const OVERALL: Record<StatusPageModel['overall'], [CheckStatus, string]> = {
  up: ['up', 'All systems operational'],
  degraded: ['late', 'Some systems are down'],
  down: ['down', 'All systems are down'],
  none: ['new', 'No data yet'],
};

const PUBLIC_WORDS: Record<CheckStatus, string> = {
  up: 'Operational',
  late: 'Late',
  down: 'Down',
  paused: 'Paused',
  new: 'No data yet',
};

const REASONS: Record<string, string> = {
  timeout: 'no sign of life in time',
  fail: 'reported a failure',
  probe: 'failed its checks',
};

function dayText(b: Bucket): string {
  const date = new Date(b.start).toISOString().slice(0, 10);
  if (b.worst === 'none') return `${date}: no data`;
  if (b.downMs === 0) return `${date}: no downtime`;
  return `${date}: down ${formatDuration(b.downMs)}`;
}

function bars(days: readonly Bucket[]): Html {
  return html`<ol class="bars" aria-label="uptime, one bar per day, oldest first">${days.map(
    (b) => html`<li class="b-${b.worst}" title="${dayText(b)}"><span class="vh">${dayText(b)}</span></li>`,
  )}</ol>`;
}

export function renderStatusPage(m: StatusPageModel): string {
  const [overallStatus, overallText] = OVERALL[m.overall];
  const checks = m.checks.map(
    (c) => html`<section class="card">
<div class="legend"><strong>${c.name}</strong>${statusBadge(c.status, PUBLIC_WORDS[c.status])}</div>
${bars(c.days)}
<div class="legend"><span>${STATUS_DAYS} days ago</span><span>${formatUptime(c.uptime90)} uptime</span><span>today</span></div>
</section>`,
  );
  const history =
    m.incidents === null
      ? ''
      : html`<h2>Incidents</h2>${
          m.incidents.length === 0
            ? html`<p class="muted">No incidents in the last ${STATUS_DAYS} days.</p>`
            : html`<ul>${m.incidents.map(
                (i) =>
                  html`<li><strong>${i.check}</strong> was down from <time datetime="${new Date(i.start).toISOString()}">${utcText(i.start)}</time>${
                    i.end === null
                      ? html` and <strong>is still down</strong>`
                      : html` for ${formatDuration(i.end - i.start)}`
                  } (${REASONS[i.reason] ?? i.reason}).</li>`,
              )}</ul>`
        }`;
  const body = html`<main>
<h1>${m.title}</h1>
${m.announcement ? html`<p class="card announce" role="note">${m.announcement}</p>` : ''}
<p class="card">${statusBadge(overallStatus, overallText)}</p>
${m.checks.length === 0 ? html`<p class="muted">No checks on this page.</p>` : checks}
${history}
<p class="muted">Updated ${utcText(m.generatedAt)} · <a href="/status/${m.slug}.json">JSON</a></p>
</main>`;
  return page({ title: m.title, body });
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function statusPageJson(m: StatusPageModel): Record<string, unknown> {
  return {
    slug: m.slug,
    title: m.title,
    announcement: m.announcement ?? null,
    generated_at: iso(m.generatedAt),
    status: m.overall,
    checks: m.checks.map((c) => ({
      name: c.name,
      status: c.status,
      uptime_90d: c.uptime90,
      days: c.days.map((b) => ({
        date: new Date(b.start).toISOString().slice(0, 10),
        status: b.worst,
        up_seconds: Math.round(b.upMs / 1000),
        down_seconds: Math.round(b.downMs / 1000),
      })),
    })),
    incidents:
      m.incidents?.map((i) => ({ check: i.check, start: iso(i.start), end: iso(i.end), reason: i.reason })) ??
      null,
  };
}
