import { z } from 'zod';
import { cutTo, fullText } from './format.js';
import { type ServiceErrors, sendHttp } from './http.js';
import { joinUrl, zSecret, zServiceUrl } from './schema.js';
import type { ChannelTransport, Notification } from './types.js';

export const pagerdutyChannelSchema = z.strictObject({
  type: z.literal('pagerduty'),
  /** The 32-character integration key of an Events API v2 integration. */
  routingKey: zSecret.refine((s) => /^[A-Za-z0-9]{32}$/.test(s), 'a PagerDuty routing key is 32 characters'),
  severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
  /** `payload.source`: the affected system as PagerDuty shows it (default: the check's name). */
  source: z.string().min(1).max(255).optional(),
  apiUrl: zServiceUrl.default('https://events.pagerduty.com'),
});

export type PagerdutyChannelConfig = z.output<typeof pagerdutyChannelSchema>;

export const PAGERDUTY_SUMMARY_MAX = 1024;

const errors: ServiceErrors = {
  describe: (json) => {
    const e = json as { message?: string; errors?: unknown } | undefined;
    const list = Array.isArray(e?.errors) ? `: ${e.errors.map(String).join('; ')}` : '';
    return e?.message ? `${e.message}${list}` : undefined;
  },
  // PagerDuty names no wait; its docs advise retrying a 429 after a backoff.
  defaultRetryAfterMs: 30_000,
};

/** One alert per check: every event of a check carries the same key, so a resolve closes it. */
export function dedupKey(n: Notification): string {
  return `alertpath-${n.test ? 'test-' : ''}${n.check.uuid}`;
}

/**
 * Events API v2 (`POST /v2/enqueue`): a down (and each reminder) triggers the check's alert, an
 * up resolves it. A test notification triggers an alert of its own and resolves it at once.
 */
export function pagerdutyTransport(name: string, config: PagerdutyChannelConfig): ChannelTransport {
  const url = joinUrl(config.apiUrl, 'v2/enqueue');
  const enqueue = (event: Record<string, unknown>, signal: AbortSignal) =>
    sendHttp(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: config.routingKey, ...event }),
      signal,
      errors,
    });
  return {
    name,
    type: 'pagerduty',
    async send(n, signal) {
      const dedup_key = dedupKey(n);
      if (n.event === 'up') {
        await enqueue({ event_action: 'resolve', dedup_key }, signal);
        return;
      }
      const details: Record<string, unknown> = { check: n.check.name, reason: n.reason };
      if (n.check.tags.length > 0) details.tags = n.check.tags.join(' ');
      if (n.lastPing) details.last_ping = new Date(n.lastPing.at).toISOString();
      const full = fullText(n, 2000);
      if (full !== n.text) details.details = full;
      await enqueue(
        {
          event_action: 'trigger',
          dedup_key,
          payload: {
            summary: cutTo(n.text, PAGERDUTY_SUMMARY_MAX),
            source: config.source ?? n.check.name,
            severity: n.test ? 'info' : config.severity,
            timestamp: new Date(n.at).toISOString(),
            component: n.check.slug,
            class: n.reason,
            custom_details: details,
          },
          client: 'alertpath watch',
          ...(n.check.url
            ? { client_url: n.check.url, links: [{ href: n.check.url, text: 'Open check' }] }
            : {}),
        },
        signal,
      );
      if (n.test) await enqueue({ event_action: 'resolve', dedup_key }, signal);
    },
  };
}
