import { z } from 'zod';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { discordChannelSchema, discordTransport } from './discord.js';
import { emailChannelSchema, emailTransport } from './email.js';
import { ntfyChannelSchema, ntfyTransport } from './ntfy.js';
import { slackChannelSchema, slackTransport } from './slack.js';
import type { ChannelTransport } from './types.js';
import { webhookChannelSchema, webhookTransport } from './webhook.js';

export type { ChannelTransport, Notification, NotifyEvent } from './types.js';

/** Every channel type `watch` can page through; `type` picks one. */
export const channelConfigSchema = z.discriminatedUnion('type', [
  discordChannelSchema,
  emailChannelSchema,
  webhookChannelSchema,
  ntfyChannelSchema,
  slackChannelSchema,
]);

export type ChannelConfig = z.output<typeof channelConfigSchema>;

export function createTransport(
  name: string,
  config: ChannelConfig,
  deps: { clock: Clock; logger: Logger },
): ChannelTransport {
  switch (config.type) {
    case 'discord':
      return discordTransport(name, config, deps);
    case 'email':
      return emailTransport(name, config);
    case 'webhook':
      return webhookTransport(name, config, () => deps.clock.now());
    case 'ntfy':
      return ntfyTransport(name, config);
    case 'slack':
      return slackTransport(name, config);
  }
}
