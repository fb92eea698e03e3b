import { z } from 'zod';
import { parseWebhookUrl } from '../discord/index.js';
import { loadConfigFile, secretFromEnv } from '../lib/config.js';
import { AppError } from '../lib/errors.js';
import { parseListen, zDuration, zHeaderSecret, zHttpUrl, zListen } from '../lib/schema.js';
import type { SecretSources } from '../lib/secret-file.js';
import { checkForumKeys, forumKeys } from './forum.js';
import { peersSchema } from './peers/config.js';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const webhookUrl = z.string().superRefine((s, ctx) => {
  try {
    parseWebhookUrl(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const username = z
  .string()
  .min(1)
  .max(80)
  .refine((s) => !/discord|clyde/i.test(s), 'Discord refuses usernames containing "discord" or "clyde"');

const mention = z.string().regex(/^<@[&!]?\d+>$/, 'expected a mention such as <@&ROLE_ID> or <@USER_ID>');

const perSeverity = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    critical: item.optional(),
    warning: item.optional(),
    info: item.optional(),
    resolved: item.optional(),
  });

const routeSchema = z.strictObject({
  discord: z
    .strictObject({
      webhookUrl,
      username: username.optional(),
      avatarUrl: zHttpUrl.optional(),
      threadId: z.string().regex(/^\d+$/, 'expected a numeric thread id').optional(),
      /** Forum and media channels, and quiet notifications (see ./forum.ts). */
      ...forumKeys,
    })
    .superRefine(checkForumKeys),
  mentions: perSeverity(z.array(mention)).optional(),
  flavor: perSeverity(z.array(z.string().max(500))).optional(),
  editInPlace: z.boolean().default(true),
});

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export const relayConfigSchema = z
  .strictObject({
    listen: zListen.default('0.0.0.0:9095'),
    maxBodyBytes: z.number().int().positive().default(DEFAULT_MAX_BODY_BYTES),
    /**
     * Bytes of request bodies being read, parsed and answered at once; beyond it the relay answers
     * 503 + Retry-After (Alertmanager retries). Default: `maxBodyBytes` (one body of the largest size at a time; small ones share it).
     */
    maxBytesInFlight: z.number().int().positive().optional(),
    auth: z
      .strictObject({
        bearerToken: zHeaderSecret.optional(),
        basic: z
          .strictObject({
            username: zHeaderSecret.refine((u) => !u.includes(':'), 'a Basic username cannot hold ":"'),
            password: z.string().min(1),
          })
          .optional(),
      })
      .refine(
        (a) => a.bearerToken !== undefined || a.basic !== undefined,
        'auth needs bearerToken(File) or basic',
      )
      .optional(),
    routes: z
      .record(
        z.string().regex(/^[A-Za-z0-9_-]+$/, 'route names may use letters, digits, - and _'),
        routeSchema,
      )
      .refine((r) => Object.keys(r).length > 0, 'at least one route is needed'),
    heartbeat: z
      .strictObject({
        match: z.record(z.string(), z.string()).default({ alertname: 'Watchdog' }),
        url: zHttpUrl,
      })
      .optional(),
    failureReport: z.strictObject({ url: zHttpUrl }).optional(),
    delivery: z
      .strictObject({
        deadline: zDuration.default(8000),
        drainGrace: zDuration.default(5000),
      })
      .default({ deadline: 8000, drainGrace: 5000 }),
    /** Other replicas to share the message map and delivered chunks with (see ./peers). */
    peers: peersSchema.optional(),
  })
  .transform((c, ctx) => {
    const maxBytesInFlight = c.maxBytesInFlight ?? c.maxBodyBytes;
    if (maxBytesInFlight < c.maxBodyBytes)
      ctx.addIssue({
        code: 'custom',
        path: ['maxBytesInFlight'],
        message: `must be at least maxBodyBytes (${c.maxBodyBytes}), or no body of that size could ever be read`,
      });
    return { ...c, maxBytesInFlight };
  });

export type RelayConfig = z.output<typeof relayConfigSchema>;
export type RouteConfig = RelayConfig['routes'][string];

/**
 * The relay's config: from a file, or in zero-config mode from DISCORD_WEBHOOK_URL(_FILE), which
 * is how the seed proxy was set up. `ALERTPATH_LISTEN` and `--listen` override `listen`.
 */
export function loadRelayConfig(options: {
  file?: string;
  listen?: string;
  env?: NodeJS.ProcessEnv;
  /** Filled with the files the secrets were read from (for the start-up line naming the auth). */
  secretSources?: SecretSources;
}): RelayConfig {
  const env = options.env ?? process.env;
  let config: RelayConfig;
  if (options.file) {
    config = loadConfigFile(options.file, relayConfigSchema, {
      env,
      ...(options.secretSources ? { secretSources: options.secretSources } : {}),
    });
  } else {
    const url = secretFromEnv('DISCORD_WEBHOOK_URL', env);
    if (url === undefined) {
      throw new AppError(
        'AP_CONFIG_INVALID',
        'no Discord webhook configured: set DISCORD_WEBHOOK_URL (or DISCORD_WEBHOOK_URL_FILE), or pass --config FILE',
      );
    }
    const parsed = relayConfigSchema.safeParse({ routes: { default: { discord: { webhookUrl: url } } } });
    if (!parsed.success)
      throw new AppError('AP_CONFIG_INVALID', `DISCORD_WEBHOOK_URL: ${parsed.error.issues[0]?.message}`);
    config = parsed.data;
  }
  const listen = options.listen ?? env.ALERTPATH_LISTEN;
  if (listen !== undefined && listen !== '') {
    if (!parseListen(listen))
      throw new AppError('AP_USAGE', `invalid listen address "${listen}": expected HOST:PORT`);
    config = { ...config, listen };
  }
  return config;
}
