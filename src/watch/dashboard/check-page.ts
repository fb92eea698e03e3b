import { formatDuration } from '../../lib/duration.js';
import { nextPingAt, statusAt } from '../checks/machine.js';
import type { CheckRecord, PingRecord } from '../checks/model.js';
import type { Routing } from '../checks/routing.js';
import type { FlipRow, OutboxJob } from '../store/types.js';
import { scheduleText } from './checks-list.js';
import { type Html, html } from './html.js';
import { ago, statusBadge, utcText } from './layout.js';

/**
 * One check: its state, ping URLs with copy-ready lines (curl, runitor, Alertmanager, systemd),
 * the ping log with bodies (as text, escaped), flips, notifications with their outcomes, and
 * the forms that change it (pause / resume, a test notification per channel; POST + CSRF).
 */

export interface CheckPageData {
  record: CheckRecord;
  /** How the page links to the check (uuid, or unique_key for read-only users). */
  href: string;
  now: number;
  baseUrl: string;
  pingKey: string;
  badgeKey: string;
  routing: Routing;
  pings: PingRecord[];
  flips: FlipRow[];
  jobs: OutboxJob[];
  user: { readOnly: boolean; csrf: string };
  /** The probe section (./probe-page.ts), for checks of kind probe. */
  probe?: Html;
  /** A one-off message (the outcome of a test notification). */
  notice?: { ok: boolean; text: string };
}

/** Shown bodies are cut to this many characters (the whole body is in the API). */
const BODY_SHOWN = 2000;

const decoder = new TextDecoder('utf-8', { fatal: false });

function bodyText(body: Uint8Array | null): string {
  if (!body || body.length === 0) return '';
  const text = decoder.decode(body);
  return text.length > BODY_SHOWN ? `${text.slice(0, BODY_SHOWN)}…` : text;
}

/** Copy-ready integration lines for a ping URL. */
export function integrationLines(url: string, name: string): Array<{ title: string; text: string }> {
  return [
    { title: 'curl (at the end of a job)', text: `curl -fsS -m 10 --retry 5 -o /dev/null ${url}` },
    {
      title: 'curl with start, exit status and output',
      text: `curl -fsS -m 10 --retry 5 -o /dev/null ${url}/start\nOUTPUT=$(your-command 2>&1); STATUS=$?\ncurl -fsS -m 10 --retry 5 -o /dev/null --data-raw "$OUTPUT" ${url}/$STATUS`,
    },
    { title: 'runitor', text: `runitor -ping-url ${url} -- your-command` },
    {
      title: 'Alertmanager (Watchdog receiver)',
      text: `receivers:\n  - name: deadman\n    webhook_configs:\n      - url: ${url}\n        send_resolved: false\nroute:\n  routes:\n    - matchers: [alertname = Watchdog]\n      receiver: deadman\n      group_wait: 0s\n      group_interval: 1m\n      repeat_interval: 1m`,
    },
    {
      title: `systemd (${name}.service, Type=oneshot)`,
      text: `[Service]\nType=oneshot\nExecStartPre=-/usr/bin/curl -fsS -m 10 --retry 5 -o /dev/null ${url}/start\nExecStart=/usr/local/bin/your-command\nExecStopPost=/bin/sh -c 'curl -fsS -m 10 --retry 5 -o /dev/null ${url}/$([ "$SERVICE_RESULT" = success ] && echo 0 || echo fail)'`,
    },
  ];
}

const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

export function renderCheckPage(d: CheckPageData): Html {
  const { def, state } = d.record;
  const status = statusAt(def, state, d.now);
  const uuidUrl = `${d.baseUrl}/ping/${d.record.uuid}`;
  const slugUrl = `${d.baseUrl}/ping/${d.pingKey}/${def.slug}`;
  const probe = def.schedule.kind === 'probe';
  const actions = d.user.readOnly
    ? html`<p class="muted">Read-only: you can look, not change.</p>`
    : html`<div class="row-actions">${
        state.status === 'paused'
          ? html`<form method="post" action="${d.href}/resume">${hidden(d.user.csrf)}<button class="primary" type="submit">Resume</button></form>`
          : html`<form method="post" action="${d.href}/pause">${hidden(d.user.csrf)}<button type="submit">Pause</button></form>`
      }${d.routing.channels.map(
        (ch) =>
          html`<form method="post" action="${d.href}/test">${hidden(d.user.csrf)}<input type="hidden" name="channel" value="${ch}"><button type="submit">Send test notification to ${ch}</button></form>`,
      )}</div>`;
  const urls =
    d.user.readOnly || probe
      ? ''
      : html`<h2>Ping URLs</h2>
<p><code>${uuidUrl}</code><br><code>${slugUrl}</code></p>
${integrationLines(uuidUrl, def.slug).map((l) => html`<h3 class="muted" style="font-size:.9rem">${l.title}</h3><pre data-copy>${l.text}</pre>`)}`;
  const badge = `${d.baseUrl}/badge/${d.badgeKey}/${def.slug}`;
  const badges = html`<h2>Badges</h2>
<p><img src="${badge}.svg" alt="status badge of ${def.name}" height="20"> <img src="${badge}/uptime/7d.svg" alt="7 day uptime badge of ${def.name}" height="20"></p>
<pre data-copy>${badge}.svg
${badge}/uptime/24h.svg
${badge}/uptime/7d.svg
${badge}/uptime/30d.svg
${badge}/shields.json</pre>
${def.tags.length > 0 ? html`<p class="muted">By tag (the worst check with the tag): ${def.tags.map((t) => html`<code>${d.baseUrl}/badge/${d.badgeKey}/${t}.svg</code> `)}</p>` : ''}`;
  const pings = html`<h2>Ping log</h2>${
    d.pings.length === 0
      ? html`<p class="muted">No pings yet.</p>`
      : html`<table><thead><tr><th>#</th><th>Kind</th><th>Time</th><th class="hide-sm">Source</th><th class="hide-sm">rid</th><th>Duration</th><th>Body</th></tr></thead><tbody>${d.pings.map(
          (
            p,
          ) => html`<tr><td>${p.n}</td><td>${p.kind}${p.exitStatus !== null ? ` (exit ${p.exitStatus})` : ''}</td>
<td>${ago(p.at, d.now)}</td><td class="hide-sm">${p.scheme} ${p.method} from ${p.remoteAddr || 'unknown'}${p.userAgent ? html`<br><span class="muted">${p.userAgent}</span>` : ''}</td>
<td class="hide-sm">${p.rid ?? ''}</td><td>${p.duration !== null ? formatDuration(p.duration) : ''}</td>
<td>${p.body && p.body.length > 0 ? html`<pre>${bodyText(p.body)}</pre>` : ''}</td></tr>`,
        )}</tbody></table>`
  }`;
  const flips = html`<h2>Flips</h2>${
    d.flips.length === 0
      ? html`<p class="muted">No flips yet.</p>`
      : html`<table><thead><tr><th>Time</th><th>From</th><th>To</th><th>Reason</th></tr></thead><tbody>${d.flips.map(
          (f) =>
            html`<tr><td>${ago(f.at, d.now)}</td><td>${f.from}</td><td>${statusBadge(f.to as 'up')}</td><td>${f.reason}</td></tr>`,
        )}</tbody></table>`
  }`;
  const jobs = html`<h2>Notifications</h2>${
    d.jobs.length === 0
      ? html`<p class="muted">No notifications yet.</p>`
      : html`<table><thead><tr><th>Time</th><th>Channel</th><th>Event</th><th>Outcome</th><th class="hide-sm">Message</th></tr></thead><tbody>${d.jobs.map(
          (
            j,
          ) => html`<tr><td>${ago(j.createdAt, d.now)}</td><td>${j.channel}${j.isFallback ? ' (fallback)' : ''}</td><td>${j.event}</td>
<td><strong>${j.status}</strong>${j.tries > 1 ? ` after ${j.tries} tries` : ''}${j.lastError ? html`<br><span class="error">${j.lastError}</span>` : ''}</td>
<td class="hide-sm">${j.notification.text}</td></tr>`,
        )}</tbody></table>`
  }`;
  return html`<main data-refresh="2000">
<p><a href="/">← Checks</a></p>
<h1>${def.name}</h1>
${d.notice ? html`<p class="card ${d.notice.ok ? '' : 'error'}" role="status">${d.notice.text}</p>` : ''}
<p>${statusBadge(status)}${state.lastStart !== null && status !== 'down' ? html` <span class="muted">running since ${utcText(state.lastStart)}</span>` : ''}
${d.record.managed ? html` <span class="muted">· from config</span>` : ''}</p>
${d.routing.warnings.map((w) => html`<p class="warn" role="alert">⚠ ${w}</p>`)}
${def.desc ? html`<p>${def.desc}</p>` : ''}
<table><tbody>
<tr><th>Schedule</th><td>${scheduleText(def)}</td></tr>
<tr><th>${probe ? 'Last result' : 'Last ping'}</th><td>${ago(state.lastPing, d.now)}${state.lastPing !== null ? ` (${utcText(state.lastPing)})` : ''}</td></tr>
${probe ? '' : html`<tr><th>Next ping expected</th><td>${ago(nextPingAt(def, state), d.now, '—')}</td></tr>`}
<tr><th>Last duration</th><td>${state.lastDuration !== null ? formatDuration(state.lastDuration) : '—'}</td></tr>
<tr><th>Tags</th><td>${def.tags.map((t) => html`<a class="tag" href="/?tag=${encodeURIComponent(t)}">${t}</a>`)}</td></tr>
<tr><th>Channels</th><td>${d.routing.channels.join(', ') || html`<span class="warn">none</span>`}</td></tr>
</tbody></table>
${actions}
${d.probe ?? ''}
${urls}
${badges}
${probe ? '' : pings}
${flips}
${jobs}
</main>`;
}
