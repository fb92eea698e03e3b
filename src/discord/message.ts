import { DISCORD_LIMITS as L } from './limits.js';
import { truncate } from './text.js';

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface DiscordEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  timestamp?: string;
  footer?: { text: string };
  author?: { name: string };
  fields?: DiscordEmbedField[];
}

export interface AllowedMentions {
  parse: Array<'roles' | 'users' | 'everyone'>;
  roles?: string[];
  users?: string[];
}

export interface DiscordMessage {
  content?: string;
  username?: string;
  avatar_url?: string;
  embeds?: DiscordEmbed[];
  /** Always sent: with `parse: []`, text in a message pings nobody who is not listed. */
  allowed_mentions: AllowedMentions;
  /** Forum and media channels: the post (thread) this message creates. Creating only. */
  thread_name?: string;
  /** Forum and media channels: tag ids of the post created with `thread_name` (at most 5). */
  applied_tags?: string[];
  /** Only SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS may be set when creating. */
  flags?: number;
}

/** Message flags a webhook may set when it creates a message. */
export const MESSAGE_FLAGS = { SUPPRESS_EMBEDS: 1 << 2, SUPPRESS_NOTIFICATIONS: 1 << 12 } as const;
/** The longest forum post (thread) name. */
export const THREAD_NAME_MAX = 100;

export function noMentions(): AllowedMentions {
  return { parse: [], roles: [], users: [] };
}

/**
 * One message carrying `text` in an embed, cut to fit every limit. Used by notifiers that send a
 * single line of text (watch channels, failure notes).
 */
export function textMessage(
  text: string,
  options: { title?: string; color?: number; url?: string } = {},
): DiscordMessage {
  const embed: DiscordEmbed = { description: truncate(text, L.description) };
  if (options.title !== undefined) embed.title = truncate(options.title, L.title);
  if (options.color !== undefined) embed.color = options.color;
  if (options.url !== undefined) embed.url = options.url;
  return { embeds: [embed], allowed_mentions: noMentions() };
}
