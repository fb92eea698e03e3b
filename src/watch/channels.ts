import { z } from 'zod';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { ChannelSchema } from './config.js';
import type { ChannelTransport } from './notify/types.js';

/**
 * The seam between the watch core and the channel types in ./notify (discord, email, webhook,
 * ntfy, slack): their config schema and a transport factory. Tests inject their own.
 */
export interface ChannelModule {
  channelConfigSchema: ChannelSchema;
  createTransport(
    name: string,
    config: { type: string },
    deps: { clock: Clock; logger: Logger; fetch?: typeof fetch },
  ): ChannelTransport;
}

/** Loads ./notify. A build without it still serves pings and the API, and refuses channel config. */
export async function loadChannelModule(): Promise<ChannelModule> {
  try {
    return (await import('./notify/index.js')) as unknown as ChannelModule;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    if (!missing || !/watch[\\/]notify[\\/]index\./.test((err as Error).message)) throw err;
    return {
      channelConfigSchema: z
        .object({ type: z.string() })
        .superRefine((_v, ctx) =>
          ctx.addIssue({ code: 'custom', message: 'notification channels are not available in this build' }),
        ),
      createTransport: () => {
        throw new Error('notification channels are not available in this build');
      },
    };
  }
}
