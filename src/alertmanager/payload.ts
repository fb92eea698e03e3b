import { z } from 'zod';

/**
 * Alertmanager webhook payload, version 4: what `webhook_configs` POSTs. The relay renders it,
 * watch recognises it in ping bodies, drill sends it. Unknown fields are kept out, missing
 * optional ones get Alertmanager's own defaults.
 */
const labelSet = z.record(z.string(), z.string());

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: z.string().default(''),
  endsAt: z.string().default(''),
  generatorURL: z.string().default(''),
  fingerprint: z.string().default(''),
});

export const webhookPayloadSchema = z.object({
  version: z.string().default('4'),
  groupKey: z.string().default(''),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema),
});

export type Alert = z.output<typeof alertSchema>;
export type WebhookPayload = z.output<typeof webhookPayloadSchema>;

export type ParseResult = { ok: true; payload: WebhookPayload } | { ok: false; message: string };

/**
 * Validates a decoded JSON body; the message names the first bad field, e.g. `alerts[0].labels: expected object`.
 * Every string of the result is well-formed: a lone UTF-16 surrogate (a `\ud800` escape) becomes
 * U+FFFD, so nothing downstream (`encodeURIComponent`, Discord, a database) fails on it.
 */
export function parseWebhookPayload(body: unknown): ParseResult {
  const r = webhookPayloadSchema.safeParse(body);
  if (r.success) return { ok: true, payload: allWellFormed(r.data) ? r.data : wellFormed(r.data) };
  const issue = r.error.issues[0];
  if (!issue) return { ok: false, message: 'invalid payload' };
  return { ok: false, message: `${formatPath(issue.path)}: ${describeIssue(issue)}` };
}

/** True when every string in `v` (object keys included) is well-formed UTF-16; allocates nothing. */
function allWellFormed(v: unknown): boolean {
  if (typeof v === 'string') return v.isWellFormed();
  if (Array.isArray(v)) return v.every(allWellFormed);
  if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) if (!k.isWellFormed() || !allWellFormed(x)) return false;
  return true;
}

/** A copy of `v` with every string, object keys included, made well-formed (lone surrogates → U+FFFD). */
function wellFormed<T>(v: T): T {
  if (typeof v === 'string') return v.toWellFormed() as T;
  if (Array.isArray(v)) return v.map(wellFormed) as T;
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toWellFormed(), wellFormed(x)])) as T;
  return v;
}

/** True for a body that looks like an Alertmanager webhook (cheap check before full parsing). */
export function looksLikeWebhookPayload(body: unknown): body is { status: string; alerts: unknown[] } {
  return (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { alerts?: unknown }).alerts) &&
    typeof (body as { status?: unknown }).status === 'string'
  );
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return 'payload';
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type')
    return `expected ${issue.expected === 'record' ? 'object' : issue.expected}`;
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}

/** Alertmanager's silence form, pre-filled with matchers for the alert's labels. */
export function silenceUrl(externalURL: string, labels: Record<string, string>): string | undefined {
  if (!externalURL) return undefined;
  const matchers = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',');
  return `${externalURL.replace(/\/$/, '')}/#/silences/new?filter=${encodeURIComponent(`{${matchers}}`)}`;
}

/** True when every `match` label equals the alert's label. */
export function labelsMatch(labels: Record<string, string>, match: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(match)) if (labels[k] !== v) return false;
  return true;
}
