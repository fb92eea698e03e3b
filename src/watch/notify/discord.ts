import { z } from 'zod';
import { DiscordDeliveryError, DiscordWebhook, parseWebhookUrl, textMessage } from '../../discord/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { trimSecret } from '../../lib/secret-file.js';
import { clampRetry, DeliveryError } from './failure.js';
import { fullText } from './format.js';
import type { ChannelTransport } from './types.js';

export const discordChannelSchema = z.strictObject({
  type: z.literal('discord'),
  webhookUrl: z
    .string()
    .transform(trimSecret)
    .superRefine((s, ctx) => {
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

const COLOR = { down: 0xff0000, up: 0x00ff00, reminder: 0xff8000, test: 0x3b82f6 } as const;

/**
 * Posts through the shared Discord client, with its limits, rate limits and retries. What the
 * client calls a rejection (400, 401, 403, a deleted webhook's 404) is permanent, as Healthchecks
 * treats a 404; not being accepted before the deadline is transient, with Discord's wait.
 */
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
        color: COLOR[n.test ? 'test' : n.event],
        ...(n.check.url ? { url: n.check.url } : {}),
      });
      try {
        await hook.post(message, { deadline: deps.clock.now() + 10_000, signal });
      } catch (err) {
        if (err instanceof DiscordDeliveryError) {
          const wait =
            err.retryAfterSeconds === undefined ? undefined : clampRetry(err.retryAfterSeconds * 1000);
          throw new DeliveryError(err.message, err.permanent ? 'permanent' : 'transient', wait);
        }
        throw new DeliveryError((err as Error).message, 'transient');
      }
    },
  };
}
