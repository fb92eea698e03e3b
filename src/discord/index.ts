export {
  DiscordDeliveryError,
  DiscordWebhook,
  type DiscordWebhookOptions,
  RateLimits,
  rateLimitsFor,
  type SendOptions,
  UNKNOWN_MESSAGE,
} from './client.js';
export { DISCORD_LIMITS } from './limits.js';
export {
  type AllowedMentions,
  type DiscordEmbed,
  type DiscordEmbedField,
  type DiscordMessage,
  noMentions,
  textMessage,
} from './message.js';
export { packDescriptions } from './split.js';
export { cutAt, escapeMarkdown, splitText, truncate } from './text.js';
export { parseWebhookUrl, type WebhookUrl } from './webhook-url.js';
