import { randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, FakeService, jsonBody, WindowLimit } from './service.js';

/**
 * A fake Telegram Bot API (`/bot<token>/<method>`) that refuses what Telegram refuses:
 * unknown tokens (401), unknown methods (404), unknown chats and topics (400 "chat not found",
 * "message thread not found"), blocked bots (403), groups upgraded to supergroups (400 with
 * `parameters.migrate_to_chat_id`), empty text, HTML that does not parse (unsupported or
 * unbalanced tags, bare `<` or `&`), text over 4096 characters after entity parsing, and more
 * messages per chat than its limit (429 with `parameters.retry_after`).
 */

export interface TelegramMessage {
  chatId: string;
  threadId?: number;
  /** The text as sent (HTML). */
  html: string;
  /** What the reader sees: tags removed, entities decoded. */
  text: string;
  parseMode?: string;
  disableNotification: boolean;
}

interface Chat {
  threads: Set<number>;
  blocked: boolean;
  migratedTo?: number;
}

const TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);

export class FakeTelegram extends FakeService {
  readonly messages: TelegramMessage[] = [];
  readonly tokens = new Set<string>();
  private readonly chats = new Map<string, Chat>();
  /** Per chat (Telegram: about one message per second in a chat). */
  readonly limit = new WindowLimit(1000, 1000);
  private nextId = 1;

  /** A new bot; returns its token. */
  addBot(): string {
    const token = `${100000000 + this.tokens.size}:${randomBytes(26).toString('base64url').slice(0, 35)}`;
    this.tokens.add(token);
    return token;
  }

  addChat(
    id: number | string,
    options: { threads?: number[]; blocked?: boolean; migratedTo?: number } = {},
  ): void {
    this.chats.set(String(id), {
      threads: new Set(options.threads ?? []),
      blocked: options.blocked ?? false,
      ...(options.migratedTo !== undefined ? { migratedTo: options.migratedTo } : {}),
    });
  }

  protected answer(req: FakeRequest): FakeAnswer {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    if (!m) return error(404, 'Not Found');
    const [, token = '', method = ''] = m;
    if (!this.tokens.has(token)) return error(401, 'Unauthorized');
    if (method.toLowerCase() !== 'sendmessage') return error(404, 'Not Found');
    const p = params(req);
    const chatId = p.chat_id === undefined ? '' : String(p.chat_id);
    if (chatId === '') return error(400, 'Bad Request: chat_id is empty');
    const chat = this.chats.get(chatId);
    if (!chat) return error(400, 'Bad Request: chat not found');
    if (chat.blocked) return error(403, 'Forbidden: bot was blocked by the user');
    if (chat.migratedTo !== undefined)
      return error(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
        migrate_to_chat_id: chat.migratedTo,
      });
    const thread = p.message_thread_id === undefined ? undefined : Number(p.message_thread_id);
    if (thread !== undefined && !chat.threads.has(thread))
      return error(400, 'Bad Request: message thread not found');
    const html = typeof p.text === 'string' ? p.text : '';
    const mode = typeof p.parse_mode === 'string' ? p.parse_mode : undefined;
    let text = html;
    if (mode !== undefined) {
      if (mode.toLowerCase() !== 'html') return error(400, 'Bad Request: unsupported parse_mode');
      const parsed = parseHtml(html);
      if ('error' in parsed) return error(400, `Bad Request: can't parse entities: ${parsed.error}`);
      text = parsed.text;
    }
    if (text.trim() === '') return error(400, 'Bad Request: message text is empty');
    if (text.length > 4096) return error(400, 'Bad Request: message is too long');
    const wait = this.limit.take(chatId);
    if (wait > 0) {
      const s = Math.ceil(wait / 1000);
      return error(429, `Too Many Requests: retry after ${s}`, { retry_after: s });
    }
    this.messages.push({
      chatId,
      ...(thread !== undefined ? { threadId: thread } : {}),
      html,
      text,
      ...(mode !== undefined ? { parseMode: mode } : {}),
      disableNotification: p.disable_notification === true || p.disable_notification === 'true',
    });
    return {
      status: 200,
      body: { ok: true, result: { message_id: this.nextId++, chat: { id: Number(chatId) }, date: 0, text } },
    };
  }
}

function error(status: number, description: string, parameters?: Record<string, number>): FakeAnswer {
  return {
    status,
    body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
  };
}

/** JSON bodies, or form / query parameters as Telegram also accepts. */
function params(req: FakeRequest): Record<string, unknown> {
  const json = jsonBody(req);
  if (json) return json;
  const form = new URLSearchParams(req.body);
  for (const [k, v] of req.query) if (!form.has(k)) form.set(k, v);
  return Object.fromEntries(form);
}

/** Telegram's HTML parse mode: the visible text, or why it does not parse. */
export function parseHtml(html: string): { text: string } | { error: string } {
  let text = '';
  const open: string[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i] as string;
    if (ch === '<') {
      const m = /^<(\/?)([a-zA-Z][a-zA-Z-]*)(\s[^<>]*)?>/.exec(html.slice(i));
      if (!m) return { error: `Unexpected start of a tag at byte offset ${i}` };
      const [all, closing, rawName = ''] = m;
      const name = rawName.toLowerCase();
      if (!TAGS.has(name)) return { error: `Unsupported start tag "${name}" at byte offset ${i}` };
      if (closing) {
        if (open.pop() !== name)
          return { error: `Unmatched end tag at byte offset ${i}, expected "</${open.at(-1)}>"` };
      } else {
        if (name === 'a' && !/\shref="[^"]*"/.test(m[3] ?? ''))
          return { error: `Tag "a" must have an href at byte offset ${i}` };
        open.push(name);
      }
      i += all.length;
      continue;
    }
    if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(html.slice(i));
      if (!m) return { error: `Unsupported entity at byte offset ${i}` };
      const e = m[1] as string;
      text +=
        e === 'lt'
          ? '<'
          : e === 'gt'
            ? '>'
            : e === 'amp'
              ? '&'
              : e === 'quot'
                ? '"'
                : String.fromCodePoint(
                    e.startsWith('#x') ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
                  );
      i += m[0].length;
      continue;
    }
    if (ch === '>') return { error: `Unexpected character ">" at byte offset ${i}` };
    text += ch;
    i++;
  }
  if (open.length > 0) return { error: `Can't find end tag corresponding to start tag "${open.at(-1)}"` };
  return { text };
}
