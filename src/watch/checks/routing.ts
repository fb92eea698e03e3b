import type { CheckDef } from './model.js';

/**
 * Who a check pages, and whether anyone at all: a check that pages nobody is itself an alarm
 * (a deadman that notifies no one is the failure alertpath exists to prevent). Pure: the caller
 * hands in the defaults, the configured channel names and the channels known to be broken (a
 * channel whose last attempt failed permanently delivers nothing).
 */

export interface Routing {
  /** The channels that can page for this check. */
  channels: string[];
  /** Nobody is paged when this check goes down. */
  unrouted: boolean;
  /** What is wrong, for people (the API's `warnings`, the dashboard, the startup log). */
  warnings: string[];
}

export interface RoutingContext {
  /** `defaults.channels`: used by checks that name none. */
  defaultChannels: readonly string[];
  /** The channels in the config. */
  configured: ReadonlySet<string>;
  /** The channels whose last try failed permanently (a wrong token, a deleted webhook). */
  broken?: ReadonlySet<string>;
}

export const UNROUTED_WARNING =
  'unrouted: this check notifies nobody (give it channels, or set defaults.channels in the config)';

export function routingOf(def: Pick<CheckDef, 'channels'>, ctx: RoutingContext): Routing {
  const assigned = def.channels ?? ctx.defaultChannels;
  const warnings: string[] = [];
  const channels: string[] = [];
  for (const name of assigned) {
    if (!ctx.configured.has(name)) warnings.push(`channel "${name}" is not configured`);
    else if (ctx.broken?.has(name))
      warnings.push(`channel "${name}": its last notification failed permanently`);
    else channels.push(name);
  }
  const unrouted = channels.length === 0;
  if (unrouted) warnings.unshift(UNROUTED_WARNING);
  return { channels, unrouted, warnings };
}
