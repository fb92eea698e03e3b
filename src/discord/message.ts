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
}

/** Characters of an embed that count toward the 6000 limit of a message. */
export function embedSize(e: DiscordEmbed): number {
  let n = (e.title?.length ?? 0) + (e.description?.length ?? 0);
  n += (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

/** Clamps every part of an embed to its limit. */
export function fitEmbed(e: DiscordEmbed): DiscordEmbed {
  const out: DiscordEmbed = { ...e };
  if (e.title !== undefined) out.title = truncate(e.title, L.title);
  if (e.description !== undefined) out.description = truncate(e.description, L.description);
  if (e.footer) out.footer = { text: truncate(e.footer.text, L.footer) };
  if (e.author) out.author = { name: truncate(e.author.name, L.author) };
  if (e.fields) {
    out.fields = e.fields.slice(0, L.fields).map((f) => ({
      ...f,
      name: truncate(f.name || '\u200b', L.fieldName),
      value: truncate(f.value || '\u200b', L.fieldValue),
    }));
  }
  return out;
}

/**
 * Packs embeds into as few messages as the limits allow: at most 10 embeds and 6000 characters
 * per message. Each embed must already fit on its own (see fitEmbed); order is kept.
 */
export function packEmbeds(embeds: DiscordEmbed[]): DiscordEmbed[][] {
  const messages: DiscordEmbed[][] = [];
  let current: DiscordEmbed[] = [];
  let size = 0;
  for (const raw of embeds) {
    const e = fitEmbed(raw);
    const n = embedSize(e);
    if (current.length > 0 && (current.length >= L.embedsPerMessage || size + n > L.embedTotal)) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += n;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}

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
