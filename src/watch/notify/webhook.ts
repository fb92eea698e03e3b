import { z } from 'zod';
import { zHttpUrl } from '../../lib/schema.js';
import { sendHttp } from './http.js';
import type { ChannelTransport, Notification } from './types.js';

const request = z.strictObject({
  url: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().default(''),
});

export const webhookChannelSchema = z
  .strictObject({ type: z.literal('webhook'), down: request.optional(), up: request.optional() })
  .refine(
    (c) => c.down !== undefined || c.up !== undefined,
    'a webhook channel needs a down or an up request',
  );

export type WebhookChannelConfig = z.output<typeof webhookChannelSchema>;

const PLACEHOLDER = /\$(NAME_JSON|NAME|STATUS|NOW|SLUG|TAGS|CODE|JSON)\b/g;

/**
 * Healthchecks' placeholders, substituted in a single pass (a value that itself contains
 * `$NAME` is not substituted again). In URLs, values are URL-encoded.
 */
export function substitute(template: string, n: Notification, now: number, encode: boolean): string {
  const status = n.event === 'up' ? 'up' : 'down';
  const values: Record<string, string> = {
    NAME: n.check.name,
    NAME_JSON: JSON.stringify(n.check.name),
    STATUS: status,
    NOW: new Date(now).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    SLUG: n.check.slug,
    TAGS: n.check.tags.join(' '),
    CODE: n.check.uuid,
    JSON: JSON.stringify({
      name: n.check.name,
      slug: n.check.slug,
      tags: n.check.tags.join(' '),
      desc: n.check.desc,
      uuid: n.check.uuid,
      status,
      text: n.text,
      ...(n.check.pingUrl ? { ping_url: n.check.pingUrl } : {}),
    }),
  };
  return template.replace(PLACEHOLDER, (_m, key: string) => {
    const v = values[key] ?? '';
    return encode ? encodeURIComponent(v) : v;
  });
}

export function webhookTransport(
  name: string,
  config: WebhookChannelConfig,
  now: () => number,
): ChannelTransport {
  return {
    name,
    type: 'webhook',
    async send(n, signal) {
      const req = n.event === 'up' ? config.up : config.down;
      if (!req) return; // this channel only wants the other direction
      const t = now();
      const url = substitute(req.url, n, t, true);
      if (!zHttpUrl.safeParse(url).success)
        throw new Error('the webhook URL is not an http(s) URL after substitution');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, substitute(v, n, t, false)]),
      );
      const body = req.body === '' ? undefined : substitute(req.body, n, t, false);
      await sendHttp(url, { method: req.method, headers, ...(body !== undefined ? { body } : {}), signal });
    },
  };
}
