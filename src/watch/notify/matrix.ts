import { createHash } from 'node:crypto';
import { z } from 'zod';
import { cutTo, escapeHtml, fullText } from './format.js';
import { type ServiceErrors, sendHttp } from './http.js';
import { joinUrl, zSecret, zServiceUrl } from './schema.js';
import type { ChannelTransport, Notification } from './types.js';

export const matrixChannelSchema = z.strictObject({
  type: z.literal('matrix'),
  /** The homeserver's client API base, e.g. https://matrix.example.org. */
  homeserver: zServiceUrl,
  /** The bot user's access token; the bot must have joined the room. */
  accessToken: zSecret,
  roomId: z
    .string()
    .regex(
      /^![^\s:/]+(:[^\s/]+)?$/,
      'expected a room id such as !abcdefgh:example.org (Room settings → Advanced), not an #alias',
    ),
});

export type MatrixChannelConfig = z.output<typeof matrixChannelSchema>;

/** Events are at most 64 KiB; a notification stays far below with this much text. */
export const MATRIX_BODY_MAX = 16_000;

interface MatrixError {
  errcode?: string;
  error?: string;
  retry_after_ms?: number;
}

const errors: ServiceErrors = {
  describe: (json) => {
    const e = json as MatrixError | undefined;
    return e?.errcode ? `${e.errcode}${e.error ? ` ${e.error}` : ''}` : undefined;
  },
  retryAfterMs: (json) => {
    const ms = (json as MatrixError | undefined)?.retry_after_ms;
    return typeof ms === 'number' && Number.isFinite(ms) ? Math.max(0, Math.ceil(ms)) : undefined;
  },
};

/**
 * The client-server API v3: `PUT /_matrix/client/v3/rooms/<room>/send/m.room.message/<txnId>`.
 * The transaction id is the outbox job's key, the same on every try of one job, so a homeserver
 * that stored the event but whose answer was lost returns the same event instead of posting twice.
 */
export function matrixTransport(name: string, config: MatrixChannelConfig): ChannelTransport {
  const room = encodeURIComponent(config.roomId);
  return {
    name,
    type: 'matrix',
    async send(n, signal, ctx) {
      const txnId = `alertpath.${ctx?.key ?? notificationKey(n)}`;
      const plain = cutTo(fullText(n, 2000), MATRIX_BODY_MAX);
      const [first = '', ...rest] = plain.split('\n');
      const html =
        `<strong>${escapeHtml(first)}</strong>` +
        (rest.length > 0 ? `<br>${escapeHtml(rest.join('\n')).replaceAll('\n', '<br>')}` : '') +
        (n.check.url ? `<br><a href="${escapeHtml(n.check.url)}">Open check</a>` : '');
      await sendHttp(
        joinUrl(
          config.homeserver,
          `_matrix/client/v3/rooms/${room}/send/m.room.message/${encodeURIComponent(txnId)}`,
        ),
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${config.accessToken}` },
          body: JSON.stringify({
            msgtype: 'm.text',
            body: n.check.url ? `${plain}\n\n${n.check.url}` : plain,
            format: 'org.matrix.custom.html',
            formatted_body: html,
          }),
          signal,
          errors,
        },
      );
    },
  };
}

/** A key that names one notification (used when the caller gives none). */
function notificationKey(n: Notification): string {
  return createHash('sha256')
    .update(`${n.check.uuid}|${n.event}|${n.at}|${n.test ? 'test' : ''}`)
    .digest('hex')
    .slice(0, 32);
}
