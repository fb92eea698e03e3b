import { formatDuration } from '../../lib/duration.js';
import { formatUtc } from '../checks/message.js';
import type { CheckRecord } from '../checks/model.js';
import type { ProbeHourRow, ProbeResultRow, Store } from '../store/types.js';
import { escapeHtml, type Html, html, raw } from './html.js';
import { ago, utcText } from './layout.js';
import { formatUptime, utcDay } from './uptime.js';

/**
 * The probe section of a check page: a latency chart (inline SVG, no script) over 24 h (each
 * result) or 7 / 30 days (hourly average and maximum), uptime per day for 30 days, the last
 * failure messages and the certificate's expiry date when the probe reports one.
 */

const HOUR = 3_600_000;
const DAY = 86_400_000;
export const PROBE_RANGES = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY } as const;
export type ProbeRange = keyof typeof PROBE_RANGES;

export interface ChartPoint {
  at: number;
  /** Average (or the one result's) latency, ms. */
  ms: number;
  /** The hour's maximum, ms (same as `ms` for single results). */
  max: number;
  ok: boolean;
}

export function chartPoints(
  range: ProbeRange,
  results: readonly ProbeResultRow[],
  hours: readonly ProbeHourRow[],
  now: number,
): ChartPoint[] {
  const from = now - PROBE_RANGES[range];
  if (range === '24h')
    return results
      .filter((r) => r.at >= from)
      .map((r) => ({ at: r.at, ms: r.latencyMs, max: r.latencyMs, ok: r.ok }))
      .sort((a, b) => a.at - b.at);
  return hours
    .filter((h) => h.hour + HOUR > from && h.probes > 0)
    .map((h) => ({ at: h.hour, ms: h.latencySumMs / h.probes, max: h.latencyMaxMs, ok: h.failures === 0 }));
}

/** A latency chart: average line, maximum as a lighter line, failures as marks under the axis. */
export function latencySvg(points: readonly ChartPoint[], from: number, to: number, perResult = true): Html {
  const W = 720;
  const H = 160;
  const PAD = 28;
  if (points.length === 0) return html`<p class="muted">No results in this range.</p>`;
  const top = Math.max(1, ...points.map((p) => p.max));
  const x = (t: number) => PAD + ((t - from) / Math.max(1, to - from)) * (W - PAD - 4);
  const y = (ms: number) => H - 18 - (ms / top) * (H - 30);
  const line = (pick: (p: ChartPoint) => number) =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at).toFixed(1)},${y(pick(p)).toFixed(1)}`).join('');
  const fails = points
    .filter((p) => !p.ok)
    .map(
      (p) =>
        `<rect x="${(x(p.at) - 1.5).toFixed(1)}" y="${H - 14}" width="3" height="10" style="fill:var(--down)"/>`,
    )
    .join('');
  // One transparent hit area per point, with its tooltip (no script needed).
  const slot = Math.max(2, (W - PAD - 4) / points.length);
  const tips = points
    .map((p) => {
      const tip = `${formatUtc(p.at)}: ${formatDuration(p.ms)}${p.max !== p.ms ? `, highest ${formatDuration(p.max)}` : ''}${p.ok ? '' : ', failed'}`;
      return `<rect x="${(x(p.at) - slot / 2).toFixed(1)}" y="0" width="${slot.toFixed(1)}" height="${H}" style="fill:transparent"><title>${escapeHtml(tip)}</title></rect>`;
    })
    .join('');
  const avg = points.reduce((s, p) => s + p.ms, 0) / points.length;
  const failures = points.filter((p) => !p.ok).length;
  const label = `latency: average ${formatDuration(avg)}, highest ${formatDuration(top)}, ${failures} ${failures === 1 ? 'period' : 'periods'} with failures`;
  return html`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${label}" style="max-width:${W}px;display:block">
<title>${label}</title>
<line x1="${PAD}" y1="${y(0)}" x2="${W - 4}" y2="${y(0)}" style="stroke:var(--line)"/>
<text x="2" y="${y(top) + 4}" style="fill:var(--muted);font-size:10px">${formatDuration(top)}</text>
<text x="2" y="${y(0) + 4}" style="fill:var(--muted);font-size:10px">0</text>
${raw(`<path d="${line((p) => p.max)}" style="fill:none;stroke:var(--muted);stroke-width:1;stroke-dasharray:3 2"/>`)}
${raw(`<path d="${line((p) => p.ms)}" style="fill:none;stroke:var(--link);stroke-width:1.5"/>`)}
${raw(fails)}
${raw(tips)}
</svg>
<p class="muted">Solid: ${perResult ? 'each result' : 'hourly average'}; dashed: highest; red marks: failures. ${utcText(from)} – ${utcText(to)}.</p>`;
}

/** Uptime per UTC day from the hourly aggregates (successful runs over runs), newest first. */
export function dailyUptime(
  hours: readonly ProbeHourRow[],
  now: number,
  days = 30,
): Array<{ day: number; ratio: number | null }> {
  const out: Array<{ day: number; probes: number; failures: number }> = [];
  const today = utcDay(now);
  for (let k = 0; k < days; k++) out.push({ day: today - k * DAY, probes: 0, failures: 0 });
  for (const h of hours) {
    const k = Math.round((today - utcDay(h.hour)) / DAY);
    const d = out[k];
    if (!d) continue;
    d.probes += h.probes;
    d.failures += h.failures;
  }
  return out.map((d) => ({ day: d.day, ratio: d.probes === 0 ? null : (d.probes - d.failures) / d.probes }));
}

/** The certificate's expiry date from the newest result that names it. */
export function certificateExpiry(results: readonly ProbeResultRow[]): string | undefined {
  for (const r of results) {
    const until = /valid until (\d{4}-\d{2}-\d{2})/.exec(r.message);
    if (until) return until[1];
    const expires = /expires in (\d+) days/.exec(r.message);
    if (expires) return new Date(r.at + Number(expires[1]) * DAY).toISOString().slice(0, 10);
  }
  return undefined;
}

export async function probeSection(
  store: Store,
  record: CheckRecord,
  now: number,
  range: ProbeRange = '24h',
): Promise<Html> {
  const p = record.def.probe;
  const [results, hours] = await Promise.all([
    store.listProbeResults(record.uuid, 1000),
    store.listProbeHours(record.uuid, { from: now - 31 * DAY }),
  ]);
  const from = now - PROBE_RANGES[range];
  const failures = results.filter((r) => !r.ok).slice(0, 10);
  const cert = certificateExpiry(results);
  const days = dailyUptime(hours, now);
  return html`<h2>Probe</h2>
<p>${p?.type ?? ''} <code>${p?.target ?? ''}</code>${p ? ` · timeout ${formatDuration(p.timeoutMs)} · down after ${p.failureThreshold} failure${p.failureThreshold === 1 ? '' : 's'}` : ''}</p>
${cert ? html`<p>Certificate valid until <strong>${cert}</strong></p>` : ''}
<h3>Latency</h3>
<p class="row-actions">${(Object.keys(PROBE_RANGES) as ProbeRange[]).map((r) =>
    r === range ? html`<strong aria-current="true">${r}</strong>` : html`<a href="?range=${r}">${r}</a>`,
  )}</p>
${latencySvg(chartPoints(range, results, hours, now), from, now, range === '24h')}
<h3>Uptime per day</h3>
<ol class="bars" aria-label="uptime per day, oldest first">${[...days].reverse().map((d) => {
    const text = `${new Date(d.day).toISOString().slice(0, 10)}: ${formatUptime(d.ratio)}`;
    const cls = d.ratio === null ? 'none' : d.ratio < 1 ? 'down' : 'up';
    return html`<li class="b-${cls}" title="${text}"><span class="vh">${text}</span></li>`;
  })}</ol>
<h3>Last failures</h3>
${
  failures.length === 0
    ? html`<p class="muted">No failures in the last ${results.length} results.</p>`
    : html`<ul>${failures.map((f) => html`<li>${ago(f.at, now)}: ${f.message}</li>`)}</ul>`
}`;
}
