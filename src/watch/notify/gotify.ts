import { z } from 'zod';
import { fullText, headline } from './format.js';
import { type ServiceErrors, sendHttp } from './http.js';
import { joinUrl, zSecret, zServiceUrl } from './schema.js';
import type { ChannelTransport } from './types.js';

const priority = z.number().int().min(0).max(10);

export const gotifyChannelSchema = z.strictObject({
  type: z.literal('gotify'),
  /** The Gotify server, e.g. https://push.example.net (a path prefix is kept). */
  url: zServiceUrl,
  /** An application token (Apps → Create Application), not a client token. */
  token: zSecret,
  priority: z
    .strictObject({ down: priority.default(8), up: priority.default(4) })
    .default({ down: 8, up: 4 }),
});

export type GotifyChannelConfig = z.output<typeof gotifyChannelSchema>;

const errors: ServiceErrors = {
  describe: (json) => (json as { errorDescription?: string } | undefined)?.errorDescription,
};

/** Gotify's `POST /message`, authenticated with `X-Gotify-Key`, as plain text with a click URL. */
export function gotifyTransport(name: string, config: GotifyChannelConfig): ChannelTransport {
  const url = joinUrl(config.url, 'message');
  return {
    name,
    type: 'gotify',
    async send(n, signal) {
      const extras: Record<string, unknown> = { 'client::display': { contentType: 'text/plain' } };
      if (n.check.url) extras['client::notification'] = { click: { url: n.check.url } };
      await sendHttp(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gotify-key': config.token },
        body: JSON.stringify({
          title: `${headline(n)} ${n.check.name}`,
          message: fullText(n, 2000),
          priority: n.event === 'up' ? config.priority.up : config.priority.down,
          extras,
        }),
        signal,
        errors,
      });
    },
  };
}
