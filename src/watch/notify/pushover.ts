import { z } from 'zod';
import { zDuration } from '../../lib/schema.js';
import { cutTo, fullText, headline } from './format.js';
import { type ServiceErrors, sendHttp } from './http.js';
import { joinUrl, zSecret, zServiceUrl } from './schema.js';
import type { ChannelTransport, Notification } from './types.js';

const key = (what: string) =>
  zSecret.refine((s) => /^[A-Za-z0-9]{30}$/.test(s), `a Pushover ${what} is 30 letters and digits`);
const priority = z.number().int().min(-2).max(2);

export const pushoverChannelSchema = z
  .strictObject({
    type: z.literal('pushover'),
    /** The application's API token. */
    token: key('application token'),
    /** A user key or a group key. */
    userKey: key('user or group key'),
    device: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,25}(,[A-Za-z0-9_-]{1,25})*$/, 'device names are 1–25 letters, digits, - or _')
      .optional(),
    /** -2 lowest … 1 high, 2 emergency (repeated every `retry` until acknowledged or `expire`). */
    priority: z
      .strictObject({ down: priority.default(1), up: priority.default(0) })
      .default({ down: 1, up: 0 }),
    retry: zDuration.default(60_000),
    expire: zDuration.default(3_600_000),
    sound: z.strictObject({ down: z.string().optional(), up: z.string().optional() }).optional(),
    apiUrl: zServiceUrl.default('https://api.pushover.net'),
  })
  .superRefine((c, ctx) => {
    if (c.retry < 30_000)
      ctx.addIssue({
        code: 'custom',
        path: ['retry'],
        message: 'Pushover retries emergencies at most every 30s',
      });
    if (c.expire > 10_800_000 || c.expire < 1000)
      ctx.addIssue({
        code: 'custom',
        path: ['expire'],
        message: 'Pushover expires emergencies within 1s to 3h',
      });
  });

export type PushoverChannelConfig = z.output<typeof pushoverChannelSchema>;

/** Pushover's limits, in characters (code points). */
export const PUSHOVER_LIMITS = { message: 1024, title: 250, url: 512, urlTitle: 100 } as const;

const errors: ServiceErrors = {
  describe: (json) => {
    const list = (json as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(list) ? list.map(String).join('; ') : undefined;
  },
  // A 429 means the application's monthly message quota is used up.
  defaultRetryAfterMs: 60_000,
};

/**
 * Pushover's message API (`POST /1/messages.json`), with a priority per state. An emergency
 * (priority 2) is tagged with the check, and the check's recovery first cancels the repeating
 * emergency (`/1/receipts/cancel_by_tag/<tag>.json`), as Healthchecks does.
 */
export function pushoverTransport(name: string, config: PushoverChannelConfig): ChannelTransport {
  const post = (path: string, form: Record<string, string>, signal: AbortSignal) =>
    sendHttp(joinUrl(config.apiUrl, path), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
      signal,
      errors,
    });
  return {
    name,
    type: 'pushover',
    async send(n, signal) {
      const up = n.event === 'up';
      const tag = `alertpath-${n.check.uuid}`;
      if (up && config.priority.down === 2)
        await post(`1/receipts/cancel_by_tag/${tag}.json`, { token: config.token }, signal);
      const level = messagePriority(n, config);
      const form: Record<string, string> = {
        token: config.token,
        user: config.userKey,
        title: cutTo(`${headline(n)} ${n.check.name}`, PUSHOVER_LIMITS.title, 'codepoints'),
        message: cutTo(fullText(n, 400), PUSHOVER_LIMITS.message, 'codepoints'),
        priority: String(level),
        timestamp: String(Math.floor(n.at / 1000)),
      };
      if (level === 2) {
        form.retry = String(Math.round(config.retry / 1000));
        form.expire = String(Math.round(config.expire / 1000));
        form.tags = tag;
      }
      if (n.check.url && [...n.check.url].length <= PUSHOVER_LIMITS.url) {
        form.url = n.check.url;
        form.url_title = 'Open check';
      }
      if (config.device) form.device = config.device;
      const sound = up ? config.sound?.up : config.sound?.down;
      if (sound) form.sound = sound;
      await post('1/messages.json', form, signal);
    },
  };
}

/** The priority for this notification; a test never rings as an emergency. */
function messagePriority(n: Notification, config: PushoverChannelConfig): number {
  const p = n.event === 'up' ? config.priority.up : config.priority.down;
  return n.test ? Math.min(p, 1) : p;
}
