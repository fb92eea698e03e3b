import { z } from 'zod';
import { permanentFailure } from './failure.js';
import { wellFormed } from './format.js';
import { sendHttp } from './http.js';
import { serviceUrlProblem } from './schema.js';
import type { ChannelTransport, Notification } from './types.js';

/** RFC 9110 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const request = z.strictObject({
  url: z.string().superRefine((template, ctx) => {
    // Checked with sample values in place of the placeholders: a typo or a file:// URL is
    // refused at load, not at the first page.
    const problem = serviceUrlProblem(substitute(template, SAMPLE, 0, true));
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  headers: z
    .record(z.string().regex(HEADER_NAME, "a header name is letters, digits and !#$%&'*+.^_`|~-"), z.string())
    .default({}),
  body: z.string().default(''),
});

export const webhookChannelSchema = z
  .strictObject({ type: z.literal('webhook'), down: request.optional(), up: request.optional() })
  .refine(
    (c) => c.down !== undefined || c.up !== undefined,
    'a webhook channel needs a down or an up request',
  );

export type WebhookChannelConfig = z.output<typeof webhookChannelSchema>;

const PLACEHOLDER = /\$(NAME_JSON|NAME|TEXT_JSON|TEXT|STATUS|NOW|SLUG|TAGS|CODE|JSON)\b/g;

const SAMPLE: Notification = {
  event: 'down',
  check: {
    uuid: '00000000-0000-0000-0000-000000000000',
    name: 'check',
    slug: 'check',
    tags: ['t'],
    desc: '',
  },
  text: 'check is down',
  reason: 'timeout',
  at: 0,
};

/**
 * Healthchecks' placeholders, substituted in a single pass (a value that itself contains
 * `$NAME` is not substituted again). In URLs, values are URL-encoded. `$NAME_JSON`,
 * `$TEXT_JSON` and `$JSON` are JSON values (quotes included) for JSON bodies: `$NAME` inside
 * a JSON string is not escaped, so a name with a quote would break (or inject into) the body.
 */
export function substitute(template: string, n: Notification, now: number, encode: boolean): string {
  const status = n.event === 'up' ? 'up' : 'down';
  const name = wellFormed(n.check.name);
  const text = wellFormed(n.text);
  const values: Record<string, string> = {
    NAME: name,
    NAME_JSON: JSON.stringify(name),
    TEXT: text,
    TEXT_JSON: JSON.stringify(text),
    STATUS: status,
    NOW: new Date(now).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    SLUG: n.check.slug,
    TAGS: wellFormed(n.check.tags.join(' ')),
    CODE: n.check.uuid,
    JSON: JSON.stringify({
      name,
      slug: n.check.slug,
      tags: n.check.tags.join(' '),
      desc: n.check.desc,
      uuid: n.check.uuid,
      status,
      text,
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
      const req = n.event === 'up' ? config.up : (config.down ?? (n.test ? config.up : undefined));
      if (!req) return; // this channel only wants the other direction
      const t = now();
      const url = substitute(req.url, n, t, true);
      if (serviceUrlProblem(url))
        throw permanentFailure('the webhook URL is not an http(s) URL after substitution');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, substitute(v, n, t, false)]),
      );
      const body = req.body === '' ? undefined : substitute(req.body, n, t, false);
      await sendHttp(url, { method: req.method, headers, ...(body !== undefined ? { body } : {}), signal });
    },
  };
}
