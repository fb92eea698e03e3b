import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { discordChannelSchema, discordTransport } from './discord.js';
import { emailChannelSchema, emailTransport } from './email.js';
import { gotifyChannelSchema, gotifyTransport } from './gotify.js';
import { matrixChannelSchema, matrixTransport } from './matrix.js';
import { ntfyChannelSchema, ntfyTransport } from './ntfy.js';
import { pagerdutyChannelSchema, pagerdutyTransport } from './pagerduty.js';
import { pushoverChannelSchema, pushoverTransport } from './pushover.js';
import { slackChannelSchema, slackTransport } from './slack.js';
import { telegramChannelSchema, telegramTransport } from './telegram.js';
import type { ChannelTransport } from './types.js';
import { webhookChannelSchema, webhookTransport } from './webhook.js';

export type { ChannelTransport, Notification, NotifyEvent, SendContext } from './types.js';

/** Every channel type `watch` can page through; `type` picks one. */
export const channelConfigSchema = z.discriminatedUnion('type', [
  discordChannelSchema,
  emailChannelSchema,
  webhookChannelSchema,
  ntfyChannelSchema,
  slackChannelSchema,
  telegramChannelSchema,
  pushoverChannelSchema,
  gotifyChannelSchema,
  matrixChannelSchema,
  pagerdutyChannelSchema,
]);

export type ChannelConfig = z.output<typeof channelConfigSchema>;

export const CHANNEL_TYPES = channelConfigSchema.options.map((o) => o.shape.type.value);

export function createTransport(
  name: string,
  config: ChannelConfig,
  deps: { clock: Clock; logger: Logger },
): ChannelTransport {
  return { ...transportFor(name, config, deps), fingerprint: fingerprint(config) };
}

function transportFor(
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
    case 'telegram':
      return telegramTransport(name, config);
    case 'pushover':
      return pushoverTransport(name, config);
    case 'gotify':
      return gotifyTransport(name, config);
    case 'matrix':
      return matrixTransport(name, config);
    case 'pagerduty':
      return pagerdutyTransport(name, config);
  }
}

/** A one-way digest of a channel's config (secrets included), to notice that it changed. */
function fingerprint(config: ChannelConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}
