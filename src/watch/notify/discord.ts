import { z } from 'zod';
import { DiscordWebhook, parseWebhookUrl, textMessage } from '../../discord/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { fullText } from './http.js';
import type { ChannelTransport } from './types.js';

export const discordChannelSchema = z.strictObject({
  type: z.literal('discord'),
  webhookUrl: z.string().superRefine((s, ctx) => {
    try {
      parseWebhookUrl(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }),
  username: z.string().optional(),
  threadId: z.string().optional(),
});

export type DiscordChannelConfig = z.output<typeof discordChannelSchema>;

const COLOR = { down: 0xff0000, up: 0x00ff00, reminder: 0xff8000 } as const;

/** Posts through the shared Discord client, with its limits, rate limits and retries. */
export function discordTransport(
  name: string,
  config: DiscordChannelConfig,
  deps: { clock: Clock; logger: Logger },
): ChannelTransport {
  const hook = new DiscordWebhook(config.webhookUrl, {
    logger: deps.logger,
    ...(config.username ? { username: config.username } : {}),
    ...(config.threadId ? { threadId: config.threadId } : {}),
  });
  return {
    name,
    type: 'discord',
    async send(n, signal) {
      const message = textMessage(fullText(n), {
        color: COLOR[n.event],
        ...(n.check.url ? { url: n.check.url } : {}),
      });
      try {
        await hook.post(message, { deadline: deps.clock.now() + 10_000, signal });
      } catch (err) {
        throw new Error((err as Error).message);
      }
    },
  };
}
