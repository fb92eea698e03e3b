import { z } from 'zod';
import { cut, fullText, headline } from './format.js';
import { sendHttp } from './http.js';
import { joinUrl, zSecret, zServiceUrl } from './schema.js';
import type { ChannelTransport } from './types.js';

const priority = z.number().int().min(1).max(5);

export const ntfyChannelSchema = z.strictObject({
  type: z.literal('ntfy'),
  url: zServiceUrl.default('https://ntfy.sh'),
  topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, 'ntfy topics are 1–64 letters, digits, - or _'),
  token: zSecret.optional(),
  priority: z
    .strictObject({ down: priority.default(5), up: priority.default(3) })
    .default({ down: 5, up: 3 }),
});

export type NtfyChannelConfig = z.output<typeof ntfyChannelSchema>;

/** ntfy's message limit; longer bodies would become an attachment. */
export const NTFY_MESSAGE_MAX_BYTES = 4096;

export function ntfyTransport(name: string, config: NtfyChannelConfig): ChannelTransport {
  return {
    name,
    type: 'ntfy',
    async send(n, signal) {
      const up = n.event === 'up';
      let body = fullText(n);
      while (Buffer.byteLength(body) > NTFY_MESSAGE_MAX_BYTES)
        body = cut(body, Math.floor(body.length * 0.9));
      const headers: Record<string, string> = {
        Title: `${headline(n)} ${n.check.name}`.replace(/[^\x20-\x7e]/g, '?'),
        Priority: String(up ? config.priority.up : config.priority.down),
        Tags: up ? 'white_check_mark' : 'rotating_light',
        'Content-Type': 'text/plain; charset=utf-8',
      };
      if (config.token) headers.Authorization = `Bearer ${config.token}`;
      if (n.check.url) headers.Click = n.check.url;
      await sendHttp(joinUrl(config.url, config.topic), {
        method: 'POST',
        headers,
        body,
        signal,
        errors: { describe: (json) => (json as { error?: string } | undefined)?.error },
      });
    },
  };
}
