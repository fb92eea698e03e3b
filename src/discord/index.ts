export {
  DiscordDeliveryError,
  DiscordWebhook,
  type DiscordWebhookOptions,
  type PostOptions,
  RateLimits,
  rateLimitsFor,
  type SendOptions,
  UNKNOWN_CHANNEL,
  UNKNOWN_MESSAGE,
} from './client.js';
export { DISCORD_LIMITS } from './limits.js';
export {
  type AllowedMentions,
  type DiscordEmbed,
  type DiscordEmbedField,
  type DiscordMessage,
  MESSAGE_FLAGS,
  noMentions,
  THREAD_NAME_MAX,
  textMessage,
} from './message.js';
export { packDescriptions } from './split.js';
export { cutAt, escapeMarkdown, splitText, truncate } from './text.js';
export { parseWebhookUrl, type WebhookUrl } from './webhook-url.js';
