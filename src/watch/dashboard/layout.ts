import { formatDuration } from '../../lib/duration.js';
import { formatUtc } from '../checks/message.js';
import type { CheckStatus } from '../checks/model.js';
import { SCRIPT_URL, STYLESHEET_URL } from './assets.js';
import { type Html, html } from './html.js';

/** The frame of every page: one stylesheet, an optional small script, a header with the user. */
export interface PageFrame {
  title: string;
  body: Html;
  /** The signed-in user and their CSRF token (for the sign-out form); absent on public pages. */
  user?: { name: string; readOnly: boolean; csrf: string };
  /** Load the script (live refresh, copy buttons). */
  script?: boolean;
}

export function page(f: PageFrame): string {
  const nav = f.user
    ? html`<nav><a href="/">Checks</a></nav>
<span class="muted">${f.user.name}${f.user.readOnly ? ' (read-only)' : ''}</span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${f.user.csrf}"><button type="submit">Sign out</button></form>`
    : html`<nav></nav>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark"><title>${f.title} · alertpath watch</title>
<link rel="stylesheet" href="${STYLESHEET_URL}">${f.script ? html`<script src="${SCRIPT_URL}" defer></script>` : ''}</head>
<body><header class="top"><a class="brand" href="/">alertpath watch</a>${nav}</header>
${f.body}
<footer>alertpath watch</footer></body></html>`.text;
}

const WORDS: Record<CheckStatus, string> = {
  up: 'up',
  late: 'late',
  down: 'down',
  paused: 'paused',
  new: 'new',
};

/** A status as a word with a shape and colour (never the colour alone). */
export function statusBadge(status: CheckStatus, word = WORDS[status]): Html {
  return html`<span class="status s-${status}">${word}</span>`;
}

/** `2026-11-25 03:00:12 UTC`, as notifications write times. */
export const utcText = formatUtc;

/** `3 min ago` with the exact time in a tooltip, in a <time> element. */
export function ago(ms: number | null, now: number, never = 'never'): Html {
  if (ms === null) return html`<span class="muted">${never}</span>`;
  const d = now - ms;
  const text = d < 0 ? `in ${formatDuration(-d)}` : d < 1000 ? 'just now' : `${formatDuration(d)} ago`;
  return html`<time datetime="${new Date(ms).toISOString()}" title="${utcText(ms)}">${text}</time>`;
}
