import type { Alert, WebhookPayload } from '../alertmanager/payload.js';
import { silenceUrl } from '../alertmanager/payload.js';
import {
  type AllowedMentions,
  type DiscordEmbed,
  type DiscordMessage,
  escapeMarkdown,
  DISCORD_LIMITS as L,
  packDescriptions,
  truncate,
} from '../discord/index.js';
import type { RouteConfig, Severity } from './config.js';

/**
 * Turns one Alertmanager notification into Discord messages. Pure: the same payload, route and
 * random source give the same messages. Every message stays inside every Discord limit, and
 * every alert appears in the output; a long group continues in further embeds, then in further
 * messages titled `(part 2/3)`.
 */

type Look = 'critical' | 'warning' | 'info' | 'resolved';

const EMOJI: Record<Look, string> = { critical: '🔴', warning: '🟠', info: '🔵', resolved: '🟢' };
export const COLOR: Record<Look, number> = {
  critical: 0xff0000,
  warning: 0xff8000,
  info: 0x3498db,
  resolved: 0x00ff00,
};
const SEVERITY_RANK: Record<string, number> = { critical: 3, error: 3, warning: 2, info: 1, none: 0 };

/** The most an alert's bullet or context line may take; links longer than this are left out. */
const BULLET_MAX = 1024;
const CONTEXT_MAX = 512;
const LINK_MAX = 1000;
const FOOTER_MAX = 200;

export interface RenderOptions {
  /** Picks a flavor line; injected so rendering stays deterministic in tests. */
  random?: () => number;
  /** Told about an alert that could not be rendered (it is shown degraded, its group still goes out). */
  onAlertError?: (alert: Alert, err: unknown) => void;
}

export function renderNotification(
  payload: WebhookPayload,
  route: RouteConfig,
  options: RenderOptions = {},
): DiscordMessage[] {
  const look = lookOf(payload);
  const alerts = orderAlerts(payload);
  const counted = alerts.filter((a) => a.status === payload.status).length;
  const alertname = groupAlertname(payload, alerts);
  const severity = severityOf(payload);
  const baseTitle = `${EMOJI[look]} ${payload.status.toUpperCase()} (${counted}) ${escapeMarkdown(alertname)}${severity ? ` [${escapeMarkdown(severity)}]` : ''}`;

  const blocks: string[] = [];
  const flavor = pick(route.flavor?.[look], options.random ?? Math.random);
  if (flavor) blocks.push(truncate(flavor, BULLET_MAX));
  for (const alert of alerts) blocks.push(renderAlertOrDegraded(alert, payload, options));
  if (payload.truncatedAlerts > 0)
    blocks.push(`…and ${payload.truncatedAlerts} more alerts Alertmanager left out`);

  const footer = truncate(payload.receiver || 'alertmanager', FOOTER_MAX);
  const timestamp = earliest(alerts);
  const messages = packDescriptions(blocks, { titleReserve: L.title, footerSize: footer.length });

  const mentions = look === 'resolved' ? [] : (route.mentions?.[look as Severity] ?? []);
  const allowed = allowedMentions(mentions);
  return messages.map((descriptions, i) => {
    const embeds: DiscordEmbed[] = descriptions.map((description) => ({ description, color: COLOR[look] }));
    const first = embeds[0] as DiscordEmbed;
    first.title = titleOf(baseTitle, messages.length > 1 ? ` (part ${i + 1}/${messages.length})` : '');
    const last = embeds[embeds.length - 1] as DiscordEmbed;
    last.footer = { text: footer };
    if (timestamp) last.timestamp = timestamp;
    const message: DiscordMessage = { embeds, allowed_mentions: allowed };
    if (i === 0 && mentions.length > 0) message.content = truncate(mentions.join(' '), L.content);
    return message;
  });
}

/** The title cut so that it and its part suffix, whatever the part count, fit Discord's 256. */
function titleOf(base: string, suffix: string): string {
  return `${truncate(base, L.title - suffix.length)}${suffix}`;
}

/**
 * One alert's block; an alert that cannot be rendered is shown by its alertname (or as unknown)
 * rather than failing its whole group, and reported to `onAlertError`.
 */
function renderAlertOrDegraded(alert: Alert, payload: WebhookPayload, options: RenderOptions): string {
  try {
    return renderAlert(alert, payload);
  } catch (err) {
    options.onAlertError?.(alert, err);
    const name = typeof alert.labels?.alertname === 'string' ? alert.labels.alertname : 'unknown alert';
    return truncate(`• ${escapeMarkdown(name)} (could not be rendered; see the relay's log)`, BULLET_MAX);
  }
}

/** The alertname every alert shares, else the group's, else the first alert's. */
function groupAlertname(payload: WebhookPayload, alerts: Alert[]): string {
  const first = alerts[0]?.labels.alertname;
  if (first !== undefined && alerts.every((a) => a.labels.alertname === first)) return first;
  return payload.groupLabels.alertname ?? payload.commonLabels.alertname ?? first ?? 'alerts';
}

/** The group's look: resolved, else its severity's (critical when unknown). */
export function lookOf(payload: WebhookPayload): Look {
  if (payload.status === 'resolved') return 'resolved';
  const s = severityOf(payload);
  if (s === 'warning') return 'warning';
  if (s === 'info' || s === 'none') return 'info';
  return 'critical';
}

/** The group's severity: the common label, else the highest among its alerts. */
function severityOf(payload: WebhookPayload): string | undefined {
  const common = payload.commonLabels.severity;
  if (common) return common;
  let best: string | undefined;
  for (const a of payload.alerts) {
    const s = a.labels.severity;
    if (s && (best === undefined || (SEVERITY_RANK[s] ?? 0) > (SEVERITY_RANK[best] ?? 0))) best = s;
  }
  return best;
}

/** Alerts of the notification's own status first, in Alertmanager's order. */
function orderAlerts(payload: WebhookPayload): Alert[] {
  return [
    ...payload.alerts.filter((a) => a.status === payload.status),
    ...payload.alerts.filter((a) => a.status !== payload.status),
  ];
}

function renderAlert(alert: Alert, payload: WebhookPayload): string {
  const a = alert.annotations;
  const l = alert.labels;
  const headline = a.description || a.summary || l.instance || 'unknown';
  const marker = alert.status !== payload.status ? `${EMOJI.resolved} resolved: ` : '';
  const lines = [truncate(`• ${marker}${escapeMarkdown(headline)}`, BULLET_MAX)];

  const context = contextLine(l, headline === l.instance);
  if (context) lines.push(truncate(context, CONTEXT_MAX));

  const links: string[] = [];
  const runbook = a.runbook_url ?? a.runbook;
  if (runbook && isLinkable(runbook)) links.push(`[Runbook](${runbook})`);
  if (alert.generatorURL && isLinkable(alert.generatorURL)) links.push(`[Source](${alert.generatorURL})`);
  const silence = silenceUrl(payload.externalURL, l);
  if (silence && isLinkable(silence)) links.push(`[Silence](${silence})`);
  if (links.length > 0) lines.push(`🔗 ${links.join(' · ')}`);
  return lines.join('\n');
}

const WORKLOAD_LABELS = ['deployment', 'statefulset', 'daemonset', 'job_name'];

function contextLine(l: Record<string, string>, instanceShown: boolean): string | undefined {
  const workload = l.pod ?? WORKLOAD_LABELS.map((k) => l[k]).find((v) => v);
  const where = [l.namespace, workload].filter(Boolean).join('/');
  const parts: string[] = [];
  if (where) parts.push(where);
  if (l.container) parts.push(`container: ${l.container}`);
  if (l.node) parts.push(`node: ${l.node}`);
  if (l.reason) parts.push(`reason: ${l.reason}`);
  if (l.instance && !instanceShown) parts.push(`instance: ${l.instance}`);
  if (parts.length === 0) return undefined;
  return `└ ${parts.map(escapeMarkdown).join(' │ ')}`;
}

function isLinkable(url: string): boolean {
  return url.length <= LINK_MAX && /^https?:\/\/[^\s()]+$/.test(url);
}

function earliest(alerts: Alert[]): string | undefined {
  let best: number | undefined;
  for (const a of alerts) {
    const t = Date.parse(a.startsAt);
    if (Number.isFinite(t) && t > 0 && (best === undefined || t < best)) best = t;
  }
  return best === undefined ? undefined : new Date(best).toISOString();
}

function pick(lines: string[] | undefined, random: () => number): string | undefined {
  if (!lines || lines.length === 0) return undefined;
  return lines[Math.min(lines.length - 1, Math.floor(random() * lines.length))];
}

function allowedMentions(mentions: string[]): AllowedMentions {
  const roles: string[] = [];
  const users: string[] = [];
  for (const m of mentions) {
    const id = /\d+/.exec(m)?.[0];
    if (!id) continue;
    if (m.startsWith('<@&')) roles.push(id);
    else users.push(id);
  }
  return { parse: [], roles, users };
}
