import { z } from 'zod';
import { cut, fullText } from './format.js';
import { sendHttp } from './http.js';
import { zServiceUrl } from './schema.js';
import type { ChannelTransport } from './types.js';

export const slackChannelSchema = z.strictObject({ type: z.literal('slack'), webhookUrl: zServiceUrl });
export type SlackChannelConfig = z.output<typeof slackChannelSchema>;

/** Slack truncates `text` past 40 000 characters and advises staying under 4 000. */
export const SLACK_TEXT_MAX = 4000;

export function slackTransport(name: string, config: SlackChannelConfig): ChannelTransport {
  return {
    name,
    type: 'slack',
    async send(n, signal) {
      const text = cut(
        fullText(n).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c),
        SLACK_TEXT_MAX,
      );
      await sendHttp(config.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
        signal,
      });
    },
  };
}
