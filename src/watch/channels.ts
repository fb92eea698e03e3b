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
    deps: { clock: Clock; logger: Logger },
  ): ChannelTransport;
}

/** The channel types alertpath ships (./notify), loaded when watch starts. */
export async function loadChannelModule(): Promise<ChannelModule> {
  return import('./notify/index.js');
}
