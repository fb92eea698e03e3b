import { z } from 'zod';
import { cutTo, escapeHtml, fullText } from './format.js';
import { secondsRetry, sendHttp } from './http.js';
import { joinUrl, zSecret, zServiceUrl } from './schema.js';
import type { ChannelTransport } from './types.js';

export const telegramChannelSchema = z.strictObject({
  type: z.literal('telegram'),
  botToken: zSecret.refine(
    (s) => /^\d+:[A-Za-z0-9_-]{20,}$/.test(s),
    'expected a bot token such as 123456789:AAH… (from @BotFather)',
  ),
  /** A user or group id (groups are negative), or `@channelusername`. */
  chatId: z.union([
    z.number().int(),
    z.string().regex(/^(-?\d+|@[A-Za-z][A-Za-z0-9_]{4,31})$/, 'expected a numeric chat id or @channelname'),
  ]),
  /** A forum topic (`message_thread_id`). */
  threadId: z.number().int().positive().optional(),
  apiUrl: zServiceUrl.default('https://api.telegram.org'),
});

export type TelegramChannelConfig = z.output<typeof telegramChannelSchema>;

/** sendMessage's text limit, counted after entity parsing (what the reader sees), in UTF-16 units. */
export const TELEGRAM_TEXT_MAX = 4096;

const LINK_TEXT = 'Open check';

/**
 * Bot API `sendMessage` in HTML parse mode: the first line in bold, every character of the
 * message escaped, the whole cut to Telegram's 4096 visible characters.
 */
export function telegramText(n: Parameters<typeof fullText>[0] & { check: { url?: string } }): string {
  const link = n.check.url ? `\n\n${LINK_TEXT}` : '';
  const plain = cutTo(fullText(n, 1500), TELEGRAM_TEXT_MAX - link.length);
  const [first = '', ...rest] = plain.split('\n');
  const body = rest.length > 0 ? `\n${escapeHtml(rest.join('\n'))}` : '';
  const anchor = n.check.url ? `\n\n<a href="${escapeHtml(n.check.url)}">${LINK_TEXT}</a>` : '';
  return `<b>${escapeHtml(first)}</b>${body}${anchor}`;
}

interface TelegramError {
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export function telegramTransport(name: string, config: TelegramChannelConfig): ChannelTransport {
  const url = joinUrl(config.apiUrl, `bot${config.botToken}/sendMessage`);
  return {
    name,
    type: 'telegram',
    async send(n, signal) {
      await sendHttp(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          chat_id: config.chatId,
          ...(config.threadId !== undefined ? { message_thread_id: config.threadId } : {}),
          text: telegramText(n),
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        }),
        signal,
        errors: {
          describe: (json) => {
            const e = json as TelegramError | undefined;
            const moved = e?.parameters?.migrate_to_chat_id;
            if (moved !== undefined)
              return `${e?.description ?? 'group upgraded'}: set chatId to ${moved} in the config`;
            return e?.description;
          },
          retryAfterMs: (json) => secondsRetry((json as TelegramError | undefined)?.parameters?.retry_after),
        },
      });
    },
  };
}
